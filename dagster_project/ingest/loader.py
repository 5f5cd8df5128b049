"""Loading: one file's typed rows into its raw table, its rejects into quarantine, atomically.

A period's load replaces that period's rows (and only them) in one transaction, so loading a
drop again gives the same table, and a load that fails half-way leaves the previous one.
Every load is logged in ``raw.source_file_log``: file, sha256 and the row counts that let
anyone check that rows in = rows loaded + rows quarantined (+ blank rows skipped).

Two ways in, same tables:

- **one pass** (``_load_clean_csv``), for large files (``one_pass_from`` in
  config/ingest.yaml): a well-formed CSV file is read, typed and inserted into its raw table
  by one statement inside the transaction. Only if some rows do not type is the file read
  a second time, for them. Why: staging every row first writes it twice, and at ten
  million opportunities the staged copy spills to disk under the ingest memory limit
  (Task.csv: 31 s staged, 20 s in one pass). For smaller files staging is faster: its copy
  is written by both cores, the one pass by one;
- **staged** (``staging``): smaller files, and anything the one pass cannot vouch for
  (``fast_csv``'s conditions: encoding, line ends, strict CSV, no blank record), which
  rolls its transaction back: staged first, by DuckDB's reader or the exact reader.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..settings import is_inside
from .casting import QUARANTINE_SCHEMA, TypedRecords, checked_sql
from .contracts import PROVENANCE_COLUMNS, SourceFile
from .duckdb_settings import configure_ingest_connection, ingest_settings
from .errors import SourceFileError
from .fast_csv import bytes_allow, file_sha256, plan_csv_fast, scan_bytes
from .staging import STAGED_QUARANTINE, STAGED_ROWS, drop_staged, stage_source_file

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS raw.quarantine (
    _period VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    _source_file VARCHAR NOT NULL,
    _source_sha256 VARCHAR NOT NULL,
    _source_row BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    record VARCHAR,
    _loaded_at TIMESTAMP NOT NULL
)"""

SOURCE_FILE_LOG_DDL = """
CREATE TABLE IF NOT EXISTS raw.source_file_log (
    _period VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    _source_file VARCHAR NOT NULL,
    _source_sha256 VARCHAR NOT NULL,
    file_bytes BIGINT NOT NULL,
    records_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    blank_rows_skipped BIGINT NOT NULL,
    _loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (_period, source)
)"""


def raw_table_ddl(source: SourceFile) -> str:
    """The raw table's DDL, from the contract: types are declared, never inferred."""
    columns = [f'"{f.name}" {f.sql_type}' for f in source.fields]
    columns += [f"{name} {sql_type}" for name, sql_type in PROVENANCE_COLUMNS]
    return (
        f"CREATE TABLE IF NOT EXISTS {source.raw_table} (\n    " + ",\n    ".join(columns) + "\n)"
    )


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection, sources: tuple[SourceFile, ...]) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    conn.execute(QUARANTINE_DDL)
    conn.execute(SOURCE_FILE_LOG_DDL)
    for source in sources:
        conn.execute(raw_table_ddl(source))


@dataclass(frozen=True)
class LoadSummary:
    """What one load did; safe for logs and asset metadata (no values, only counts)."""

    source: str
    period: str
    file: str
    sha256: str
    file_bytes: int
    records_read: int
    rows_loaded: int
    rows_quarantined: int
    blank_rows_skipped: int
    quarantine_reasons: dict[str, int]
    fast_path: bool  # read by DuckDB's CSV reader (fast_csv), not the exact reader


def _source_path(source: SourceFile, landing: Path, period: str) -> tuple[Path, str]:
    path = source.path(landing, period)
    file = source.relative_path(period)
    if path.is_symlink() and not is_inside(path, landing):
        # A link to a file elsewhere would make a close read (and hash, and keep in the
        # warehouse) something that was never delivered to the landing zone.
        raise SourceFileError(file, "is a link that leads out of the landing folder")
    return path, file


def _stage(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    landing: Path,
    period: str,
    fast: bool,
) -> LoadSummary:
    """Stage one file of the drop in ``conn`` (see ``staging``) and summarise it."""
    path, file = _source_path(source, landing, period)
    staged = stage_source_file(conn, source, path, file, fast=fast)
    ((rows_loaded,),) = conn.execute(
        f"SELECT count(*) FROM {STAGED_ROWS} WHERE _reason = ''"
    ).fetchall()
    reasons = conn.execute(
        f"SELECT reason, count(*) FROM ({STAGED_QUARANTINE}) GROUP BY reason"
    ).fetchall()
    return LoadSummary(
        source=source.name,
        period=period,
        file=file,
        sha256=staged.sha256,
        file_bytes=path.stat().st_size,
        records_read=staged.records_read,
        rows_loaded=rows_loaded,
        rows_quarantined=sum(count for _, count in reasons),
        blank_rows_skipped=staged.blank_rows_skipped,
        quarantine_reasons=dict(sorted(reasons)),
        fast_path=staged.fast,
    )


def read_source_file(
    source: SourceFile, landing: Path, period: str, fast: bool = True
) -> tuple[TypedRecords, LoadSummary]:
    """Read and type one source file of a period's drop (no warehouse write), as Arrow.

    The same staging as ``load_source_file``, in a private in-memory database: for tests and
    the reference calculation, which want the typed rows themselves.
    """
    conn = duckdb.connect()
    try:
        configure_ingest_connection(conn, home=None)
        summary = _stage(conn, source, landing, period, fast)
        names = ", ".join(f'"{n}"' for n in source.field_names)
        rows = conn.sql(
            f"SELECT {names}, _source_row FROM {STAGED_ROWS} WHERE _reason = '' "
            "ORDER BY _source_row"
        ).to_arrow_table()
        quarantine = conn.sql(STAGED_QUARANTINE).to_arrow_table().cast(QUARANTINE_SCHEMA)
    finally:
        conn.close()
    return TypedRecords(rows=rows, quarantine=quarantine), summary


def load_source_file(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    landing: Path,
    period: str,
    loaded_at: dt.datetime | None = None,
    fast: bool = True,
    one_pass_from: int | None = None,
) -> LoadSummary:
    """Read one file of the drop and replace the period's rows of its raw table with it.

    In one pass when the file allows it and weighs ``one_pass_from`` bytes or more
    (default: config/ingest.yaml; module docstring); otherwise the file is staged in
    temporary tables of ``conn`` first (outside the transaction: a file the fast path
    refuses half-way is then staged again by the exact reader), then copied into the raw
    tables in one transaction, inside DuckDB. ``fast=False`` forces the exact reader.
    """
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ensure_raw_schema(conn, (source,))
    if one_pass_from is None:
        one_pass_from = ingest_settings().one_pass_from_bytes
    if fast and one_pass_from is not None:
        path, file = _source_path(source, landing, period)
        if path.is_file() and path.stat().st_size >= one_pass_from:
            summary = _load_clean_csv(conn, source, path, file, period, loaded_at)
            if summary is not None:
                return summary
    try:
        summary = _stage(conn, source, landing, period, fast)
        _replace_period(conn, source, summary, loaded_at)
    finally:
        drop_staged(conn)
    return summary


_ONE_PASS_QUARANTINE = "_one_pass_quarantine"


class _NotForOnePass(Exception):
    """The file is not one the one pass may load: roll back, load it the staged way."""


def _load_clean_csv(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    path: Path,
    file: str,
    period: str,
    loaded_at: dt.datetime,
) -> LoadSummary | None:
    """Load a well-formed CSV file in one pass; None (nothing changed) if it is not one."""
    plan = plan_csv_fast(source, path, file)
    if plan is None:
        return None
    sha256 = file_sha256(path)  # first: every raw row carries it
    checked = checked_sql(source, plan.sql, keep=("_blank",))
    # The byte facts (line ends, encoding) are scanned while DuckDB reads: it releases the
    # GIL, so on two cores the scan costs no wall time. They decide after the fact whether
    # what DuckDB read may stand.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_bytes, path, False)
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(f"DELETE FROM {source.raw_table} WHERE _period = ?", [period])
            ((rows_loaded,),) = conn.execute(
                _insert_rows_sql(source, f"({checked}) WHERE _reason = '' AND NOT _blank"),
                [period, file, sha256, loaded_at, *plan.params],
            ).fetchall()
            scan = scanning.result()
            if not bytes_allow(source, scan) or rows_loaded > scan.records:
                raise _NotForOnePass
            reasons: dict[str, int] = {}
            if rows_loaded < scan.records:
                reasons = _quarantine_second_read(
                    conn, checked, plan.params, scan.records - rows_loaded
                )
            summary = LoadSummary(
                source=source.name,
                period=period,
                file=file,
                sha256=sha256,
                file_bytes=path.stat().st_size,
                records_read=scan.records,
                rows_loaded=rows_loaded,
                rows_quarantined=scan.records - rows_loaded,
                blank_rows_skipped=0,
                quarantine_reasons=reasons,
                fast_path=True,
            )
            _delete_quarantine(conn, source, period)
            if reasons:
                _insert_quarantine(conn, source, summary, loaded_at, _ONE_PASS_QUARANTINE)
            _log_load(conn, summary, loaded_at)
            conn.execute("COMMIT")
        except (_NotForOnePass, duckdb.Error):  # strict mode refused a record, among others
            conn.execute("ROLLBACK")
            return None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {_ONE_PASS_QUARANTINE}")
    return summary


def _quarantine_second_read(
    conn: duckdb.DuckDBPyConnection, checked: str, params: list[str], expected: int
) -> dict[str, int]:
    """The rows the one pass left out, read again into a temporary table; their reasons.

    Raises ``_NotForOnePass`` if one is blank (the exact reader skips and counts those) or
    if they do not make up the records the byte scan counted.
    """
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {_ONE_PASS_QUARANTINE} AS "
        f"SELECT _source_row, _reason AS reason, _record AS record, _blank "
        f"FROM ({checked}) WHERE _reason <> '' OR _blank",
        params,
    )
    ((rows, blanks),) = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _blank) FROM {_ONE_PASS_QUARANTINE}"
    ).fetchall()
    if blanks or rows != expected:
        raise _NotForOnePass
    found = conn.execute(
        f"SELECT reason, count(*) FROM {_ONE_PASS_QUARANTINE} GROUP BY reason"
    ).fetchall()
    return dict(sorted(found))


def _insert_rows_sql(source: SourceFile, relation: str) -> str:
    """Insert the contract's fields of ``relation`` with their provenance (4 parameters:
    period, file, sha256, loaded_at, before any of ``relation``'s)."""
    names = ", ".join(f'"{n}"' for n in source.field_names)
    return (
        f"INSERT INTO {source.raw_table} ({names}, _period, _source_file, _source_sha256, "
        f"_source_row, _loaded_at) SELECT {names}, ?, ?, ?, _source_row, ? FROM {relation}"
    )


def _delete_quarantine(conn: duckdb.DuckDBPyConnection, source: SourceFile, period: str) -> None:
    conn.execute(
        "DELETE FROM raw.quarantine WHERE _period = ? AND source = ?", [period, source.name]
    )


def _insert_quarantine(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    summary: LoadSummary,
    loaded_at: dt.datetime,
    relation: str,
) -> None:
    """``relation``'s rows (``_source_row``, ``reason``, ``record``) into the quarantine."""
    conn.execute(
        "INSERT INTO raw.quarantine SELECT ?, ?, ?, ?, _source_row, reason, record, ? "
        f"FROM {relation} ORDER BY _source_row",
        [summary.period, source.name, summary.file, summary.sha256, loaded_at],
    )


def _log_load(
    conn: duckdb.DuckDBPyConnection, summary: LoadSummary, loaded_at: dt.datetime
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO raw.source_file_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.period,
            summary.source,
            summary.file,
            summary.sha256,
            summary.file_bytes,
            summary.records_read,
            summary.rows_loaded,
            summary.rows_quarantined,
            summary.blank_rows_skipped,
            loaded_at,
        ],
    )


def _replace_period(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    summary: LoadSummary,
    loaded_at: dt.datetime,
) -> None:
    """The staged file into the raw tables, in one transaction."""
    try:
        conn.execute("BEGIN TRANSACTION")
        conn.execute(f"DELETE FROM {source.raw_table} WHERE _period = ?", [summary.period])
        conn.execute(
            _insert_rows_sql(source, f"{STAGED_ROWS} WHERE _reason = ''"),
            [summary.period, summary.file, summary.sha256, loaded_at],
        )
        _delete_quarantine(conn, source, summary.period)
        _insert_quarantine(conn, source, summary, loaded_at, f"({STAGED_QUARANTINE})")
        _log_load(conn, summary, loaded_at)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
