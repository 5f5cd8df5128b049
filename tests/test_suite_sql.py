"""The suite-to-SQL compiler on small in-memory tables: no GX, fast.

What GX itself would say is proved in tests/test_suite_sql_reference.py (slow); here the
parts that are ours: the row-condition grammar and its pandas treatment of missing values,
literals, what is refused at load, and an expectation that cannot be evaluated failing
alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from dagster_project.quality.gx_validation import evaluate_suite
from dagster_project.quality.suite_sql import row_condition_sql, sql_literal
from dagster_project.quality.suites import LoadedSuite, SuiteError, check_suite

ROWS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "weight": [0.0, 1.5, None, 2.0, -1.0, None],
        "status": ["certified", "held", None, "certified", "o'brien", "held"],
        "eligible": [True, False, None, True, True, False],
    }
)


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.register("rows_frame", ROWS)
    c.execute("CREATE SCHEMA marts")
    c.execute(
        "CREATE TABLE marts.t AS SELECT id, weight, status, eligible, '2026-10' AS period "
        "FROM rows_frame"
    )
    return c


@pytest.mark.parametrize(
    "condition",
    [
        "weight > 0",
        "weight <= 0",
        'status == "certified"',
        "status != 'held'",
        "eligible == True",
        "eligible != True",
        "not (weight > 0)",
        "weight > 0 and status == 'certified' or eligible == False",
        "not (status == 'held' or weight < 0)",
    ],
)
def test_a_row_condition_selects_the_rows_pandas_selects(conn, condition: str) -> None:
    """Missing values included: pandas makes ``x > 0`` False and ``x != 1`` True on them."""
    expected = sorted(ROWS.query(condition, engine="python")["id"].tolist())
    got = conn.execute(
        f"SELECT id FROM marts.t WHERE {row_condition_sql(condition)} ORDER BY id"
    ).fetchall()
    assert [i for (i,) in got] == expected


@pytest.mark.parametrize(
    "condition",
    ["status.str.contains('x')", "weight > @cap", "weight > other", "weight >", "(weight > 0"],
)
def test_a_condition_outside_the_grammar_is_refused_when_the_suite_is_read(condition) -> None:
    doc = _suite(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {
                "column": "status",
                "row_condition": condition,
                "condition_parser": "pandas",
            },
            "meta": {"severity": "hold", "rule": "Status is filled where it matters."},
        }
    )
    with pytest.raises(SuiteError, match="row_condition"):
        check_suite(doc, "t", "harmonised")


def test_text_literals_are_quoted_not_spliced(conn) -> None:
    value = "o'brien'); DROP TABLE marts.t; --"
    assert conn.execute(f"SELECT {sql_literal(value)}").fetchone() == (value,)
    with pytest.raises(SuiteError):
        sql_literal(float("nan"))


def _suite(*expectations: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "t",
        "meta": {"version": 1, "table": "marts.t", "period_column": "period"},
        "expectations": list(expectations),
    }


def _run(conn, *expectations: dict[str, Any]) -> list[dict[str, Any]]:
    doc = _suite(*expectations)
    check_suite(doc, "t", "harmonised")
    suite = LoadedSuite(name="t", doc=doc, sha256="0" * 64, layer="harmonised")
    _, outcomes = evaluate_suite(conn, suite, "marts.t", "2026-10", {})
    return [o.to_dict() for o in outcomes]


def test_a_check_that_cannot_be_evaluated_fails_alone_and_quotes_nothing(conn) -> None:
    in_set = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "status", "value_set": [1, 2]},  # text against numbers
        "meta": {"severity": "warn", "rule": "A status compared with numbers cannot be run."},
    }
    between = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "weight", "min_value": 0},
        "meta": {"severity": "block", "rule": "Weights are not negative."},
    }
    bad, good = _run(conn, in_set, between)
    assert bad["raised_exception"] and not bad["success"] and bad["unexpected_count"] is None
    assert (good["success"], good["unexpected_count"], good["missing_count"]) == (False, 1, 2)
    assert good["element_count"] == 6 and good["unexpected_percent"] == 25.0
    assert "o'brien" not in json.dumps([bad, good])


def test_regexes_are_searched_and_stricter_than_python_at_the_end(tmp_path: Path) -> None:
    """RE2 (DuckDB) is searched like pandas' str.contains, but its ``$`` does not match
    before a final newline as Python's does: such a value fails here (it passed in GX)."""
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA marts")
    conn.execute(
        "CREATE TABLE marts.t AS SELECT * FROM (VALUES ('E12', '2026-10'), "
        "('xE12x', '2026-10'), ('E12' || chr(10), '2026-10'), (NULL, '2026-10')) v(code, period)"
    )
    anchored, searched = _run(
        conn,
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "code", "regex": "^E\\d+$"},
            "meta": {"severity": "warn", "rule": "Codes are an E and digits."},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "code", "regex": "E\\d+"},
            "meta": {"severity": "warn", "rule": "Codes hold an E and digits somewhere."},
        },
    )
    assert (anchored["unexpected_count"], anchored["missing_count"]) == (2, 1)
    assert searched["success"] and searched["unexpected_count"] == 0
