"""The dbt project, as Dagster sees it: one cached ``DbtProject`` and its manifest.

The manifest is what ``@dbt_assets`` builds the asset graph from. ``dagster dev`` re-parses
on load (``prepare_if_dev``); the ``perfgov`` commands call ``ensure_manifest`` first, which
parses only when a dbt file changed since the last parse (a parse costs several seconds).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from packaging import version

from ..engines import release_kept_open
from ..settings import DBT_PROJECT_DIR

# Files whose change makes the manifest stale.
_DBT_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


@cache
def perfgov_dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    return project


#: Set for the dbt subprocesses this resource starts (dbt/profiles.yml, ``keep_open``).
KEEP_OPEN_VARIABLE = "PERFGOV_DBT_KEEP_OPEN"


class PerfgovDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, without the work a close does not use.

    - No ``dbt --version`` subprocess per close: dagster-dbt asks the dbt executable for its
      version (Core or Fusion) by starting it, a whole Python start-up and dbt import, 3 s of
      CPU (20 s on a loaded machine) before every build. The executable here is always the
      dbt-core installed beside this Python, whose version this process already imported.
    - No dbt adapter in the close process: dagster-dbt loads dbt's flags, profile, project
      and the DuckDB adapter in-process before starting dbt (2-5 s, measured), only for
      ``fetch_row_counts`` and ``fetch_column_metadata``, which perfgov does not call.
    - The DuckDB database stays open for the whole dbt process (``keep_open``): otherwise
      dbt-duckdb closes it whenever no node holds a connection and reopens it for the next
      (a checkpoint and a catalog read each time, ~0.05-0.3 s, 160 times a build). Safe
      here because the database closes when the subprocess exits; an in-process dbt (the
      tests' ``dbtRunner``) does not see the variable and closes it when done.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:  # type: ignore[override]
        # DuckDB lets the subprocess open the warehouse only once this process let go of it.
        release_kept_open()
        # dagster-dbt copies os.environ into the subprocess when it starts it, inside cli().
        previous = os.environ.get(KEEP_OPEN_VARIABLE)
        os.environ[KEEP_OPEN_VARIABLE] = "True"  # as_bool reads a Python literal
        try:
            return super().cli(args, **kwargs)
        finally:
            if previous is None:
                del os.environ[KEEP_OPEN_VARIABLE]
            else:
                os.environ[KEEP_OPEN_VARIABLE] = previous


def dbt_cli() -> DbtCliResource:
    """The dbt CLI installed beside this Python, whether or not its folder is on PATH."""
    return PerfgovDbtCliResource(
        project_dir=perfgov_dbt_project(),
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )


def manifest_is_stale(project: DbtProject) -> bool:
    """Whether a dbt file changed since the manifest was written.

    The walk skips dbt's own output folders (target, logs) without entering them: they are
    not sources, and a target folder that held a folder per close (dagster-dbt's default)
    reached 32,000 files, which this check used to resolve one by one (seconds per close).
    """
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    project_dir = Path(project.project_dir)
    outputs = {(project_dir / project.target_path).resolve(), (project_dir / "logs").resolve()}
    for folder, subfolders, files in os.walk(project_dir):
        subfolders[:] = [d for d in subfolders if Path(folder, d).resolve() not in outputs]
        for name in files:
            path = Path(folder, name)
            if path.suffix in _DBT_SOURCE_SUFFIXES and path.stat().st_mtime > built:
                return True
    return False


def ensure_manifest() -> Path:
    """Parse the dbt project if its manifest is missing or older than any dbt file."""
    project = perfgov_dbt_project()
    if manifest_is_stale(project):
        dbt_cli().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return Path(project.manifest_path)
