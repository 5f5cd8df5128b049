"""dbt test results kept in the warehouse (not as Dagster checks), and the dbt build's DuckDB
settings: fast, no dbt run."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import yaml

from dagster_project.settings import DBT_DUCKDB_CONFIG, Settings, dbt_duckdb_environment
from dagster_project.transform.dbt_tests import (
    checks_from_run_results,
    checks_of_run,
    record_checks,
)

RUN_RESULTS = {
    "results": [
        {"unique_id": "model.perfgov.invoices", "status": "success", "failures": None},
        {"unique_id": "test.perfgov.not_null_invoices_x.1", "status": "pass", "failures": 0},
        {"unique_id": "test.perfgov.relationships_credits_y.2", "status": "warn", "failures": 3},
        {"unique_id": "test.perfgov.unique_invoices_z.3", "status": "fail", "failures": 2},
        {"unique_id": "test.perfgov.orphan.4", "status": "pass", "failures": 0},
        {"unique_id": "model.perfgov.revenue", "status": "error", "failures": None},
        {"unique_id": "test.perfgov.not_null_revenue_w.5", "status": "skipped", "failures": None},
        {"unique_id": "unit_test.perfgov.invoices.u", "status": "pass", "failures": 0},
    ]
}
CHECKS = {
    "test.perfgov.not_null_invoices_x.1": "marts/invoices:not_null_invoices_x",
    "test.perfgov.relationships_credits_y.2": "marts/credits:relationships_credits_y",
    "test.perfgov.unique_invoices_z.3": "marts/invoices:unique_invoices_z",
    "test.perfgov.not_null_revenue_w.5": "marts/revenue:not_null_revenue_w",
}


def test_each_data_test_becomes_the_check_dagster_dbt_would_have_reported() -> None:
    results = checks_from_run_results(RUN_RESULTS, CHECKS.get)
    # Models, unit tests, a test attached to no asset and a test skipped because its model
    # failed (it never ran: the close fails on the model's error) are not checks.
    assert [(r["check"], r["passed"], r["severity"], r["failing_rows"]) for r in results] == [
        ("marts/invoices:not_null_invoices_x", True, "ERROR", 0),
        ("marts/credits:relationships_credits_y", False, "WARN", 3),
        ("marts/invoices:unique_invoices_z", False, "ERROR", 2),
    ]


def test_results_are_read_back_per_run_in_run_order_and_a_retry_replaces_them() -> None:
    conn = duckdb.connect()
    assert checks_of_run(conn, "run-a") == []  # dbt never ran in this warehouse
    results = checks_from_run_results(RUN_RESULTS, CHECKS.get)
    record_checks(conn, "run-a", results)
    record_checks(conn, "run-b", results[:1])
    record_checks(conn, "run-a", results[1:])  # the retried step's attempt
    assert checks_of_run(conn, "run-a") == [
        {
            "check": "marts/credits:relationships_credits_y",
            "passed": False,
            "severity": "WARN",
            "verdict": None,
            "top_failing_rule": None,
        },
        {
            "check": "marts/invoices:unique_invoices_z",
            "passed": False,
            "severity": "ERROR",
            "verdict": None,
            "top_failing_rule": None,
        },
    ]
    assert [c["check"] for c in checks_of_run(conn, "run-b")] == [
        "marts/invoices:not_null_invoices_x"
    ]
    record_checks(conn, "run-b", [])  # dbt stopped before any test
    assert checks_of_run(conn, "run-b") == []


def test_the_dbt_build_gets_its_duckdb_limits_from_config_and_spills_inside_the_home(
    tmp_path: Path, monkeypatch
) -> None:
    config = yaml.safe_load(DBT_DUCKDB_CONFIG.read_text(encoding="utf-8"))
    environment = dbt_duckdb_environment(tmp_path)
    assert environment == {
        "PERFGOV_DBT_MEMORY_LIMIT": str(config["memory_limit"]),
        "PERFGOV_DBT_DUCKDB_THREADS": str(config["duckdb_threads"]),
        "PERFGOV_DBT_THREADS": str(config["dbt_threads"]),
        "PERFGOV_DBT_PRESERVE_INSERTION_ORDER": str(config["preserve_insertion_order"]).lower(),
        "PERFGOV_DBT_TEMP_DIRECTORY": str(tmp_path / config["temp_directory"]),
    }
    # DuckDB accepts the configured limit as it is.
    duckdb.connect().execute(f"SET memory_limit = '{environment['PERFGOV_DBT_MEMORY_LIMIT']}'")
    # A variable set by the operator wins over the file.
    # (every variable export_environment sets is restored after the test)
    for name in [*environment, "PERFGOV_LANDING", "PERFGOV_HOME", "PERFGOV_WAREHOUSE"]:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("DAGSTER_HOME", "")
    monkeypatch.setenv("PERFGOV_DBT_MEMORY_LIMIT", "1GB")
    Settings.resolve(home=tmp_path / "home").export_environment()
    assert os.environ["PERFGOV_DBT_MEMORY_LIMIT"] == "1GB"
    assert os.environ["PERFGOV_DBT_TEMP_DIRECTORY"] == environment[
        "PERFGOV_DBT_TEMP_DIRECTORY"
    ].replace(str(tmp_path), str(tmp_path / "home"))
