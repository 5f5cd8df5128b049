"""The harmonised and certified suites as reviewed files: no GX, no close (fast).

They pin down what the gates after ``dbt build`` promise: every rule of the comp plan's
blocks and holds and every warning of the quality issue has an expectation of the right
severity; every column a suite reads is a documented column of the mart it names (so a
renamed column fails here, not as a silently failing gate); parameters come from the plan
and config/quality.yaml, never from the suite file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from dagster_project.quality.suite_parameters import (
    QualityConfigError,
    reconciliation_tolerance_percent,
)
from dagster_project.quality.suites import (
    SUITE_PARAMETERS,
    SuiteError,
    check_suite,
    condition_columns,
    expectation_columns,
    nullness_only_columns,
    read_layer,
)
from dagster_project.settings import PROJECT_ROOT

MART_LAYERS = ("harmonised", "certified")


def _documented_columns() -> dict[str, set[str]]:
    """model name -> columns documented in the models' yml files under dbt/models/marts."""
    columns: dict[str, set[str]] = {}
    for path in (PROJECT_ROOT / "dbt" / "models" / "marts").rglob("_*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            columns[model["name"]] = {c["name"] for c in model.get("columns", [])}
    return columns


DOCUMENTED = _documented_columns()
SUITES = [s for layer in MART_LAYERS for s in read_layer(layer)]


def _rules(layer: str, severity: str) -> dict[str, list[dict[str, Any]]]:
    """suite name -> its expectations of that severity."""
    return {
        s.name: [e for e in s.doc["expectations"] if e["meta"]["severity"] == severity]
        for s in read_layer(layer)
    }


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: f"{s.layer}/{s.name}")
def test_every_column_a_suite_reads_is_documented_in_its_mart(suite) -> None:
    model = suite.table.split(".")[1]
    assert model in DOCUMENTED, f"{suite.table} is no documented mart"
    documented = DOCUMENTED[model]
    assert suite.period_column in documented
    for exp in suite.doc["expectations"]:
        named = set(expectation_columns(exp)) | set(exp["kwargs"].get("column_set", ()))
        assert named <= documented, (exp["meta"]["rule"], named - documented)
        if exp["type"] == "expect_table_columns_to_match_set":
            assert set(exp["kwargs"]["column_set"]) == documented


def test_each_block_of_the_plan_is_an_expectation_of_severity_block() -> None:
    blocks = _rules("harmonised", "block")
    per_rule = {
        e["kwargs"]["value_set"][0]
        for e in blocks["incentive_blocks"]
        if e["type"] == "expect_column_values_to_not_be_in_set"
    }
    plan = yaml.safe_load(
        (PROJECT_ROOT / "config/plans/central-variable-pay_2025-01.yaml").read_text()
    )
    # source_file_unusable is decided before dbt: by the readers and the raw suites' shape.
    assert per_rule == set(plan["blocks"]) - {"source_file_unusable"}
    fx = [e for e in blocks["bookings"] if e["kwargs"].get("column") == "fx_rate_per_eur"]
    assert fx and fx[0]["type"] == "expect_column_values_to_not_be_null"
    currency = [e for e in blocks["workers"] if e["kwargs"].get("column") == "currency_code"]
    assert currency[0]["kwargs"]["value_set"] == {"$PARAMETER": "plan_currency"}
    assert currency[0]["kwargs"]["row_condition"] == "is_eligible == True"


def test_each_hold_of_the_plan_is_an_expectation_of_severity_hold() -> None:
    holds = _rules("certified", "hold")["payouts"]
    conditions = {e["kwargs"].get("row_condition"): e["kwargs"]["column"] for e in holds}
    assert conditions["weight_individual > 0"] == "individual_attainment"
    assert conditions["weight_collective > 0"] == "team_attainment"
    assert conditions["weight_qualitative > 0"] == "qualitative_factor"
    split = _rules("harmonised", "hold")["bookings"]
    assert [e["kwargs"]["column"] for e in split] == ["is_split_exception"]


def test_the_warnings_of_the_quality_issue_are_warnings() -> None:
    warned = {
        value
        for layer in MART_LAYERS
        for exps in _rules(layer, "warn").values()
        for e in exps
        for value in e["kwargs"].get("value_set", [])
        if isinstance(e["kwargs"].get("value_set"), list)
    }
    assert {
        "crm_account_no_code",
        "crm_account_shared_code",
        "won_opportunity_not_invoiced",
        "erp_document_no_reference",
        "erp_document_unknown_opportunity",
        "won_close_date_in_future",
        "owner_inactive",
    } <= warned
    reconciliation = _rules("harmonised", "warn")["reconciliation"]
    tolerance = [e for e in reconciliation if e["kwargs"].get("column") == "abs_gap_percent"]
    assert tolerance[0]["kwargs"]["max_value"] == {"$PARAMETER": "reconciliation_tolerance_percent"}


def test_certified_bounds_cover_cap_tie_and_non_negative_payouts() -> None:
    controls = _rules("certified", "block")["payout_controls"]
    kinds = {(e["type"], e["kwargs"]["column_A"], e["kwargs"]["column_B"]) for e in controls}
    assert (
        "expect_column_pair_values_a_to_be_greater_than_b",
        "payout_cap_eur",
        "payout_eur",
    ) in kinds
    assert (
        "expect_column_pair_values_to_be_equal",
        "credited_with_adjustments_eur",
        "credit_lines_eur",
    ) in kinds
    payouts = _rules("certified", "block")["payouts"]
    assert any(
        e["kwargs"].get("column") == "payout_eur" and e["kwargs"].get("min_value") == 0
        for e in payouts
    )


def test_row_condition_columns_are_read_with_their_values() -> None:
    exp = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {
            "column": "team_attainment",
            "row_condition": 'weight_collective > 0 and status == "held"',
        },
        "meta": {"severity": "hold", "rule": "a rule of ten chars"},
    }
    assert condition_columns(exp["kwargs"]["row_condition"]) == ("weight_collective", "status")
    assert expectation_columns(exp) == ("team_attainment", "weight_collective", "status")
    # The checked column is only tested for presence; the condition's columns are values:
    # pulled as presence flags, `weight_collective > 0` would select every row.
    assert nullness_only_columns({"expectations": [exp]}) == ("team_attainment",)


def _suite(**kwargs: Any) -> dict[str, Any]:
    return {
        "name": "workers",
        "meta": {"version": 1, "table": "marts.workers", "period_column": "snapshot_period"},
        "expectations": [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "currency_code", "value_set": ["EUR"], **kwargs},
                "meta": {"severity": "block", "rule": "paid in the plan's currency"},
            }
        ],
    }


def test_a_suite_with_an_unknown_parameter_is_refused() -> None:
    with pytest.raises(SuiteError, match="unknown parameter 'plan_curency'"):
        check_suite(_suite(value_set={"$PARAMETER": "plan_curency"}), "workers", "harmonised")
    check_suite(_suite(value_set={"$PARAMETER": "plan_currency"}), "workers", "harmonised")
    assert "plan_currency" in SUITE_PARAMETERS


def test_a_personal_column_in_a_row_condition_is_refused() -> None:
    with pytest.raises(SuiteError, match=r"personal fields \['legal_name'\]"):
        check_suite(_suite(row_condition='legal_name == "x"'), "workers", "harmonised")


def test_a_mart_suite_must_name_its_own_mart_and_period_column() -> None:
    doc = _suite()
    doc["meta"]["table"] = "marts.payouts"
    with pytest.raises(SuiteError, match=r"is not marts\.workers"):
        check_suite(doc, "workers", "harmonised")
    doc = _suite()
    del doc["meta"]["period_column"]
    with pytest.raises(SuiteError, match="period_column is required"):
        check_suite(copy.deepcopy(doc), "workers", "harmonised")


def test_the_reconciliation_tolerance_comes_from_config(tmp_path: Path) -> None:
    assert 0 < reconciliation_tolerance_percent() <= 100
    config = tmp_path / "quality.yaml"
    config.write_text("reconciliation_tolerance_percent: 7.5\n")
    assert reconciliation_tolerance_percent(config) == 7.5
    for bad in ("-1", "101", "'ten'", "true", "null"):
        config.write_text(f"reconciliation_tolerance_percent: {bad}\n")
        with pytest.raises(QualityConfigError, match="reconciliation_tolerance_percent"):
            reconciliation_tolerance_percent(config)
