"""The engine interface without a server: what a PostgreSQL close relies on that can be
checked alone (placeholders, type mapping, the portable publication SQL on DuckDB)."""

from __future__ import annotations

import contextlib

import duckdb
import pytest

from dagster_project.certify.publish import _mart_select
from dagster_project.engines import EngineError
from dagster_project.engines.dialect import column_definitions, engine_of, engine_version
from dagster_project.engines.postgres import (
    _same_columns,
    duckdb_type,
    placeholders_for_psycopg,
    postgres_type,
)


def test_placeholders_become_psycopgs_outside_quotes_only() -> None:
    sql = "SELECT '?', \"a?\", x FROM t WHERE a = ? AND b LIKE '50%' AND c % 2 = ?"
    assert placeholders_for_psycopg(sql) == (
        "SELECT '?', \"a?\", x FROM t WHERE a = %s AND b LIKE '50%%' AND c %% 2 = %s"
    )


def test_a_quoted_quote_does_not_end_the_literal() -> None:
    # 'it''s ?' is one literal in both dialects: its ? is not a placeholder.
    assert placeholders_for_psycopg("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


@pytest.mark.parametrize(
    ("duck", "pg"),
    [
        ("VARCHAR", "text"),
        ("DECIMAL(18,2)", "numeric(18,2)"),
        ("DATE", "date"),
        ("TIMESTAMP", "timestamp"),
        ("BIGINT", "bigint"),
        ("BOOLEAN", "boolean"),
        ("VARCHAR[]", "text[]"),
        ("JSON", "json"),
    ],
)
def test_types_go_over_and_come_back(duck: str, pg: str) -> None:
    assert postgres_type(duck) == pg
    back = {"text": "VARCHAR", "text[]": "VARCHAR[]"}.get(pg)
    assert duckdb_type(pg) == (back or duck)


def test_postgres_format_type_names_map_to_duckdb() -> None:
    assert duckdb_type("numeric(18, 2)") == "DECIMAL(18,2)"
    assert duckdb_type("character varying") == "VARCHAR"
    assert duckdb_type("character varying(40)") == "VARCHAR"
    assert duckdb_type("timestamp without time zone") == "TIMESTAMP"
    assert duckdb_type("integer") == "INTEGER"
    with pytest.raises(EngineError, match="interval"):
        duckdb_type("interval")
    with pytest.raises(EngineError, match="UNION"):
        postgres_type("UNION(a INTEGER)")


def test_a_raw_table_is_emptied_only_when_its_columns_are_unchanged() -> None:
    existing = [("a", "numeric(18,2)"), ("b", "timestamp without time zone")]
    assert _same_columns(existing, [("a", "numeric(18, 2)"), ("b", "timestamp")])
    assert not _same_columns(existing, [("a", "numeric(18, 2)")])  # a column less: recreate
    assert not _same_columns(existing, [("a", "numeric(18, 4)"), ("b", "timestamp")])
    assert not _same_columns([], [("a", "text")])  # no table yet


def test_the_publication_select_names_the_period_period_and_puts_it_first() -> None:
    with contextlib.closing(duckdb.connect()) as conn:
        conn.execute("CREATE SCHEMA marts")
        conn.execute(
            "CREATE TABLE marts.bookings (opportunity_id VARCHAR, amount_eur DECIMAL(18,2), "
            "snapshot_period VARCHAR)"
        )
        conn.execute("INSERT INTO marts.bookings VALUES ('006A', 10.50, '2026-10')")
        columns, select = _mart_select(conn, "marts.bookings")
        assert columns == [
            ("period", "VARCHAR"),
            ("opportunity_id", "VARCHAR"),
            ("amount_eur", "DECIMAL(18,2)"),
        ]
        cursor = conn.execute(select)
        assert [d[0] for d in cursor.description] == ["period", "opportunity_id", "amount_eur"]
        assert cursor.fetchall() == [("2026-10", "006A", 10.50)]
        assert column_definitions(conn, "marts", "bookings")[1] == ("amount_eur", "DECIMAL(18,2)")
        assert engine_of(conn) == "duckdb" and engine_version(conn).startswith("duckdb 2.")
