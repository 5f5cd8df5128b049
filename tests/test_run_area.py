"""Run areas (write-audit-publish, the write step) on a bare DuckDB: fast, no dbt."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.transform.partition_vars import dbt_vars_argument
from dagster_project.transform.run_area import (
    KEPT_RUN_AREAS,
    area_name,
    area_of_run,
    drop_old_areas,
    latest_area,
    point_latest_views,
    register_run_area,
    relation,
    schema_of,
)

RUNS = [f"{i:08x}-aaaa-bbbb-cccc-dddddddddddd" for i in range(1, 6)]


def build(conn: duckdb.DuckDBPyConnection, run_id: str, payout: int, full: bool = True) -> str:
    """What dbt does for a run: its models in its area (a payouts table and a view)."""
    area = register_run_area(conn, run_id, "2026-10", full_build=full)
    marts = schema_of("marts", area)
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {marts}")
    conn.execute(f"CREATE OR REPLACE TABLE {marts}.payouts AS SELECT {payout} AS payout_eur")
    conn.execute(f"CREATE OR REPLACE VIEW {marts}.payouts_view AS SELECT * FROM {marts}.payouts")
    return area


def test_each_full_run_builds_in_its_own_area_and_the_plain_schema_follows_the_latest() -> None:
    conn = duckdb.connect()
    first = build(conn, RUNS[0], 100)
    point_latest_views(conn, first)
    second = build(conn, RUNS[1], 200)
    assert first != second == area_name(RUNS[1])
    # Before the second run repoints, the plain schema still shows the first run.
    assert conn.execute("SELECT payout_eur FROM marts.payouts").fetchone() == (100,)
    point_latest_views(conn, second)
    assert conn.execute("SELECT payout_eur FROM marts.payouts").fetchone() == (200,)
    assert conn.execute("SELECT payout_eur FROM marts.payouts_view").fetchone() == (200,)
    # Each run's own figures stay where it built them.
    for run_id, expected in ((RUNS[0], 100), (RUNS[1], 200)):
        where = relation(conn, "marts.payouts", run_id)
        assert conn.execute(f"SELECT payout_eur FROM {where}").fetchone() == (expected,)


def test_a_partial_run_rebuilds_inside_the_latest_full_area() -> None:
    conn = duckdb.connect()
    full = build(conn, RUNS[0], 100)
    partial = build(conn, RUNS[1], 150, full=False)
    assert partial == full == latest_area(conn)
    assert area_of_run(conn, RUNS[1]) == full


def test_a_retried_step_keeps_its_area() -> None:
    conn = duckdb.connect()
    area = build(conn, RUNS[0], 100)
    assert register_run_area(conn, RUNS[0], "2026-10", full_build=True) == area


def test_old_areas_are_dropped_beyond_the_kept_ones() -> None:
    conn = duckdb.connect()
    areas = [build(conn, run_id, i) for i, run_id in enumerate(RUNS)]
    dropped = drop_old_areas(conn)
    assert dropped == areas[: len(RUNS) - KEPT_RUN_AREAS]
    rows = conn.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
    schemas = {r[0] for r in rows}
    assert {schema_of("marts", a) for a in areas[-KEPT_RUN_AREAS:]} <= schemas
    assert not {schema_of("marts", a) for a in dropped} & schemas
    assert latest_area(conn) == areas[-1]


def test_a_warehouse_without_run_areas_reads_the_plain_schemas() -> None:
    conn = duckdb.connect()
    assert relation(conn, "marts.payouts", RUNS[0]) == "marts.payouts"
    assert relation(conn, "raw.crm__user", RUNS[0]) == "raw.crm__user"


def test_legacy_tables_in_the_plain_schema_become_views() -> None:
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA marts")
    conn.execute("CREATE TABLE marts.payouts AS SELECT 1 AS payout_eur")
    conn.execute("CREATE TABLE marts.dropped_model AS SELECT 1 AS x")
    area = build(conn, RUNS[0], 300)
    point_latest_views(conn, area)
    kinds = dict(
        conn.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = 'marts'"
        ).fetchall()
    )
    assert kinds == {"payouts": "VIEW", "payouts_view": "VIEW"}


def test_the_area_reaches_dbt_as_a_var_and_names_are_safe() -> None:
    assert '"run_area": "r000000010aaa"' in dbt_vars_argument(
        "2026-10-01", run_area="r000000010aaa"
    )
    assert "run_area" not in dbt_vars_argument("2026-10-01")
    with pytest.raises(ValueError):
        schema_of("marts", "r1; DROP SCHEMA certified")
    with pytest.raises(ValueError):
        area_name("no-hex-here")
