"""When the close re-parses the dbt project: fast, no dbt run."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from dagster_project.transform.project import manifest_is_stale


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
