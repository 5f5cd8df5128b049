"""Certification: one close at a time, copies finance can read at any time, and a killed
close that leaves nothing behind.

Fast tests hold the home's close lock (or DuckDB's lock on the warehouse) from a helper
process. The slow ones use the session's history (conftest ``closed_history``: 2026-08, -09
and -10 certified) and, on a copy of its home, run closes as subprocesses
(``python -m dagster_project.cli close ...``): restatements of 2026-10 killed with SIGKILL
at four points (ingestion, validation, dbt, publication), then, with no cleanup, one that
succeeds while another process reads the consumer copy and two more closes are refused
(fixture ``restated``, shared by the tests at the end).

A subprocess close takes about 45 s: the module takes about three minutes on top of the
session's history.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.certify.lock import LOCK_FILE, LockHeld, close_lock
from dagster_project.certify.publish import (
    CERTIFIED_TABLES,
    LINE_LEVEL_SHEET,
    LINE_LEVEL_TABLES,
    WORKBOOK_TABLES,
)
from dagster_project.cli import main
from dagster_project.settings import PROJECT_ROOT
from tests.conftest import HISTORY, tree_hashes

PERIOD = HISTORY[-1]  # the period the slow tests restate
CLOSE_TIMEOUT = 300  # seconds a subprocess close may take before the test gives up

# Holds the close lock of a home (argv: home, period) until it is killed.
HOLD_CLOSE_LOCK = """
import sys, time
from pathlib import Path
from dagster_project.certify.lock import close_lock
with close_lock(Path(sys.argv[1]), sys.argv[2]):
    print("locked", flush=True)
    time.sleep(600)
"""

# Holds DuckDB's own write lock on a database file (argv: path) until it is killed.
HOLD_WAREHOUSE = """
import sys, time
import duckdb
conn = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(600)
"""

# What finance does: open the consumer copy read-only, read, try to write (argv: path).
READ_CONSUMER_COPY = """
import json, sys
import duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
payouts = conn.execute(
    "SELECT period, employee_id, status, CAST(payout_eur AS VARCHAR) "
    "FROM incentive_payouts_in_force ORDER BY period, employee_id"
).fetchall()
versions = conn.execute("SELECT period, version FROM publications_in_force ORDER BY 1").fetchall()
try:
    conn.execute("CREATE TABLE intruder (x INTEGER)")
    write = "allowed"
except duckdb.Error as exc:
    write = str(exc).splitlines()[0]
print(json.dumps({"payouts": payouts, "versions": versions, "write": write}))
"""

# Reads the consumer copy in a loop until the file argv[2] exists; one JSON line per read.
READ_IN_A_LOOP = """
import json, sys, time
from pathlib import Path
import duckdb
copy, stop, period = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
while not stop.exists():
    started = time.time()
    try:
        with duckdb.connect(copy, read_only=True) as conn:
            version, rows, total = conn.execute(
                "SELECT p.version, count(*), CAST(sum(t.payout_eur) AS VARCHAR) "
                "FROM incentive_payouts_in_force AS t JOIN publications_in_force AS p "
                "USING (publication_id) WHERE t.period = ? GROUP BY p.version",
                [period],
            ).fetchall()[0]
        line = {"at": started, "ok": True, "version": version, "rows": rows, "total": total}
    except Exception as exc:
        line = {"at": started, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(line), flush=True)
    time.sleep(0.2)
"""

# A close (perfgov's own command line) that stops at a named point (PERFGOV_TEST_STOP)
# until it is killed: after the 5th of 13 source files is loaded ("ingestion") or the 5th
# of 13 raw tables is validated ("validation"). "publication" is the product's own hook
# (PERFGOV_TEST_PAUSE_AT, certify/publish.py); "dbt" needs none: the test watches the log.
STOPPING_CLOSE = """
import os, sys, time
import dagster_project.ingest.assets as ingest
import dagster_project.quality.checks as checks
from dagster_project.cli import main

POINT = os.environ.get("PERFGOV_TEST_STOP", "")


def stop_after(module, name, calls):
    original, seen = getattr(module, name), []

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        seen.append(name)
        if len(seen) == calls:
            print(f"perfgov-test: paused at {POINT}", file=sys.stderr, flush=True)
            time.sleep(3600)
        return result

    setattr(module, name, wrapper)


if POINT == "ingestion":
    stop_after(ingest, "load_source_file", 5)
elif POINT == "validation":
    stop_after(checks, "validate_raw_table", 5)
sys.exit(main(sys.argv[1:]))
"""


# ---------------------------------------------------------------------------- helpers


def child_env(**extra: str) -> dict[str, str]:
    """This environment without the perfgov/Dagster locations an in-process close set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERFGOV_", "DAGSTER_"))}
    env.update(extra)
    return env


def python(script: str, *args: str | Path) -> list[str]:
    return [sys.executable, "-c", script, *map(str, args)]


def perfgov(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "dagster_project.cli", *map(str, args)]


def start(argv: list[str], out: Path, **env: str) -> subprocess.Popen:
    """A process in its own session (so that killing its group kills its dbt too)."""
    with open(out.with_suffix(".out"), "wb") as stdout, open(out.with_suffix(".err"), "wb") as err:
        return subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=child_env(**env),
            stdout=stdout,
            stderr=err,
            start_new_session=True,
        )


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(condition, what: str, process: subprocess.Popen | None = None, timeout=600):
    # Generous: it returns as soon as the condition holds, and a close that only reaches
    # its publication point after minutes on a loaded 2-core machine is slow, not wrong.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (status {process.returncode}) before {what}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def holding(script: str, *args: str | Path) -> subprocess.Popen:
    """A helper process that printed "locked": it holds what ``script`` takes."""
    process = subprocess.Popen(
        python(script, *args),
        cwd=PROJECT_ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    with process.stdout:
        assert process.stdout.readline().strip() == b"locked"
    return process


def copy_home(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def as_text(value) -> str:
    """A Parquet or xlsx value written as the CSV writes it (for comparing with it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()  # DuckDB's CSV writes true / false
    if isinstance(value, dt.datetime):
        return value.date().isoformat()  # xlsx holds dates as datetimes
    if isinstance(value, Decimal):
        return format(value, "f")  # 0.0000000000, not 0E-10
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value)


def same_number_or_text(csv_value: str, other: str) -> bool:
    try:
        return Decimal(csv_value) == Decimal(other)
    except ArithmeticError:
        return csv_value == other


def publication_log(warehouse_or_copy: Path, table: str = "certified.publication_log") -> list:
    with duckdb.connect(str(warehouse_or_copy), read_only=True) as conn:
        return conn.execute(
            f"SELECT period, version, publication_id, supersedes, restatement_reason, run_id "
            f"FROM {table} WHERE period = ? ORDER BY version",
            [PERIOD],
        ).fetchall()


# ------------------------------------------------------------------------- the lock


def test_a_second_holder_is_refused_at_once_with_who_holds_the_home(tmp_path: Path) -> None:
    with close_lock(tmp_path, "2026-10"):
        started = time.monotonic()
        with pytest.raises(LockHeld) as refused, close_lock(tmp_path, "2026-11"):
            pass
        assert time.monotonic() - started < 2
    assert re.fullmatch(
        rf"another close is running on this home {re.escape(str(tmp_path))} "
        rf"\(pid {os.getpid()}, period 2026-10, since \d{{4}}-\d\d-\d\dT[\d:]{{8}}[+-][\d:]+\); "
        "nothing changed: try again when it has finished",
        str(refused.value),
    ), str(refused.value)
    # Released: the lock can be taken again, and the file names nobody.
    with close_lock(tmp_path, "2026-11"):
        pass
    assert (tmp_path / LOCK_FILE).read_text() == ""


def test_a_killed_close_leaves_no_lock_to_remove(tmp_path: Path) -> None:
    holder = holding(HOLD_CLOSE_LOCK, tmp_path, "2026-10")
    held = rf"\(pid {holder.pid}, period 2026-10, since "
    with pytest.raises(LockHeld, match=held), close_lock(tmp_path, "2026-11"):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    # The kernel released the lock with the process; its line is what remains of it.
    with close_lock(tmp_path, "2026-11") as crashed:
        assert (crashed["pid"], crashed["period"]) == (holder.pid, "2026-10")
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()


def test_perfgov_close_is_refused_while_the_home_is_locked_and_writes_nothing(
    tmp_path: Path, sample_landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    holder = holding(HOLD_CLOSE_LOCK, home, "2026-09")
    try:
        started = time.monotonic()
        status = main(["close", "2026-10", "--landing", str(sample_landing), "--home", str(home)])
        elapsed = time.monotonic() - started
        err = capsys.readouterr().err
        assert status == 2
        assert re.fullmatch(
            rf"perfgov: another close is running on this home {re.escape(str(home))} "
            rf"\(pid {holder.pid}, period 2026-09, since [^)]+\); "
            r"nothing changed: try again when it has finished\n",
            err,
        ), err
        assert elapsed < 5
        assert [p.name for p in home.iterdir()] == [LOCK_FILE]  # nothing else written
        assert json.loads((home / LOCK_FILE).read_text())["pid"] == holder.pid
    finally:
        kill(holder)


def test_a_warehouse_held_by_another_process_is_named_not_crashed_on(
    tmp_path: Path, sample_landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # E.g. the dbt of a close whose parent alone was killed, or a stray `dagster dev` run.
    home = tmp_path / "home"
    home.mkdir()
    holder = holding(HOLD_WAREHOUSE, home / "warehouse.duckdb")
    try:
        status = main(["close", "2026-10", "--landing", str(sample_landing), "--home", str(home)])
        err = capsys.readouterr().err
        assert status == 2
        assert err.startswith(
            f"perfgov: the warehouse {home / 'warehouse.duckdb'} is in use by another process "
            f"(pid {holder.pid}, "
        ), err
        assert err.endswith("nothing changed: try again when it has finished\n")
        assert len(err.splitlines()) == 1
    finally:
        kill(holder)


# ------------------------------------------------------------- what finance can read


@pytest.mark.slow
def test_the_consumer_copy_opens_read_only_elsewhere_and_equals_the_csv(closed_history) -> None:
    certified = closed_history.settings.home / "certified"
    copy = certified / "certified.duckdb"
    done = subprocess.run(
        python(READ_CONSUMER_COPY, copy),
        cwd=PROJECT_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(done.stdout)
    assert seen["versions"] == [[period, 1] for period in HISTORY]
    assert "read-only" in seen["write"], seen["write"]
    expected = []
    for period in HISTORY:
        header, rows = read_csv(certified / period / "incentive_payouts.csv")
        columns = [header.index(c) for c in ("period", "employee_id", "status", "payout_eur")]
        expected += [[row[i] or None for i in columns] for row in rows]
    assert seen["payouts"] == sorted(expected, key=lambda r: (r[0], r[1]))
    # A read-only file, whole (no WAL beside it), and no temporary file left in the folder.
    assert copy.stat().st_mode & 0o777 == 0o444
    assert sorted(p.name for p in certified.iterdir()) == sorted([*HISTORY, "certified.duckdb"])


@pytest.mark.slow
@pytest.mark.parametrize("period", HISTORY)
def test_parquet_and_the_workbook_hold_exactly_the_csv_rows(closed_history, period) -> None:
    from openpyxl import load_workbook

    folder = closed_history.settings.home / "certified" / period
    workbook = load_workbook(folder / f"certified_{period}.xlsx", read_only=True)
    assert workbook.sheetnames == [*WORKBOOK_TABLES, LINE_LEVEL_SHEET]
    assert set(WORKBOOK_TABLES) | set(LINE_LEVEL_TABLES) == set(CERTIFIED_TABLES)
    # The line-level tables are not in the workbook: its last sheet says where they are.
    index = list(workbook[LINE_LEVEL_SHEET].iter_rows(values_only=True))
    assert index[0][:4] == ("table_name", "row_count", "csv_file", "parquet_file")
    assert [row[:4] for row in index[1:]] == [
        (t, len(read_csv(folder / f"{t}.csv")[1]), f"{t}.csv", f"{t}.parquet")
        for t in LINE_LEVEL_TABLES
    ]
    for table in CERTIFIED_TABLES:
        header, rows = read_csv(folder / f"{table}.csv")
        assert rows or table == "payout_holds", table  # a period may hold no payout
        with duckdb.connect() as conn:
            cursor = conn.execute(
                "SELECT * FROM read_parquet(?)", [str(folder / f"{table}.parquet")]
            )
            assert [d[0] for d in cursor.description] == header
            assert [[as_text(v) for v in row] for row in cursor.fetchall()] == rows, table
        if table in LINE_LEVEL_TABLES:
            continue
        sheet = list(workbook[table].iter_rows(values_only=True))
        assert list(sheet[0]) == header
        assert len(sheet) - 1 == len(rows)
        for row, want in zip(sheet[1:], rows, strict=True):
            got = [as_text(v) for v in row]
            assert all(map(same_number_or_text, want, got)), (table, want, got)
    workbook.close()


# ------------------------------- killed closes, then a restatement with a reader and rivals


def dbt_build_in(group: int) -> int | None:
    """The pid of the ``dbt build`` in process group ``group``, if one is running."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # ended meanwhile
            continue
        in_group = int(stat[stat.rindex(b")") + 2 :].split()[2]) == group
        if in_group and any(part.endswith(b"/dbt") for part in command) and b"build" in command:
            return int(entry.name)
    return None


def reached(point: str, close: subprocess.Popen, err: Path):
    """When the close has reached ``point``: it stops there, except dbt, which runs on (the
    close's log is written in large chunks: it is no clock). dbt counts as reached when
    its ``dbt build`` has run for 12 s (start-up takes about 7) and is still running."""
    if point == "dbt":
        first_seen: list[float] = []

        def dbt_is_building() -> bool:
            if dbt_build_in(close.pid) is None:
                assert not first_seen, "dbt build ended before it could be killed"
                return False
            first_seen[:] = first_seen or [time.monotonic()]
            return time.monotonic() - first_seen[0] >= 12

        return dbt_is_building
    marker = f"perfgov-test: paused at {point}".encode()
    return lambda: err.exists() and marker in err.read_bytes()


KILL_POINTS = ("ingestion", "validation", "dbt", "publication")


@dataclass
class Killed:
    point: str
    pid: int
    status: int | None  # -9: it was killed, not ended
    certified: dict  # hashes of every file under certified/ after the kill
    versions: list  # versions of the period in the warehouse after the kill
    lock_left_by: dict  # what the next holder of the close lock found in it


@dataclass
class Restated:
    home: Path
    before: dict  # hashes of every file under certified/, before anything
    kills: list = field(default_factory=list)
    status: int = -1  # of the restatement that followed, with no cleanup in between
    started: float = 0.0
    ended: float = 0.0
    restate_pid: int = 0
    rivals: list = field(default_factory=list)  # (argv tail, status, stderr, seconds)
    rival_window: tuple = ()  # hashes of certified/ just before and after the rivals
    restate_running_after_rivals: bool = False
    dbt_window: tuple = ()  # a time span when the close's dbt held the working warehouse
    reads: list = field(default_factory=list)
    stderr: str = ""  # of the restatement


def kill_a_close_at(point: str, home: Path, where: tuple, out: Path) -> Killed:
    """Restate the period in a subprocess, SIGKILL it (and its dbt) at ``point``."""
    close = start(
        python(STOPPING_CLOSE, "close", PERIOD, "--restate", "--reason", "killed", *where),
        out,
        PERFGOV_TEST_STOP=point,
        PERFGOV_TEST_PAUSE_AT=point,
    )
    try:
        wait_for(reached(point, close, out.with_suffix(".err")), point, close)
        assert point != "dbt" or dbt_build_in(close.pid) is not None
    finally:
        kill(close)
    certified = tree_hashes(home / "certified")
    versions = [row[1] for row in publication_log(home / "warehouse.duckdb")]
    with close_lock(home, PERIOD) as left:  # free at once: no person needed
        pass
    return Killed(point, close.pid, close.returncode, certified, versions, left)


@pytest.fixture(scope="module")
def restated(closed_history, sample_landing, tmp_path_factory) -> Restated:
    """A copy of the history home where four restatements of 2026-10 were killed, each at
    another point; then, with no cleanup, a restatement that runs while a second process
    reads the consumer copy in a loop and two other closes are tried."""
    work = tmp_path_factory.mktemp("restated")
    home = copy_home(closed_history.settings.home, work / "home")
    certified = home / "certified"
    result = Restated(home=home, before=tree_hashes(certified))
    where = ("--landing", sample_landing, "--home", home)
    for point in KILL_POINTS:
        result.kills.append(kill_a_close_at(point, home, where, work / f"killed-at-{point}"))

    stop = work / "stop-reading"
    copy = certified / "certified.duckdb"
    reader = start(python(READ_IN_A_LOOP, copy, stop, PERIOD), work / "reader")
    result.started = time.time()
    close = start(
        perfgov("close", PERIOD, "--restate", "--reason", "test: restated", *where), work / "close"
    )
    result.restate_pid = close.pid
    try:
        # Mid-close: dbt is building (it holds the working warehouse).
        wait_for(lambda: dbt_build_in(close.pid) is not None, "dbt", close)
        dbt_seen = time.time()
        window = [tree_hashes(certified)]
        for args in (
            ("close", PERIOD, "--restate", "--reason", "a second restatement"),
            ("close", "2026-09"),
        ):
            started = time.monotonic()
            rival = subprocess.run(
                perfgov(*args, *where),
                cwd=PROJECT_ROOT,
                env=child_env(),
                capture_output=True,
                text=True,
                timeout=60,
            )
            result.rivals.append((args, rival.returncode, rival.stderr, time.monotonic() - started))
        window.append(tree_hashes(certified))
        result.rival_window = tuple(window)
        result.restate_running_after_rivals = close.poll() is None
        time.sleep(1)
        if dbt_build_in(close.pid) is not None:  # dbt held the warehouse all along
            result.dbt_window = (dbt_seen, time.time())
        result.status = close.wait(timeout=CLOSE_TIMEOUT)
        result.ended = time.time()
        time.sleep(1)  # a few reads of the new publication
    finally:
        kill(close)
        stop.touch()
        try:
            reader.wait(timeout=30)
        finally:
            kill(reader)
    result.reads = [json.loads(line) for line in (work / "reader.out").read_text().splitlines()]
    result.stderr = (work / "close.err").read_text()
    return result


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_close_killed_at_any_point_leaves_the_certified_outputs_as_they_were(
    restated, point: str
) -> None:
    killed = next(k for k in restated.kills if k.point == point)
    assert killed.status == -signal.SIGKILL
    # Every file under certified/, the consumer copy included, byte for byte as before.
    assert "certified.duckdb" in killed.certified
    assert killed.certified == restated.before
    assert killed.versions == [1]
    # The kernel released the lock with the process; its line is all that remained.
    assert killed.lock_left_by["pid"] == killed.pid


@pytest.mark.slow
def test_the_next_close_after_the_kills_needs_no_cleanup(restated) -> None:
    assert restated.status == 0, restated.stderr
    certified = restated.home / "certified"
    assert not [p.name for p in certified.iterdir() if p.name.startswith(".")]  # no leftovers
    assert [row[1] for row in publication_log(restated.home / "warehouse.duckdb")] == [1, 2]


@pytest.mark.slow
def test_a_second_close_fails_fast_with_the_holder_and_changes_nothing(restated) -> None:
    assert restated.rivals, "the rival closes did not run"
    for args, status, stderr, seconds in restated.rivals:
        assert status == 2, (args, stderr)
        assert re.fullmatch(
            rf"perfgov: another close is running on this home {re.escape(str(restated.home))} "
            rf"\(pid {restated.restate_pid}, period {PERIOD}, since [^)]+\); "
            r"nothing changed: try again when it has finished\n",
            stderr,
        ), stderr
        assert seconds < 10, args  # a Python start-up, not a close
    before, after = restated.rival_window
    assert before == after == restated.before
    assert restated.restate_running_after_rivals


@pytest.mark.slow
def test_finance_reads_the_consumer_copy_from_another_process_during_a_close(restated) -> None:
    assert restated.status == 0
    failed = [read for read in restated.reads if not read["ok"]]
    assert failed == []
    during = [r for r in restated.reads if restated.started < r["at"] < restated.ended]
    assert len(during) >= 20, len(during)  # a close is ~45 s; a read every ~0.3 s
    # ... some of them while dbt held the working warehouse, which nobody else can open.
    assert restated.dbt_window, "dbt was not seen running long enough"
    start, end = restated.dbt_window
    assert [r for r in restated.reads if start < r["at"] < end]
    _, rows = read_csv(restated.home / "certified" / PERIOD / "incentive_payouts.csv")
    total = sum((Decimal(row[-1]) for row in rows if row[-1]), Decimal(0))
    # Every read saw a whole publication: version 1 until the swap, then version 2 (same
    # figures: same inputs), never a mix.
    versions = [r["version"] for r in restated.reads]
    assert versions == sorted(versions) and versions[0] == 1 and versions[-1] == 2
    assert {(r["rows"], Decimal(r["total"])) for r in restated.reads} == {(len(rows), total)}


@pytest.mark.slow
def test_a_restatement_is_version_2_naming_version_1_which_stays_readable(restated) -> None:
    home = restated.home
    log = publication_log(home / "warehouse.duckdb")
    assert [(period, version) for period, version, *_ in log] == [(PERIOD, 1), (PERIOD, 2)]
    first, second = log
    assert second[3] == first[2] and second[4] == "test: restated"
    assert publication_log(home / "certified" / "certified.duckdb", "publication_log") == log
    certificate = json.loads((home / "certified" / PERIOD / "certificate.json").read_text())
    assert certificate["run_id"] == second[5]
    assert certificate["supersedes"] == first[2]
    assert certificate["restatement_reason"] == "test: restated"
    with duckdb.connect(str(home / "certified" / "certified.duckdb"), read_only=True) as conn:
        per_version = conn.execute(
            "SELECT publication_id, count(*) FROM incentive_payouts WHERE period = ? GROUP BY 1",
            [PERIOD],
        ).fetchall()
        in_force = conn.execute(
            "SELECT DISTINCT publication_id FROM incentive_payouts_in_force WHERE period = ?",
            [PERIOD],
        ).fetchall()
    assert dict(per_version).keys() == {first[2], second[2]}
    assert len(set(dict(per_version).values())) == 1
    assert in_force == [(second[2],)]


@pytest.mark.slow
def test_the_auditor_pack_shows_every_run_of_the_period(restated) -> None:
    """Both publications' runs and every killed run that reached a gate are in the pack,
    each with its own validation results, none overwritten."""
    audit = restated.home / "audit" / PERIOD
    pack = (audit / "index.html").read_text()
    first, second = publication_log(restated.home / "warehouse.duckdb")
    runs = sorted(p.name for p in (audit / "validations").iterdir() if p.is_dir())
    assert first[5] in runs and second[5] in runs
    assert len(runs) >= 4  # + the closes killed at validation, dbt and publication
    for run_id in runs:
        assert f"Run <code>{run_id}</code>" in pack
        evidence = sorted((audit / "validations" / run_id).glob("*.json"))
        assert evidence
        for path in evidence:
            assert f"validations/{run_id}/{path.name}" in pack
    # The two publications' runs are recorded: certified, with their publication ids.
    assert first[2] in pack and second[2] in pack
    assert pack.index(f"Run <code>{second[5]}</code>") < pack.index(f"Run <code>{first[5]}</code>")


@pytest.mark.slow
def test_the_same_inputs_give_byte_identical_exports(restated) -> None:
    """Version 2 was computed again from the same drop and code: its CSV, Parquet and xlsx
    files are byte for byte those of version 1; only the certificate differs."""
    after = tree_hashes(restated.home / "certified")
    data_files = {
        path
        for path in restated.before
        if path.startswith(f"{PERIOD}/") and not path.endswith(".json")
    }
    assert {Path(p).suffix for p in data_files} == {".csv", ".parquet", ".xlsx"}
    assert {p: after[p] for p in data_files} == {p: restated.before[p] for p in data_files}
    certificate = f"{PERIOD}/certificate.json"
    assert after[certificate] != restated.before[certificate]
    # Earlier periods were not touched.
    for path, digest in restated.before.items():
        if not path.startswith(f"{PERIOD}/") and path != "certified.duckdb":
            assert after[path] == digest, path


def test_exports_are_current_only_for_the_publication_in_force(tmp_path: Path) -> None:
    import json as json_

    from dagster_project.certify.publish import ensure_certified_schema, exports_are_current

    conn = duckdb.connect()
    ensure_certified_schema(conn)
    certified = tmp_path / "certified"
    assert not exports_are_current(conn, "2026-10", certified)  # never published
    conn.execute(
        "INSERT INTO certified.publication_log VALUES "
        "('p1', '2026-10', 1, 'run-1', now()::TIMESTAMP, NULL, NULL, '{}')"
    )
    assert not exports_are_current(conn, "2026-10", certified)  # published, not exported
    (certified / "2026-10").mkdir(parents=True)
    (certified / "2026-10/certificate.json").write_text(json_.dumps({"run_id": "run-1"}))
    assert exports_are_current(conn, "2026-10", certified)
    conn.execute(
        "INSERT INTO certified.publication_log VALUES "
        "('p2', '2026-10', 2, 'run-2', now()::TIMESTAMP, 'p1', 'fix', '{}')"
    )
    assert not exports_are_current(conn, "2026-10", certified)  # restated since the export


def test_a_column_a_mart_gains_is_added_to_its_certified_table(monkeypatch) -> None:
    """A later version of the code adds a column to a certified mart: the next publication
    adds it to the certified table; earlier publications keep their rows, empty there."""
    from dagster_project.certify import publish

    monkeypatch.setattr(
        publish, "CERTIFIED_TABLES", {"incentive_payouts": ("marts.payouts", "employee_id")}
    )
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA marts")
    conn.execute(
        "CREATE TABLE marts.payouts AS SELECT '2026-09' AS period, 'E1' AS employee_id, "
        "10.00::DECIMAL(18, 2) AS payout_eur"
    )
    publish.publish_period(conn, "2026-09", "run-1", {})
    conn.execute(
        "CREATE OR REPLACE TABLE marts.payouts AS SELECT '2026-10' AS period, 'E1' AS "
        "employee_id, 12.00::DECIMAL(18, 2) AS payout_eur, 1000::DECIMAL(18, 2) AS quota_eur"
    )
    publish.publish_period(conn, "2026-10", "run-2", {})
    rows = conn.execute(
        "SELECT period, payout_eur, quota_eur FROM certified.incentive_payouts ORDER BY period"
    ).fetchall()
    assert rows == [
        ("2026-09", Decimal("10.00"), None),
        ("2026-10", Decimal("12.00"), Decimal("1000.00")),
    ]


def test_the_consumer_copy_appends_new_publications_and_is_rebuilt_when_it_differs(
    monkeypatch, tmp_path: Path
) -> None:
    """Each close appends its publication to a copy of the previous consumer copy (the cost
    of a close stays that of its period); a copy whose columns differ from the warehouse's,
    or that is damaged, is rebuilt whole. Either way it holds exactly the certified rows."""
    from dagster_project.certify import consumer_copy, publish

    monkeypatch.setattr(
        publish, "CERTIFIED_TABLES", {"incentive_payouts": ("marts.payouts", "employee_id")}
    )
    tables = {t: publish.CONSUMER_TABLES[t] for t in ("publication_log", "incentive_payouts")}
    rebuilds = []
    whole = consumer_copy._copy_tables
    monkeypatch.setattr(
        consumer_copy,
        "_copy_tables",
        lambda conn, t, *exported: rebuilds.append(1) or whole(conn, t, *exported),
    )
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("CREATE SCHEMA marts")
    certified = tmp_path / "certified"

    def publish_and_copy(period: str, extra: str = "") -> list:
        conn.execute(
            f"CREATE OR REPLACE TABLE marts.payouts AS SELECT '{period}' AS period, "
            f"unnest(['E1', 'E2']) AS employee_id, 10.00::DECIMAL(18, 2) AS payout_eur{extra}"
        )
        publish.publish_period(conn, period, f"run-{period}", {})
        copy = consumer_copy.write_consumer_copy(conn, certified, tables)
        assert copy.stat().st_mode & 0o777 == 0o444
        with duckdb.connect(str(copy), read_only=True) as reader:
            got = {
                t: sorted(reader.execute(f"SELECT * FROM {t}").fetchall(), key=str) for t in tables
            }
            in_force = reader.execute("SELECT count(*) FROM incentive_payouts_in_force")
            assert in_force.fetchone()[0] == 2 * len(got["publication_log"])
        want = {
            t: sorted(conn.execute(f"SELECT * FROM certified.{t}").fetchall(), key=str)
            for t in tables
        }
        assert got == want
        return rebuilds

    assert publish_and_copy("2026-08") == [1]  # no copy yet: built whole
    assert publish_and_copy("2026-09") == [1]  # appended
    assert publish_and_copy("2026-10", ", 1::INTEGER AS deals") == [1, 1]  # a new column
    (certified / "certified.duckdb").chmod(0o644)
    (certified / "certified.duckdb").write_bytes(b"not a database")
    assert publish_and_copy("2026-11", ", 2::INTEGER AS deals") == [1, 1, 1]  # damaged
    assert publish_and_copy("2026-12", ", 3::INTEGER AS deals") == [1, 1, 1]
    assert sorted(p.name for p in certified.iterdir()) == ["certified.duckdb"]


class _RecordingConnection:
    """A DuckDB connection that keeps the SQL it was given (to see what the copy read)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn, self.statements = conn, []

    def execute(self, sql: str, *args):
        self.statements.append(sql)
        return self.conn.execute(sql, *args)


def test_the_consumer_copy_reads_the_publication_just_exported_from_its_parquet_files(
    monkeypatch, tmp_path: Path
) -> None:
    """The publication just exported is appended from its Parquet files (sorted once, when
    exported) in the files' order; a copy lacking more than that publication takes them all
    from the warehouse. Either way each table holds the certified rows in its order."""
    from dagster_project.certify import consumer_copy, publish

    monkeypatch.setattr(
        publish, "CERTIFIED_TABLES", {"incentive_payouts": ("marts.payouts", "employee_id")}
    )
    tables = {t: publish.CONSUMER_TABLES[t] for t in ("publication_log", "incentive_payouts")}
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("CREATE SCHEMA marts")
    certified = tmp_path / "certified"

    def publish_period(period: str) -> publish.Publication:
        conn.execute(  # rows in the mart out of the certified order: E9, E8, ... E0
            f"CREATE OR REPLACE TABLE marts.payouts AS SELECT '{period}' AS period, "
            "'E' || (9 - i) AS employee_id, i::DECIMAL(18, 2) AS payout_eur FROM range(10) t(i)"
        )
        return publish.publish_period(conn, period, f"run-{period}", {})

    def copy_with_files_of(publication: publish.Publication) -> list[str]:
        parquet = tmp_path / f"{publication.period}.parquet"
        consumer_copy.write_parquet(
            conn,
            "SELECT * EXCLUDE (publication_id) FROM certified.incentive_payouts "
            f"WHERE publication_id = '{publication.publication_id}' ORDER BY employee_id",
            parquet,
        )
        exported = consumer_copy.ExportedPublication(
            publication.publication_id, {"incentive_payouts": parquet}
        )
        recording = _RecordingConnection(conn)
        copy = consumer_copy.write_consumer_copy(recording, certified, tables, exported)
        with duckdb.connect(str(copy), read_only=True) as reader:
            for table, order in tables.items():  # as stored: no ORDER BY
                stored = reader.execute(f"SELECT * FROM {table}").fetchall()
                want = conn.execute(f"SELECT * FROM certified.{table} ORDER BY {order}")
                assert stored == want.fetchall(), table
        return [sql for sql in recording.statements if "read_parquet" in sql]

    assert len(copy_with_files_of(publish_period("2026-08"))) == 1  # built whole, from file
    publish_period("2026-09")
    assert copy_with_files_of(publish_period("2026-10")) == []  # two lacking: the warehouse
    assert len(copy_with_files_of(publish_period("2026-11"))) == 1  # appended from the file
