"""When the close re-parses the dbt project: fast, no dbt run."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from dagster_project.transform.project import KEEP_OPEN_VARIABLE, dbt_cli, manifest_is_stale


def _project(root: Path) -> SimpleNamespace:
    (root / "models").mkdir(parents=True)
    (root / "models" / "payouts.sql").write_text("select 1", encoding="utf-8")
    (root / "target").mkdir()
    manifest = root / "target" / "manifest.json"
    manifest.write_text("{}", encoding="utf-8")
    return SimpleNamespace(project_dir=root, target_path="target", manifest_path=manifest)


def _touch_after_manifest(path: Path, project: SimpleNamespace) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("select 2", encoding="utf-8")
    later = Path(project.manifest_path).stat().st_mtime + 10
    os.utime(path, (later, later))


def test_a_changed_model_makes_the_manifest_stale(tmp_path: Path) -> None:
    project = _project(tmp_path / "dbt")
    assert not manifest_is_stale(project)
    _touch_after_manifest(tmp_path / "dbt" / "models" / "payouts.sql", project)
    assert manifest_is_stale(project)


def test_dbt_outputs_and_missing_manifest(tmp_path: Path) -> None:
    project = _project(tmp_path / "dbt")
    # What dbt writes (compiled SQL of a close, its logs) is not a source.
    _touch_after_manifest(tmp_path / "dbt" / "target" / "run-1" / "compiled" / "a.sql", project)
    _touch_after_manifest(tmp_path / "dbt" / "logs" / "x.yml", project)
    assert not manifest_is_stale(project)
    Path(project.manifest_path).unlink()
    assert manifest_is_stale(project)


def test_dbt_subprocess_keeps_duckdb_open_and_no_adapter_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close's dbt subprocess gets the keep-open variable (profiles.yml) and this process
    does not: an in-process dbt (tests) must still close the warehouse. No dbt adapter is
    loaded here (seconds of start-up for features perfgov does not use)."""
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    started: dict = {}

    def run(**kwargs):  # instead of starting dbt
        started.update(kwargs)
        return SimpleNamespace()

    monkeypatch.setattr(DbtCliInvocation, "run", staticmethod(run))
    monkeypatch.delenv(KEEP_OPEN_VARIABLE, raising=False)
    # A profile that renders: dagster-dbt's adapter would load (not fail and be None).
    monkeypatch.setenv("PERFGOV_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    dbt_cli().cli(["build"], target_path=tmp_path / "target")
    assert started["env"][KEEP_OPEN_VARIABLE] == "True"
    assert KEEP_OPEN_VARIABLE not in os.environ
    assert started["adapter"] is None
    monkeypatch.setenv(KEEP_OPEN_VARIABLE, "False")
    dbt_cli().cli(["build"], target_path=tmp_path / "target")
    assert started["env"][KEEP_OPEN_VARIABLE] == "True"
    assert os.environ[KEEP_OPEN_VARIABLE] == "False"
