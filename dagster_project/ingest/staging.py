"""Staging: one file read and typed into two temporary tables of a DuckDB connection.

Both readers end here, so that the load (``loader``) has one way to insert a file, whichever
reader read it:

- ``_staged_rows``: ``casting.checked_sql``'s output, one row per record kept by the reader
  (``_source_row``, ``_reason``, the typed fields, ``_record``);
- ``_staged_rejects``: the records the reader could not split (``_source_row``, ``reason``,
  ``record``), quarantined as they are.

A well-formed CSV file is read, typed and staged by DuckDB in one statement
(``fast_csv``): its rows never exist in Python, and a ``memory_limit`` on the connection
makes DuckDB spill instead of growing. Anything else goes through the exact reader
(``readers``), whose strings are handed to the same typing query as Arrow.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .casting import QUARANTINE_SCHEMA, checked_sql
from .contracts import SourceFile
from .fast_csv import bytes_allow, plan_csv_fast, scan_bytes
from .readers import RawRecords, read_records

STAGED_ROWS = "_staged_rows"
STAGED_REJECTS = "_staged_rejects"

# The quarantine of a staged file, in file order: the reader's rejects and the rows with a
# value that does not parse.
STAGED_QUARANTINE = (
    f"SELECT _source_row, reason, record FROM {STAGED_REJECTS} UNION ALL "
    f"SELECT _source_row, _reason, _record FROM {STAGED_ROWS} WHERE _reason <> '' "
    "ORDER BY _source_row"
)


@dataclass(frozen=True)
class StagedFile:
    """What the reader found in the file (counts of the staged tables come from SQL)."""

    sha256: str
    records_read: int
    blank_rows_skipped: int
    fast: bool  # read by DuckDB's CSV reader (True) or by the exact reader


def stage_source_file(
    conn: duckdb.DuckDBPyConnection, source: SourceFile, path: Path, file: str, fast: bool = True
) -> StagedFile:
    """Read and type ``path`` into the staged tables of ``conn`` (replacing any there).

    ``fast=False`` forces the exact reader (the tests compare both on the same files).
    """
    if fast:
        staged = stage_csv_fast(conn, source, path, file)
        if staged is not None:
            return staged
    return _stage_exact(conn, source, path, file)


def drop_staged(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {STAGED_ROWS}")
    conn.execute(f"DROP TABLE IF EXISTS {STAGED_REJECTS}")


def _create_rejects(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {STAGED_REJECTS} "
        "(_source_row BIGINT, reason VARCHAR, record VARCHAR)"
    )


def stage_csv_fast(
    conn: duckdb.DuckDBPyConnection, source: SourceFile, path: Path, file: str
) -> StagedFile | None:
    """Stage a well-formed CSV file with DuckDB's reader; None (nothing staged) otherwise."""
    plan = plan_csv_fast(source, path, file)
    if plan is None:
        return None
    # The bytes are scanned (hash, line ends, encoding facts) while DuckDB reads the file:
    # DuckDB releases the GIL, so on two cores the scan adds no wall time. What DuckDB read
    # is kept only if the bytes allow the fast path.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_bytes, path)
        try:
            conn.execute(
                f"CREATE OR REPLACE TEMP TABLE {STAGED_ROWS} AS "
                + checked_sql(source, plan.sql, keep=("_blank",)),
                plan.params,
            )
            ((records, blanks),) = conn.execute(
                f"SELECT count(*), count(*) FILTER (WHERE _blank) FROM {STAGED_ROWS}"
            ).fetchall()
        except duckdb.Error:  # strict mode refused a record: the exact reader says which
            records = blanks = None
        scan = scanning.result()
    if records is None or blanks or not bytes_allow(source, scan) or records != scan.records:
        drop_staged(conn)
        return None
    _create_rejects(conn)
    return StagedFile(sha256=scan.sha256, records_read=records, blank_rows_skipped=0, fast=True)


def _stage_exact(
    conn: duckdb.DuckDBPyConnection, source: SourceFile, path: Path, file: str
) -> StagedFile:
    records = read_records(source, path, file)
    strings = _strings_table(source, records)
    rejects = pa.table(
        {
            "_source_row": pa.array([r[0] for r in records.rejected], pa.int64()),
            "reason": pa.array([r[1] for r in records.rejected], pa.string()),
            "record": pa.array([r[2] for r in records.rejected], pa.string()),
        },
        schema=QUARANTINE_SCHEMA,
    )
    conn.register("_exact_strings", strings)
    conn.register("_exact_rejects", rejects)
    try:
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE {STAGED_ROWS} AS "
            + checked_sql(source, "SELECT * FROM _exact_strings")
        )
        _create_rejects(conn)
        conn.execute(f"INSERT INTO {STAGED_REJECTS} SELECT * FROM _exact_rejects")
    finally:
        conn.unregister("_exact_strings")
        conn.unregister("_exact_rejects")
    return StagedFile(
        sha256=records.sha256,
        records_read=records.records_read,
        blank_rows_skipped=records.blank_rows_skipped,
        fast=False,
    )


def _strings_table(source: SourceFile, records: RawRecords) -> pa.Table:
    """The exact reader's records as a table of strings, ``_source_row`` first."""
    columns = {
        name: pa.array([row[i] for row in records.rows], pa.string())
        for i, name in enumerate(source.field_names)
    }
    return pa.table({"_source_row": pa.array(records.positions, pa.int64())} | columns)
