"""Loading: one file's typed rows into its raw table, its rejects into quarantine, atomically.

A period's load replaces that period's rows (and only them) in one transaction, so loading a
drop again gives the same table, and a load that fails half-way leaves the previous one.
Every load is logged in ``raw.source_file_log``: file, sha256 and the row counts that let
anyone check that rows in = rows loaded + rows quarantined (+ blank rows skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..settings import is_inside
from .casting import QUARANTINE_SCHEMA, TypedRecords
from .contracts import PROVENANCE_COLUMNS, SourceFile
from .duckdb_settings import configure_ingest_connection
from .errors import SourceFileError
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
) -> LoadSummary:
    """Read one file of the drop and replace the period's rows of its raw table with it.

    The file is staged in temporary tables of ``conn`` first (outside the transaction: a
    file the fast path refuses half-way is then staged again by the exact reader), then
    copied into the raw tables in one transaction, inside DuckDB.
    """
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ensure_raw_schema(conn, (source,))
    try:
        summary = _stage(conn, source, landing, period, fast)
        _replace_period(conn, source, summary, loaded_at)
    finally:
        drop_staged(conn)
    return summary


def _replace_period(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    summary: LoadSummary,
    loaded_at: dt.datetime,
) -> None:
    period = summary.period
    names = ", ".join(f'"{n}"' for n in source.field_names)
    try:
        conn.execute("BEGIN TRANSACTION")
        conn.execute(f"DELETE FROM {source.raw_table} WHERE _period = ?", [period])
        conn.execute(
            f"INSERT INTO {source.raw_table} ({names}, _period, _source_file, _source_sha256, "
            f"_source_row, _loaded_at) SELECT {names}, ?, ?, ?, _source_row, ? "
            f"FROM {STAGED_ROWS} WHERE _reason = ''",
            [period, summary.file, summary.sha256, loaded_at],
        )
        conn.execute(
            "DELETE FROM raw.quarantine WHERE _period = ? AND source = ?", [period, source.name]
        )
        conn.execute(
            "INSERT INTO raw.quarantine SELECT ?, ?, ?, ?, _source_row, reason, record, ? "
            f"FROM ({STAGED_QUARANTINE})",
            [period, source.name, summary.file, summary.sha256, loaded_at],
        )
        conn.execute(
            "INSERT OR REPLACE INTO raw.source_file_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                period,
                source.name,
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
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
