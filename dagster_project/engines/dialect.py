"""The few statements that differ between the engines (DuckDB, PostgreSQL, Spark), as
functions of the connection. Everything else perfgov writes against the engine is portable
SQL run through the connection's ``execute(sql, params)``."""

from __future__ import annotations

from typing import Any

import duckdb

from . import QueryError

#: What a failed statement raises, on any engine.
DATABASE_ERRORS: tuple[type[Exception], ...] = (duckdb.Error, QueryError)


def engine_of(conn: Any) -> str:
    """``duckdb``, ``postgres`` or ``spark`` (the other engines' connections say so)."""
    return getattr(conn, "engine", "duckdb")


def text_type(conn: Any) -> str:
    """The type name of text in a CAST or a column: Spark refuses VARCHAR without a length."""
    return "STRING" if engine_of(conn) == "spark" else "VARCHAR"


def as_text(conn: Any, expression: str) -> str:
    return f"CAST({expression} AS {text_type(conn)})"


def not_materialized(conn: Any) -> str:
    """``NOT MATERIALIZED`` for a CTE where the engine has the hint (Spark has not)."""
    return "" if engine_of(conn) == "spark" else "NOT MATERIALIZED "


def has_table(conn: Any, schema: str, table: str) -> bool:
    """Whether ``schema.table`` (a table or a view) exists."""
    if engine_of(conn) == "spark":
        from .spark import has_table as spark_has_table

        return spark_has_table(conn, schema, table)
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def list_tables(conn: Any, schema: str) -> list[tuple[str, str]]:
    """(name, ``TABLE`` or ``VIEW``) of every relation of ``schema``, by name."""
    if engine_of(conn) == "spark":
        from .spark import list_tables as spark_list_tables

        return spark_list_tables(conn, schema)
    return [
        (name, "VIEW" if kind == "VIEW" else "TABLE")
        for name, kind in conn.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = ? ORDER BY 1",
            [schema],
        ).fetchall()
    ]


def column_definitions(conn: Any, schema: str, table: str) -> list[tuple[str, str]]:
    """(column, type as the engine writes it in DDL) of ``schema.table``, in column order.

    information_schema's ``data_type`` is DDL on DuckDB (``DECIMAL(18,2)``) but not on
    PostgreSQL (``numeric``, precision apart): there ``format_type`` says it whole; Spark
    has no information_schema: its catalog says it.
    """
    engine = engine_of(conn)
    if engine == "postgres":
        from .postgres import column_types

        return column_types(conn, schema, table)
    if engine == "spark":
        from .spark import column_types as spark_column_types

        return spark_column_types(conn, schema, table)
    return conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()


def duckdb_type(conn: Any, engine_type: str) -> str:
    """DuckDB's type for a column type of the engine (to copy its rows into the home)."""
    engine = engine_of(conn)
    if engine == "postgres":
        from .postgres import duckdb_type as from_postgres

        return from_postgres(engine_type)
    if engine == "spark":
        from .spark import duckdb_type as from_spark

        return from_spark(engine_type)
    return engine_type


def engine_version(conn: Any) -> str:
    """``duckdb 2.0.1`` / ``postgres 15.18`` / ``spark 4.3.0``: stamped on gate evidence and
    certificates."""
    engine = engine_of(conn)
    if engine == "postgres":
        from .postgres import server_version

        return f"postgres {server_version(conn)}"
    if engine == "spark":
        from .spark import server_version as spark_version

        return f"spark {spark_version(conn)}"
    return f"duckdb {duckdb.__version__}"
