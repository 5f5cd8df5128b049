"""Reads of the warehouse that several steps share: whether a table exists, rows as
dicts, and the period's input files as the loader logged them.

One place, so that the certificate and the auditor pack cite the same input files, and
every "is this table there yet" (a warehouse from before a table existed) asks the same way.
Only DuckDB is imported: these run in the fast paths too.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .engines.dialect import has_table as dialect_has_table


def has_table(conn: Any, schema: str, table: str) -> bool:
    """Whether ``schema.table`` (a table or a view) exists in the connected database (any
    engine: ``engines/dialect.py``)."""
    return dialect_has_table(conn, schema, table)


def rows_as_dicts(
    conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any]
) -> list[dict[str, Any]]:
    """The rows of ``sql``, each a dict keyed by column name."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def source_files(conn: duckdb.DuckDBPyConnection, period: str) -> list[dict[str, Any]]:
    """The period's input files as loaded (``raw.source_file_log``): source, file, sha256,
    records read, rows kept and quarantined, by source; none before anything was loaded."""
    if not has_table(conn, "raw", "source_file_log"):
        return []
    return rows_as_dicts(
        conn,
        "SELECT source, _source_file AS file, _source_sha256 AS sha256, records_read, "
        "rows_loaded, rows_quarantined FROM raw.source_file_log WHERE _period = ? "
        "ORDER BY source",
        [period],
    )
