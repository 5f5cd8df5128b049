"""Crash safety of the ingest step: a load that fails or is killed half-way, then run again,
gives exactly the raw tables a clean run gives.

Each file's load is one DuckDB transaction (``loader.load_source_file``): a failure inside
it, or a SIGKILL of the process, leaves that file's previous rows, and running the step
again replaces them. Compared here table by table (raw tables, quarantine, file log), row for
row, with the same ``loaded_at``. The close itself (killed at any point, certified outputs
unchanged, the next close needing no cleanup) is tests/test_certification.py.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.contracts import SOURCES
from dagster_project.ingest.loader import load_source_file
from dagster_project.settings import PROJECT_ROOT, SAMPLE_LANDING

PERIOD = "2026-10"
LOADED_AT = dt.datetime(2026, 11, 2, 6, 0)
FAILING_SOURCE = SOURCES[5].name  # the 6th of 13: some loaded before it, some after


class FailingConnection:
    """A DuckDB connection that fails once, on the quarantine insert of one source: inside
    the load's transaction, after its raw rows were replaced (the worst moment)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, source: str, fail) -> None:
        self._conn, self._source, self._fail = conn, source, fail
        self.armed = True

    def execute(self, sql: str, parameters=None):
        if (
            self.armed
            and sql.startswith("INSERT INTO raw.quarantine")
            and parameters
            and parameters[1] == self._source
        ):
            self.armed = False
            self._fail()
        return self._conn.execute(sql, parameters)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def load_drop(conn, landing: Path = SAMPLE_LANDING) -> None:
    for source in SOURCES:
        load_source_file(conn, source, landing, PERIOD, loaded_at=LOADED_AT)


def differences(a: Path, b: Path) -> dict[str, tuple[int, int, int]]:
    """Per raw table: (rows in a, rows in b, rows not in both), for tables that differ."""
    conn = duckdb.connect()
    try:
        conn.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        conn.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT table_name FROM duckdb_tables() "
                "WHERE schema_name = 'raw' ORDER BY 1"
            ).fetchall()
        ]
        assert len(tables) == len(SOURCES) + 2  # + quarantine, source_file_log
        found = {}
        for table in tables:
            count_a, count_b = (
                conn.execute(f"SELECT count(*) FROM {db}.raw.{table}").fetchone()[0]
                for db in ("a", "b")
            )
            apart = conn.execute(
                f"SELECT count(*) FROM ((SELECT * FROM a.raw.{table} EXCEPT ALL "
                f"SELECT * FROM b.raw.{table}) UNION ALL (SELECT * FROM b.raw.{table} "
                f"EXCEPT ALL SELECT * FROM a.raw.{table}))"
            ).fetchone()[0]
            if apart or count_a != count_b:
                found[table] = (count_a, count_b, apart)
        return found
    finally:
        conn.close()


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        load_drop(conn)
    return path


def test_a_load_failing_inside_its_transaction_then_run_again_equals_a_clean_run(
    clean_warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"

    def disk_full() -> None:
        raise OSError("No space left on device (simulated)")

    with duckdb.connect(str(path)) as conn:
        failing = FailingConnection(conn, FAILING_SOURCE, disk_full)
        with pytest.raises(OSError, match="simulated"):
            load_drop(failing)
        assert not failing.armed
        # The failed file left nothing: its raw rows were replaced inside the transaction.
        count = conn.execute(f"SELECT count(*) FROM raw.{FAILING_SOURCE}").fetchone()[0]
        assert count == 0
        logged = conn.execute("SELECT source FROM raw.source_file_log ORDER BY 1").fetchall()
        assert [s for (s,) in logged] == sorted(s.name for s in SOURCES[:5])
        load_drop(conn)  # the step, run again
    assert differences(clean_warehouse, path) == {}


def test_a_failed_reload_keeps_the_previous_load_whole(
    clean_warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        load_drop(conn)

        def fail() -> None:
            raise RuntimeError("connection lost (simulated)")

        with pytest.raises(RuntimeError):
            load_drop(FailingConnection(conn, FAILING_SOURCE, fail))
    # Not one row of the failing file's previous load was lost or doubled.
    assert differences(clean_warehouse, path) == {}


# Loads the sample drop into a warehouse file and is killed (SIGKILL, by itself) inside the
# transaction of one source's load, after its raw rows were replaced.
KILLED_LOAD = """
import os, signal, sys
from pathlib import Path
import duckdb
sys.path.insert(0, sys.argv[3])
from tests.test_crash_safety import FailingConnection, load_drop
conn = duckdb.connect(sys.argv[1])
load_drop(FailingConnection(conn, sys.argv[2], lambda: os.kill(os.getpid(), signal.SIGKILL)))
"""


def test_a_load_killed_inside_its_transaction_then_run_again_equals_a_clean_run(
    clean_warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_LOAD, str(path), FAILING_SOURCE, str(PROJECT_ROOT)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    with duckdb.connect(str(path)) as conn:  # DuckDB replays its WAL: committed loads only
        loaded = conn.execute("SELECT count(*) FROM raw.source_file_log").fetchone()[0]
        assert loaded == 5
        assert conn.execute(f"SELECT count(*) FROM raw.{FAILING_SOURCE}").fetchone()[0] == 0
        load_drop(conn)
    assert differences(clean_warehouse, path) == {}
