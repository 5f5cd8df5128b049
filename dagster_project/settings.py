"""Where perfgov reads its sources and writes its outputs.

Two folders matter: the landing root (the exports as the sources send them; read-only for
us) and the home (the warehouse, the Dagster instance, and later the certified outputs).
Both come from the command line, else ``PERFGOV_LANDING`` / ``PERFGOV_HOME``, else the
bundled sample and ``./.perfgov``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .engines import CLOSE_TARGETS, TARGET_ENV, target_name

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
SAMPLE_LANDING = PACKAGE_DIR / "sample" / "landing"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DBT_DUCKDB_CONFIG = PROJECT_ROOT / "config" / "dbt_duckdb.yaml"

PERIOD_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class SettingsError(ValueError):
    """A command-line argument (a period, a folder) that perfgov refuses before doing anything."""


class PeriodError(SettingsError):
    """A period argument that is not a calendar month written YYYY-MM."""


def validate_period(period: str) -> str:
    """Return ``period`` if it is ``YYYY-MM``; it also becomes part of paths, so be strict."""
    if not isinstance(period, str) or not PERIOD_PATTERN.fullmatch(period):
        raise PeriodError(f"period must be a month written YYYY-MM, got {period!r}")
    return period


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, symbolic links followed, is ``folder`` or lies under it."""
    resolved, root = path.resolve(), folder.resolve()
    return resolved == root or root in resolved.parents


@dataclass(frozen=True)
class Settings:
    landing: Path
    home: Path
    #: The engine dbt builds in (engines/): ``PERFGOV_TARGET`` / ``--target``, else duckdb.
    target: str = "duckdb"

    @classmethod
    def resolve(
        cls,
        landing: str | os.PathLike | None = None,
        home: str | os.PathLike | None = None,
        target: str | None = None,
    ) -> Settings:
        landing = landing or os.environ.get("PERFGOV_LANDING") or SAMPLE_LANDING
        home = home or os.environ.get("PERFGOV_HOME") or Path.cwd() / ".perfgov"
        settings = cls(
            landing=Path(landing).expanduser().resolve(),
            home=Path(home).expanduser().resolve(),
            target=target or target_name(),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse a landing or home that exists but is not a folder (a file, or a symbolic
        link to one), naming it, before anything is read or written.

        Both paths are already resolved (symbolic links followed): the checks are on the
        folders actually used. Paths built under them stay inside them: the period is
        ``validate_period``'s ``YYYY-MM``, and a source file that is a link leading out of
        the landing is refused by the loader (``is_inside``).
        """
        for name, path in (("landing", self.landing), ("home", self.home)):
            if path.exists() and not path.is_dir():
                raise SettingsError(f"{name} {path} is not a folder")
        if self.target not in CLOSE_TARGETS:
            raise SettingsError(
                f"target {self.target!r}: a close runs on {', '.join(CLOSE_TARGETS)} "
                "(README, 'Running on PostgreSQL, Spark or another warehouse')"
            )

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def export_environment(self) -> None:
        """Make these settings the process's, for Dagster definitions and dbt subprocesses."""
        os.environ["PERFGOV_LANDING"] = str(self.landing)
        os.environ["PERFGOV_HOME"] = str(self.home)
        os.environ["PERFGOV_WAREHOUSE"] = str(self.warehouse)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        os.environ[TARGET_ENV] = self.target  # dbt/profiles.yml picks its output by it
        if self.target == "spark":  # the Spark catalog and warehouse of this home
            os.environ["PERFGOV_SPARK_DIR"] = str(self.home / "spark")
        for name, value in dbt_duckdb_environment(self.home).items():
            os.environ.setdefault(name, value)

    def prepare_home(self) -> None:
        """Create the home folders and a Dagster instance config (telemetry off: offline)."""
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        config = self.dagster_home / "dagster.yaml"
        if not config.exists():
            config.write_text("telemetry:\n  enabled: false\n")


def dbt_duckdb_environment(home: Path) -> dict[str, str]:
    """The ``PERFGOV_DBT_*`` variables dbt/profiles.yml reads: what the dbt build's DuckDB
    may use (config/dbt_duckdb.yaml), the spill folder inside ``home``."""
    import yaml  # only a close reads it

    config = yaml.safe_load(DBT_DUCKDB_CONFIG.read_text(encoding="utf-8"))
    return {
        "PERFGOV_DBT_MEMORY_LIMIT": str(config["memory_limit"]),
        "PERFGOV_DBT_DUCKDB_THREADS": str(int(config["duckdb_threads"])),
        "PERFGOV_DBT_THREADS": str(int(config["dbt_threads"])),
        "PERFGOV_DBT_PRESERVE_INSERTION_ORDER": str(
            bool(config["preserve_insertion_order"])
        ).lower(),
        "PERFGOV_DBT_TEMP_DIRECTORY": str(home / config["temp_directory"]),
    }
