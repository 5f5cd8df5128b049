"""The close's Dagster run history skips SQLite's disk waits only while the close runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from dagster_project.run_history import unsynced_run_history

_FULL, _OFF = 2, 0  # SQLite's PRAGMA synchronous values


def _synchronous(path: Path) -> int:
    # As Dagster's SQLite storage connects: a new engine without a pool, per event.
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    with engine.connect() as conn:
        value = conn.execute(text("PRAGMA synchronous")).scalar_one()
    engine.dispose()
    return value


def test_only_connections_opened_during_the_close_skip_the_disk_wait(tmp_path: Path) -> None:
    history = tmp_path / "run.db"
    assert _synchronous(history) == _FULL
    with unsynced_run_history():
        assert _synchronous(history) == _OFF
    assert _synchronous(history) == _FULL
