"""The suites compiled to SQL give what GX 1.24 on pandas gave, expectation by expectation.

For every suite, on the sample's periods, on every bad-input variant of the raw gates, and on
mart variants broken on purpose (nulls, repeated rows, values out of range, row conditions
over missing values), ``evaluate_suite`` (the gates) and ``tests/gx_reference.py`` (GX on the
minimised pandas pull, the former gates) must agree on the row count and, per expectation,
on success, ``raised_exception``, element, unexpected and missing counts, the unexpected
percentage and the table-level ``observed_value``.

Slow: GX is imported and runs about a second per suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.loader import load_source_file
from dagster_project.quality.gx_validation import evaluate_suite
from dagster_project.quality.suite_parameters import suite_parameters
from dagster_project.quality.suites import LoadedSuite, read_layer, read_suite
from tests.bad_input_cases import CASES, copy_sample_file
from tests.bad_input_cases import PERIOD as BAD_INPUT_PERIOD
from tests.conftest import HISTORY
from tests.gx_reference import reference_outcomes

pytestmark = pytest.mark.slow

SAMPLE_PERIODS = ("2025-11", "2026-10")
GATE_CASES = [c for c in CASES if c.outcome in {"warn", "hold", "block"}]
MART_SUITES = [s for layer in ("harmonised", "certified") for s in read_layer(layer)]


def assert_same_as_gx(
    conn: duckdb.DuckDBPyConnection,
    suite: LoadedSuite,
    table: str,
    period: str,
    parameters: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Both ways on the same rows; return the outcomes (for tests that look further)."""
    used = {name: (parameters or {})[name] for name in suite.parameters}
    gx_rows, gx = reference_outcomes(conn, suite, table, period, used)
    sql_rows, sql = evaluate_suite(conn, suite, table, period, used)
    assert sql_rows == gx_rows
    for mine, theirs in zip(sql, gx, strict=True):
        assert mine.to_dict() == theirs.to_dict(), (suite.name, period, mine.rule)
    return [o.to_dict() for o in sql]


# --------------------------------------------------------------------------------------
# Raw suites
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_raw(tmp_path_factory: pytest.TempPathFactory, sample_landing: Path) -> Iterator:
    """Every raw table of the sample's periods in SAMPLE_PERIODS, loaded as ingest does."""
    path = tmp_path_factory.mktemp("raw") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        for period in SAMPLE_PERIODS:
            for source in SOURCES_BY_NAME.values():
                load_source_file(conn, source, sample_landing, period)
    conn = duckdb.connect(str(path), read_only=True)
    yield conn
    conn.close()


@pytest.mark.parametrize("period", SAMPLE_PERIODS)
@pytest.mark.parametrize("name", sorted(SOURCES_BY_NAME))
def test_raw_suite_on_the_sample(sample_raw, name: str, period: str) -> None:
    assert_same_as_gx(sample_raw, read_suite(name), f"raw.{name}", period)


def test_raw_suite_on_an_empty_period_and_a_missing_column(sample_raw, tmp_path: Path) -> None:
    """Vacuous truths on no rows; an expectation on a column the table lost raises."""
    suite = read_suite("crm__task")
    outcomes = assert_same_as_gx(sample_raw, suite, "raw.crm__task", "2020-01")
    assert [o["rule"] for o in outcomes if not o["success"]] == [
        suite.doc["expectations"][1]["meta"]["rule"]  # only the row count fails
    ]
    # The sample's table, minus one column the suite reads.
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        load_source_file(conn, SOURCES_BY_NAME["crm__task"], _landing(), "2026-10")
        conn.execute('ALTER TABLE raw.crm__task DROP COLUMN "Status"')
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        outcomes = assert_same_as_gx(conn, suite, "raw.crm__task", "2026-10")
    raised = [o for o in outcomes if o["raised_exception"]]
    assert raised and all(o["columns"] == ["Status"] and not o["success"] for o in raised)


def _landing() -> Path:
    from dagster_project.settings import SAMPLE_LANDING

    return SAMPLE_LANDING


@pytest.mark.parametrize("case", GATE_CASES, ids=lambda c: c.id)
def test_raw_suite_on_a_bad_input(case, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    case.mutate(copy_sample_file(case.source, landing))
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        load_source_file(conn, SOURCES_BY_NAME[case.source], landing, BAD_INPUT_PERIOD)
    with duckdb.connect(str(path), read_only=True) as conn:
        outcomes = assert_same_as_gx(
            conn, read_suite(case.source), f"raw.{case.source}", BAD_INPUT_PERIOD
        )
    assert any(not o["success"] and o["rule"].startswith(case.expect) for o in outcomes)


# --------------------------------------------------------------------------------------
# Harmonised and certified suites, on the marts of the closed history
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def marts_copy(closed_history, tmp_path_factory: pytest.TempPathFactory):
    """A copy of every gated mart and of the plan parameters, in a warehouse of our own
    (the variants below edit it), with the parameters of each period."""
    source = closed_history.settings.warehouse
    path = tmp_path_factory.mktemp("marts") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"ATTACH '{source}' AS closed (READ_ONLY)")
        conn.execute("CREATE SCHEMA marts")
        conn.execute("CREATE SCHEMA raw")
        conn.execute(
            "CREATE TABLE raw.plan__parameters AS SELECT * FROM closed.raw.plan__parameters"
        )
        for name in sorted({s.table.split(".")[1] for s in MART_SUITES}):
            conn.execute(f"CREATE TABLE marts.{name} AS SELECT * FROM closed.marts.{name}")
        conn.execute("DETACH closed")
        parameters = {p: suite_parameters(conn, p) for p in HISTORY}
    return path, parameters


@pytest.mark.parametrize("period", HISTORY)
@pytest.mark.parametrize("suite", MART_SUITES, ids=lambda s: f"{s.layer}/{s.name}")
def test_mart_suite_on_the_closed_history(marts_copy, suite: LoadedSuite, period: str) -> None:
    path, parameters = marts_copy
    with duckdb.connect(str(path), read_only=True) as conn:
        assert_same_as_gx(conn, suite, suite.table, period, parameters[period])


def _broken_marts(path: Path, suite: LoadedSuite) -> None:
    """Break ``suite``'s mart the ways its rules look at: repeated rows, and in each column
    a suite reads, missing values in some rows and extreme values in others."""
    from dagster_project.quality.suites import needed_columns

    name = suite.table
    period_column = suite.period_column
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"INSERT INTO {name} SELECT * FROM {name} USING SAMPLE 3 ROWS")
        # A findings table is empty on a good period: give each forbidden kind a row.
        for exp in suite.doc["expectations"]:
            if exp["type"] == "expect_column_values_to_not_be_in_set":
                column, value = exp["kwargs"]["column"], exp["kwargs"]["value_set"][0]
                conn.execute(
                    f'INSERT INTO {name} ("{period_column}", "{column}") VALUES (?, ?)',
                    [HISTORY[-1], value],
                )
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'marts' AND table_name = ?",
                [name.split(".")[1]],
            ).fetchall()
        )
        for i, column in enumerate(needed_columns(suite.doc)):
            q = f'"{column}"'
            conn.execute(f"UPDATE {name} SET {q} = NULL WHERE (rowid + {i}) % 5 = 0")
            kind = types[column].upper()
            if kind.startswith(("DECIMAL", "DOUBLE", "INTEGER", "BIGINT")):
                conn.execute(f"UPDATE {name} SET {q} = -{q} * 7 WHERE (rowid + {i}) % 7 = 1")
            elif kind == "BOOLEAN":
                conn.execute(f"UPDATE {name} SET {q} = NOT {q} WHERE (rowid + {i}) % 4 = 1")
            elif kind == "VARCHAR" and column not in {"snapshot_period", "period"}:
                conn.execute(f"UPDATE {name} SET {q} = 'zz' WHERE (rowid + {i}) % 6 = 1")


@pytest.mark.parametrize("suite", MART_SUITES, ids=lambda s: f"{s.layer}/{s.name}")
def test_mart_suite_on_broken_marts(marts_copy, suite: LoadedSuite, tmp_path: Path) -> None:
    source, parameters = marts_copy
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"ATTACH '{source}' AS original (READ_ONLY)")
        conn.execute("COPY FROM DATABASE original TO warehouse")
        conn.execute("DETACH original")
    _broken_marts(path, suite)
    period = HISTORY[-1]
    with duckdb.connect(str(path), read_only=True) as conn:
        outcomes = assert_same_as_gx(conn, suite, suite.table, period, parameters[period])
    assert any(not o["success"] for o in outcomes)  # the variant did break a rule
