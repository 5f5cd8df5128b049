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
from .casting import TypedRecords, cast_records, cast_strings, quarantine_summary
from .contracts import PROVENANCE_COLUMNS, SourceFile
from .errors import SourceFileError
from .fast_csv import read_csv_fast
from .readers import read_records

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


def read_source_file(
    source: SourceFile, landing: Path, period: str
) -> tuple[TypedRecords, LoadSummary]:
    """Read and type one source file of a period's drop (no database write)."""
    path = source.path(landing, period)
    file = source.relative_path(period)
    if path.is_symlink() and not is_inside(path, landing):
        # A link to a file elsewhere would make a close read (and hash, and keep in the
        # warehouse) something that was never delivered to the landing zone.
        raise SourceFileError(file, "is a link that leads out of the landing folder")
    fast = read_csv_fast(source, path, file)  # None unless the file is well formed
    if fast is not None:
        typed = cast_strings(source, fast.strings, [])
        sha256, records_read, blank_rows = fast.sha256, fast.strings.num_rows, 0
    else:
        records = read_records(source, path, file)
        typed = cast_records(source, records)
        sha256, records_read = records.sha256, records.records_read
        blank_rows = records.blank_rows_skipped
    summary = LoadSummary(
        source=source.name,
        period=period,
        file=file,
        sha256=sha256,
        file_bytes=path.stat().st_size,
        records_read=records_read,
        rows_loaded=typed.rows.num_rows,
        rows_quarantined=typed.quarantine.num_rows,
        blank_rows_skipped=blank_rows,
        quarantine_reasons=quarantine_summary(typed.quarantine),
    )
    return typed, summary


def load_source_file(
    conn: duckdb.DuckDBPyConnection,
    source: SourceFile,
    landing: Path,
    period: str,
    loaded_at: dt.datetime | None = None,
) -> LoadSummary:
    """Read one file of the drop and replace the period's rows of its raw table with it."""
    typed, summary = read_source_file(source, landing, period)
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    provenance = [period, summary.file, summary.sha256, loaded_at]
    ensure_raw_schema(conn, (source,))
    names = ", ".join(f'"{n}"' for n in source.field_names)
    conn.register("typed_rows", typed.rows)
    conn.register("quarantined_rows", typed.quarantine)
    try:
        conn.execute("BEGIN TRANSACTION")
        conn.execute(f"DELETE FROM {source.raw_table} WHERE _period = ?", [period])
        conn.execute(
            f"INSERT INTO {source.raw_table} ({names}, _period, _source_file, _source_sha256, "
            f"_source_row, _loaded_at) SELECT {names}, ?, ?, ?, _source_row, ? FROM typed_rows",
            provenance,
        )
        conn.execute(
            "DELETE FROM raw.quarantine WHERE _period = ? AND source = ?", [period, source.name]
        )
        conn.execute(
            "INSERT INTO raw.quarantine SELECT ?, ?, ?, ?, _source_row, reason, record, ? "
            "FROM quarantined_rows",
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
    finally:
        conn.unregister("typed_rows")
        conn.unregister("quarantined_rows")
    return summary
