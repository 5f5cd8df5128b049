"""The few statements that differ between DuckDB and PostgreSQL, as functions of the
connection. Everything else perfgov writes against the engine is portable SQL."""

from __future__ import annotations

from typing import Any

import duckdb

from . import QueryError

#: What a failed statement raises, on either engine.
DATABASE_ERRORS: tuple[type[Exception], ...] = (duckdb.Error, QueryError)


def engine_of(conn: Any) -> str:
    """``duckdb`` or ``postgres`` (the PostgreSQL connection says so: engines/postgres.py)."""
    return getattr(conn, "engine", "duckdb")


def column_definitions(conn: Any, schema: str, table: str) -> list[tuple[str, str]]:
    """(column, type as the engine writes it in DDL) of ``schema.table``, in column order.

    information_schema's ``data_type`` is DDL on DuckDB (``DECIMAL(18,2)``) but not on
    PostgreSQL (``numeric``, precision apart): there ``format_type`` says it whole.
    """
    if engine_of(conn) == "postgres":
        from .postgres import column_types

        return column_types(conn, schema, table)
    return conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()


def engine_version(conn: Any) -> str:
    """``duckdb 2.0.1`` / ``postgres 15.18``: stamped on gate evidence and certificates."""
    if engine_of(conn) == "postgres":
        from .postgres import server_version

        return f"postgres {server_version(conn)}"
    return f"duckdb {duckdb.__version__}"
