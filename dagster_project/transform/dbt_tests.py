"""dbt test results of a close, kept in the warehouse instead of one Dagster event per test.

dagster-dbt turns every dbt test into a Dagster asset check: a planned event at the start
of the step, a result and a step output per test, each one an SQLite commit of the run's
event log (95 tests, some 475 writes of the 1,100 of a sample close; benchmarks/RESULTS.md).
A close needs the outcome of each test for its run record and the auditor pack, not a
check per test in the Dagster UI: the dbt step reads dbt's ``run_results.json`` once and
writes one row per test to ``runs.dbt_test_results``, named as dagster-dbt named the check
(``<asset key>:<test name>``), with the same pass and severity rules. The close reads them
back by run id (``closing.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import duckdb

from ..warehouse_queries import has_table

RESULTS_DDL = """
CREATE TABLE IF NOT EXISTS runs.dbt_test_results (
    run_id VARCHAR NOT NULL,
    test_order INTEGER NOT NULL,
    "check" VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    severity VARCHAR NOT NULL,
    failing_rows BIGINT
)"""


def checks_from_run_results(
    run_results: Mapping[str, Any], check_of: Callable[[str], str | None]
) -> list[dict[str, Any]]:
    """One entry per dbt data test of ``run_results`` (unit tests excluded), in run order.

    ``check_of`` names a test's check from its dbt unique id (``<asset key>:<test name>``;
    None for a test attached to no asset). As dagster-dbt decides for a check: passed only
    when dbt says ``pass``; severity ``WARN`` for a test that warned, else ``ERROR``.
    """
    results = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        if not unique_id.startswith("test."):
            continue
        check = check_of(unique_id)
        status = result["status"]
        # A test skipped because its model failed to build was not evaluated: it is no
        # gate's verdict (dagster-dbt emits no check result for it either). The close then
        # fails on the model's error, not as "blocked" by tests that never ran.
        if check is None or status == "skipped":
            continue
        results.append(
            {
                "check": check,
                "status": status,
                "passed": status == "pass",
                "severity": "WARN" if status == "warn" else "ERROR",
                "failing_rows": result.get("failures"),
            }
        )
    return results


def record_checks(
    conn: duckdb.DuckDBPyConnection, run_id: str, results: list[dict[str, Any]]
) -> None:
    """Replace run ``run_id``'s test results (a retried step records its last attempt)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS runs")
    conn.execute(RESULTS_DDL)
    conn.execute("DELETE FROM runs.dbt_test_results WHERE run_id = ?", [run_id])
    if not results:
        return
    conn.executemany(
        "INSERT INTO runs.dbt_test_results VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                order,
                r["check"],
                r["status"],
                r["passed"],
                r["severity"],
                r["failing_rows"],
            ]
            for order, r in enumerate(results)
        ],
    )


def checks_of_run(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """The recorded tests of ``run_id`` as the close's check entries (none if dbt never ran)."""
    if not has_table(conn, "runs", "dbt_test_results"):
        return []
    rows = conn.execute(
        'SELECT "check", passed, severity FROM runs.dbt_test_results '
        "WHERE run_id = ? ORDER BY test_order",
        [run_id],
    ).fetchall()
    return [
        {
            "check": check,
            "passed": passed,
            "severity": severity,
            "verdict": None,
            "top_failing_rule": None,
        }
        for check, passed, severity in rows
    ]
