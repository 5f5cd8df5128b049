"""The raw suites as reviewed files, the verdict rule and the evidence writer: no GX here.

These run in the fast suite. They pin down what the gates promise (every table's shape,
keys, codes and ranges are covered; personal fields are only checked for presence) so
that an edit of a suite file which weakens a gate fails here, not in a close.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dagster_project.ingest.contracts import PROVENANCE_COLUMNS, SOURCES_BY_NAME
from dagster_project.quality.gx_validation import (
    ExpectationOutcome,
    RawValidationResult,
    write_validation_json,
)
from dagster_project.quality.suites import (
    NULLNESS_TYPES,
    SuiteError,
    Verdict,
    decide_verdict,
    expectation_columns,
    expected_column_set,
    load_suite,
    needed_columns,
    nullness_only_columns,
    read_suite,
    suite_names,
    suite_sha256,
    suite_version,
)
from tests.gx_reference import sanitize_result, select_list

NAMES = sorted(SOURCES_BY_NAME)
PROVENANCE = [c for c, _ in PROVENANCE_COLUMNS]

# The coded fields of ../shared/spec/sources.md, value for value.
CODED: dict[tuple[str, str], set[str]] = {
    ("crm__account", "Type"): {"Customer", "Prospect", "Partner"},
    ("crm__account", "Segment__c"): {"B2B", "B2C"},
    ("crm__opportunity", "StageName"): {
        "Prospecting",
        "Qualification",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    },
    ("crm__opportunity", "Type"): {
        "New Business",
        "Existing Business - Upsell",
        "Existing Business - Renewal",
    },
    ("crm__opportunity_split", "SplitTypeName"): {"Revenue", "Overlay"},
    ("crm__task", "TaskSubtype"): {"Call", "Email", "Task"},
    ("crm__task", "Status"): {"Completed", "Open"},
    ("erp__client", "segment"): {"ENTREPRISE", "PARTICULIER"},
    ("erp__facture", "type_piece"): {"FA", "AV"},
    ("hris__worker", "Sales_Role"): {
        "Hunter",
        "Farmer",
        "Negotiator",
        "Sales Manager",
        "Sales Support",
    },
    ("hris__worker", "Business_Line"): {"Enterprise", "Mid-Market", "Retail"},
    ("hris__learning", "Delivery"): {"Peer-led", "Classroom", "E-learning"},
}

# Ranges: (suite, column) -> (min, max, strict_min).
RANGES: dict[tuple[str, str], tuple[float | None, float | None, bool]] = {
    ("crm__opportunity_split", "SplitPercentage"): (0, 100, False),
    ("hris__worker", "FTE"): (0, 1, True),
    ("erp__taux_change", "taux"): (0, None, True),
    ("erp__facture", "montant_ht"): (0, None, False),
    ("sales_ops__individual_quota", "Quota_EUR"): (0, None, False),
    ("sales_ops__team_quota", "Quota_EUR"): (0, None, False),
    ("hris__learning", "Hours"): (0, None, False),
}

SALESFORCE_ID = r"^[a-zA-Z0-9]{18}$"
EMPLOYEE_ID = r"^E\d+$"

# Key uniqueness that is deliberately not a block at the raw level, and why.
KEY_NOT_BLOCKING = {
    # sources.md: an ERP re-export can repeat a line; comp-plan.md: an identical repeated
    # line is dropped and reported, not a block. Staging dedups and tests the key.
    "erp__facture": "warn",
}


def _of_type(suite: dict[str, Any], expectation_type: str) -> list[dict[str, Any]]:
    return [e for e in suite["expectations"] if e["type"] == expectation_type]


# --------------------------------------------------------------------------------------
# The suite files
# --------------------------------------------------------------------------------------


def test_every_raw_table_has_exactly_one_suite():
    assert list(suite_names()) == NAMES
    assert len(NAMES) == 13


@pytest.mark.parametrize("name", NAMES)
def test_suite_loads_with_version_hash_severities_and_rules(name: str):
    loaded = read_suite(name)
    assert loaded.doc["name"] == name
    assert loaded.doc["meta"]["table"] == SOURCES_BY_NAME[name].raw_table
    assert suite_version(name) == str(loaded.doc["meta"]["version"])
    assert suite_sha256(name) == loaded.sha256 and len(loaded.sha256) == 64
    rules = [e["meta"]["rule"] for e in loaded.doc["expectations"]]
    assert len(set(rules)) == len(rules), "a rule sentence must name one check"
    for exp in loaded.doc["expectations"]:
        assert set(exp) == {"type", "kwargs", "meta"}
        assert exp["meta"]["severity"] in {"block", "hold", "warn"}
        assert exp["meta"]["rule"].endswith(".")


@pytest.mark.parametrize("name", NAMES)
def test_suite_reads_only_columns_of_the_contract(name: str):
    source = SOURCES_BY_NAME[name]
    known = set(source.field_names) | set(PROVENANCE)
    suite = load_suite(name)
    for exp in suite["expectations"]:
        assert set(expectation_columns(exp)) <= known, exp


@pytest.mark.parametrize("name", NAMES)
def test_suite_demands_the_exact_column_set_and_rows(name: str):
    suite = load_suite(name)
    (column_set,) = _of_type(suite, "expect_table_columns_to_match_set")
    assert column_set["kwargs"]["exact_match"] is True
    assert column_set["meta"]["severity"] == "block"
    assert expected_column_set(suite) == (*SOURCES_BY_NAME[name].field_names, *PROVENANCE)
    (rows,) = _of_type(suite, "expect_table_row_count_to_be_between")
    assert rows["kwargs"]["min_value"] >= 1


@pytest.mark.parametrize("name", NAMES)
def test_required_fields_and_provenance_are_not_null_as_a_block(name: str):
    source = SOURCES_BY_NAME[name]
    not_null = {
        e["kwargs"]["column"]
        for e in _of_type(load_suite(name), "expect_column_values_to_not_be_null")
        if e["meta"]["severity"] == "block"
    }
    required = {f.name for f in source.fields if f.required}
    assert required | {"_source_file", "_source_sha256", "_source_row", "_loaded_at"} <= not_null


@pytest.mark.parametrize("name", [n for n in NAMES if SOURCES_BY_NAME[n].key])
def test_the_key_is_unique_within_the_period(name: str):
    key = SOURCES_BY_NAME[name].key
    assert key is not None
    suite = load_suite(name)
    if len(key) == 1:
        matches = [
            e
            for e in _of_type(suite, "expect_column_values_to_be_unique")
            if e["kwargs"]["column"] == key[0]
        ]
    else:
        matches = [
            e
            for e in _of_type(suite, "expect_compound_columns_to_be_unique")
            if e["kwargs"]["column_list"] == list(key)
        ]
    assert len(matches) == 1, f"{name}: no uniqueness check on its key {key}"
    assert matches[0]["meta"]["severity"] == KEY_NOT_BLOCKING.get(name, "block")


@pytest.mark.parametrize("name", NAMES)
def test_each_source_row_is_loaded_once(name: str):
    """A double load of the same file for a period blocks (the only guard where no key)."""
    suite = load_suite(name)
    assert any(
        e["kwargs"]["column_list"] == ["_source_file", "_source_row"]
        and e["meta"]["severity"] == "block"
        for e in _of_type(suite, "expect_compound_columns_to_be_unique")
    )


@pytest.mark.parametrize(("name", "column"), sorted(CODED))
def test_coded_fields_are_checked_against_the_documented_codes(name: str, column: str):
    matches = [
        e
        for e in _of_type(load_suite(name), "expect_column_values_to_be_in_set")
        if e["kwargs"]["column"] == column
    ]
    assert len(matches) == 1
    assert set(matches[0]["kwargs"]["value_set"]) == CODED[(name, column)]
    assert matches[0]["meta"]["severity"] == "block"


@pytest.mark.parametrize(("name", "column"), sorted(RANGES))
def test_ranges(name: str, column: str):
    low, high, strict_min = RANGES[(name, column)]
    (exp,) = [
        e
        for e in _of_type(load_suite(name), "expect_column_values_to_be_between")
        if e["kwargs"]["column"] == column
    ]
    kwargs = exp["kwargs"]
    assert kwargs.get("min_value") == low
    assert kwargs.get("max_value") == high
    assert bool(kwargs.get("strict_min", False)) is strict_min
    assert not kwargs.get("strict_max", False)


@pytest.mark.parametrize("name", NAMES)
def test_key_formats_block(name: str):
    """Salesforce Id keys are 18 characters and Employee_ID keys are E + digits: block."""
    source = SOURCES_BY_NAME[name]
    regexes = {
        (e["kwargs"]["column"], e["kwargs"]["regex"]): e["meta"]["severity"]
        for e in _of_type(load_suite(name), "expect_column_values_to_match_regex")
    }
    for column in source.key or ():
        if name.startswith("crm__") and column == "Id":
            assert regexes.get((column, SALESFORCE_ID)) == "block"
        if column == "Employee_ID":
            assert regexes.get((column, EMPLOYEE_ID)) == "block"


def test_currency_and_country_formats_are_covered():
    formats = {
        (name, e["kwargs"]["column"]): e["kwargs"]["regex"]
        for name in NAMES
        for e in _of_type(load_suite(name), "expect_column_values_to_match_regex")
    }
    for where in [
        ("crm__opportunity", "CurrencyIsoCode"),
        ("erp__facture", "devise"),
        ("erp__taux_change", "devise"),
        ("hris__worker", "Currency"),
    ]:
        assert formats[where] == "^[A-Z]{3}$", where
    for where in [
        ("crm__account", "BillingCountry"),
        ("erp__client", "pays"),
        ("hris__worker", "Country"),
    ]:
        assert formats[where] == "^[A-Z]{2}$", where


@pytest.mark.parametrize("name", NAMES)
def test_personal_fields_are_only_checked_for_presence(name: str):
    personal = SOURCES_BY_NAME[name].personal_fields
    suite = load_suite(name)
    for exp in suite["expectations"]:
        if set(expectation_columns(exp)) & personal:
            assert exp["type"] in NULLNESS_TYPES, exp
    # ... and so their values are never pulled from DuckDB, only a presence flag.
    value_columns = set(needed_columns(suite)) - set(nullness_only_columns(suite))
    assert not value_columns & personal


# --------------------------------------------------------------------------------------
# Refusing broken suite files
# --------------------------------------------------------------------------------------


def _write(directory: Path, name: str, doc: Any) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    (directory / f"{name}.json").write_text(text)


def _minimal(name: str = "crm__task", **exp_overrides: Any) -> dict[str, Any]:
    exp: dict[str, Any] = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "Id"},
        "meta": {"severity": "block", "rule": "Id is filled in every row."},
    }
    exp.update(exp_overrides)
    return {"name": name, "meta": {"version": 1}, "expectations": [exp]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "not valid JSON"),
        (_minimal(name="crm__account"), "not its file's name"),
        ({**_minimal(), "meta": {}}, "meta.version"),
        ({**_minimal(), "meta": {"version": "v2"}}, "meta.version"),
        ({**_minimal(), "expectations": []}, "non-empty"),
        (_minimal(type="expect_column_values_to_be_nonsense"), "not one the raw gates"),
        (_minimal(kwargs={}), "missing kwargs"),
        (_minimal(kwargs={"column": "Id", "result_format": "COMPLETE"}), "unsupported kwargs"),
        (_minimal(meta={"rule": "Id is filled in every row."}), "severity"),
        (_minimal(meta={"severity": "fatal", "rule": "Id is filled."}), "severity"),
        (_minimal(meta={"severity": "warn"}), "rule"),
        (_minimal(kwargs={"column": "NoSuchColumn"}), "not in the contract"),
        (
            _minimal(
                type="expect_column_values_to_match_regex", kwargs={"column": "Id", "regex": "(["}
            ),
            "regex does not compile",
        ),
    ],
)
def test_broken_suites_are_refused_with_a_reason(tmp_path: Path, doc: Any, message: str):
    _write(tmp_path, "crm__task", doc)
    with pytest.raises(SuiteError, match=message):
        load_suite("crm__task", tmp_path)


def test_a_value_check_on_a_personal_field_is_refused(tmp_path: Path):
    doc = _minimal(
        name="crm__user",
        type="expect_column_values_to_match_regex",
        kwargs={"column": "Email", "regex": "@"},
    )
    _write(tmp_path, "crm__user", doc)
    with pytest.raises(SuiteError, match="personal fields"):
        load_suite("crm__user", tmp_path)


def test_a_missing_suite_and_a_bad_name_are_refused(tmp_path: Path):
    with pytest.raises(SuiteError, match="no file"):
        load_suite("crm__task", tmp_path)
    with pytest.raises(SuiteError, match="not of the form"):
        load_suite("../etc/passwd", tmp_path)


def test_duplicate_rules_are_refused(tmp_path: Path):
    doc = _minimal()
    doc["expectations"].append(dict(doc["expectations"][0]))
    _write(tmp_path, "crm__task", doc)
    with pytest.raises(SuiteError, match="used twice"):
        load_suite("crm__task", tmp_path)


def test_hash_follows_the_bytes(tmp_path: Path):
    _write(tmp_path, "crm__task", _minimal())
    before = suite_sha256("crm__task", tmp_path)
    _write(tmp_path, "crm__task", json.dumps(_minimal(), indent=2))
    assert suite_sha256("crm__task", tmp_path) != before


# --------------------------------------------------------------------------------------
# What the GX reference pulls from DuckDB (tests/gx_reference.py)
# --------------------------------------------------------------------------------------


def test_select_list_masks_presence_only_columns_and_nulls_the_rest():
    suite = load_suite("crm__user")
    columns = [(f.name, f.sql_type) for f in SOURCES_BY_NAME["crm__user"].fields]
    columns += list(PROVENANCE_COLUMNS)
    exprs = dict(zip([c for c, _ in columns], select_list(columns, suite), strict=True))
    assert exprs["Id"] == '"Id"'
    assert exprs["Email"] == 'CASE WHEN "Email" IS NULL THEN NULL ELSE TRUE END AS "Email"'
    for unread in ("Username", "FirstName", "LastName", "_period"):
        assert exprs[unread] == f'NULL AS "{unread}"'


def test_select_list_reads_decimals_as_double():
    suite = load_suite("crm__opportunity_split")
    exprs = select_list([("SplitPercentage", "DECIMAL(18,4)")], suite)
    assert exprs == ['CAST("SplitPercentage" AS DOUBLE) AS "SplitPercentage"']


# --------------------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------------------


def _r(severity: str, success: bool, rule: str, **extra: Any) -> dict[str, Any]:
    return {"severity": severity, "success": success, "rule": rule, **extra}


def test_verdict_pass():
    summary = decide_verdict([_r("block", True, "a"), _r("warn", True, "b")])
    assert summary.verdict is Verdict.PASS
    assert summary.failed == {"block": 0, "hold": 0, "warn": 0}
    assert summary.failed_total == 0 and summary.evaluated == 2
    assert summary.top_failing_rule is None


@pytest.mark.parametrize(
    ("results", "verdict", "top"),
    [
        ([_r("warn", False, "w1"), _r("block", True, "b1")], Verdict.WARN, "w1"),
        ([_r("warn", False, "w1"), _r("hold", False, "h1")], Verdict.HOLD, "h1"),
        (
            [
                _r("warn", False, "w1"),
                _r("hold", False, "h1"),
                _r("block", False, "b1"),
                _r("block", False, "b2"),
            ],
            Verdict.BLOCK,
            "b1",
        ),
    ],
)
def test_verdict_is_the_worst_failed_severity(results, verdict, top):
    summary = decide_verdict(results)
    assert summary.verdict is verdict
    assert summary.top_failing_rule == top
    assert summary.failing_rules[0] == top
    assert summary.failed_total == sum(1 for r in results if not r["success"])


def test_verdict_counts_per_severity_and_treats_a_raised_check_as_failed():
    summary = decide_verdict(
        [
            _r("block", False, "b1", raised_exception=True),
            _r("hold", False, "h1"),
            _r("hold", False, "h2"),
            _r("warn", True, "w1"),
        ]
    )
    assert summary.failed == {"block": 1, "hold": 2, "warn": 0}
    assert summary.verdict is Verdict.BLOCK
    assert summary.to_dict()["failing_rules"] == ["b1", "h1", "h2"]


def test_verdict_refuses_an_unknown_severity():
    with pytest.raises(SuiteError, match="unknown severity"):
        decide_verdict([_r("fatal", False, "x")])


# --------------------------------------------------------------------------------------
# Sanitizing and writing evidence
# --------------------------------------------------------------------------------------

SECRET = "zz.secret@example.com"


def test_sanitize_keeps_counts_and_drops_every_value():
    expectation = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "Sales_Role", "value_set": ["Hunter"]},
        "meta": {"severity": "block", "rule": "Sales_Role is a documented role."},
    }
    gx_result = {
        "success": False,
        "result": {
            "element_count": 10,
            "unexpected_count": 2,
            "unexpected_percent": 20.0,
            "missing_count": 1,
            "partial_unexpected_list": [SECRET],
            "partial_unexpected_counts": [{"value": SECRET, "count": 2}],
            "unexpected_list": [SECRET],
            "observed_value": SECRET,
            "details": {"value_counts": [{"value": SECRET}]},
        },
        "exception_info": {"raised_exception": False, "exception_message": SECRET},
        "expectation_config": {"kwargs": {"value_set": [SECRET]}},
    }
    outcome = sanitize_result(3, expectation, gx_result)
    assert SECRET not in json.dumps(outcome.to_dict())
    assert outcome.to_dict() == {
        "index": 3,
        "expectation_type": "expect_column_values_to_be_in_set",
        "columns": ["Sales_Role"],
        "severity": "block",
        "rule": "Sales_Role is a documented role.",
        "success": False,
        "raised_exception": False,
        "element_count": 10,
        "unexpected_count": 2,
        "unexpected_percent": 20.0,
        "missing_count": 1,
        "observed_value": None,
    }


def test_sanitize_keeps_table_level_observations_only_of_their_shape():
    rows = {
        "type": "expect_table_row_count_to_be_between",
        "kwargs": {"min_value": 1},
        "meta": {"severity": "block", "rule": "At least one row."},
    }
    assert (
        sanitize_result(0, rows, {"success": True, "result": {"observed_value": 7}}).observed_value
        == 7
    )
    assert (
        sanitize_result(
            0, rows, {"success": True, "result": {"observed_value": SECRET}}
        ).observed_value
        is None
    )
    failed = sanitize_result(
        0,
        rows,
        {
            "success": True,
            "exception_info": {
                "metric-id": {
                    "raised_exception": True,
                    "exception_message": SECRET,
                    "exception_traceback": SECRET,
                }
            },
        },
    )
    assert failed.raised_exception and not failed.success
    assert SECRET not in json.dumps(failed.to_dict())


def _result(verdict_results: list[dict[str, Any]], result_id: str = "r-1") -> RawValidationResult:
    outcomes = tuple(
        ExpectationOutcome(
            index=i,
            expectation_type="expect_column_values_to_not_be_null",
            columns=("Id",),
            severity=r["severity"],
            rule=r["rule"],
            success=r["success"],
            raised_exception=False,
            element_count=5,
            unexpected_count=0 if r["success"] else 1,
            unexpected_percent=0.0 if r["success"] else 20.0,
            missing_count=None,
            observed_value=None,
        )
        for i, r in enumerate(verdict_results)
    )
    return RawValidationResult(
        suite="crm__task",
        suite_version="1",
        suite_sha256="0" * 64,
        table="raw.crm__task",
        period="2026-03",
        result_id=result_id,
        run_at="2026-04-02T08:00:00Z",
        row_count=5,
        great_expectations_version="1.24.1",
        read_seconds=0.01,
        validate_seconds=0.2,
        expectations=outcomes,
        verdict=decide_verdict([o.to_dict() for o in outcomes]),
    )


def test_evidence_is_written_atomically_once(tmp_path: Path):
    result = _result([_r("block", False, "Id is filled in every row.")])
    directory = tmp_path / "audit" / "2026-03" / "validations"
    path = write_validation_json(result, directory)
    assert path == directory / "crm__task__r-1.json"
    written = json.loads(path.read_text())
    assert written == json.loads(json.dumps(result.to_dict()))
    assert written["verdict"]["verdict"] == "block"
    assert [p.name for p in directory.iterdir()] == [path.name]  # no temporary file left
    with pytest.raises(FileExistsError):
        write_validation_json(result, directory)
    assert json.loads(path.read_text()) == written
    assert [p.name for p in directory.iterdir()] == [path.name]


# --------------------------------------------------------------------------------------
# The Dagster mapping (imports dagster, never GX)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "passed", "severity", "verdict"),
    [
        ([_r("block", False, "B."), _r("warn", False, "W.")], False, "ERROR", "block"),
        ([_r("hold", False, "H."), _r("warn", False, "W.")], False, "WARN", "hold"),
        ([_r("warn", False, "W.")], False, "WARN", "warn"),
        ([_r("block", True, "B.")], True, None, "pass"),
    ],
)
def test_verdict_maps_onto_the_check_result(results, passed, severity, verdict):
    import dagster as dg

    from dagster_project.quality.checks import check_result_from_validation

    check = check_result_from_validation(_result(results), "/home/audit/x.json")
    assert check.passed is passed
    if severity is not None:
        assert check.severity == getattr(dg.AssetCheckSeverity, severity)
    md = {k: getattr(v, "value", v) for k, v in check.metadata.items()}
    assert md["verdict"] == verdict
    assert md["failed_expectations"] == sum(1 for r in results if not r["success"])
    assert {md["failed_block"], md["failed_hold"], md["failed_warn"]} <= {0, 1}
    assert md["suite_version"] == "1" and md["result_id"] == "r-1"
    assert md["evidence_path"] == "/home/audit/x.json"
    assert md["top_failing_rule"] == ("" if passed else results[0]["rule"])


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "march", "2026-03-01"])
def test_a_period_that_is_not_a_month_is_refused_before_any_read(period: str):
    from dagster_project.quality.gx_validation import validate_raw_table

    class NoWarehouse:
        def connect(self, read_only: bool = False):
            raise AssertionError("must not be opened")

    with pytest.raises(ValueError, match="not a month"):
        validate_raw_table(NoWarehouse(), "crm__task", period)


def test_evidence_lives_under_the_homes_audit_trail():
    from dagster_project.quality.checks import validations_dir

    assert validations_dir("/srv/perfgov", "2026-03") == Path(
        "/srv/perfgov/audit/2026-03/validations"
    )


def test_building_the_checks_does_not_import_gx():
    """Definitions load builds the checks; GX (seconds to import) must not come with them."""
    code = (
        "import sys, dagster as dg\n"
        "from dagster_project.ingest.contracts import SOURCES_BY_NAME\n"
        "from dagster_project.quality.checks import build_raw_source_checks\n"
        "checks = build_raw_source_checks("
        "{n: dg.AssetKey(['raw', n]) for n in SOURCES_BY_NAME})\n"
        "assert len(checks) == 13, len(checks)\n"
        "assert 'great_expectations' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=120)


def test_unknown_sources_are_refused():
    import dagster as dg

    from dagster_project.quality.checks import build_raw_source_checks

    with pytest.raises(ValueError, match="not sources"):
        build_raw_source_checks({"crm__lead": dg.AssetKey("lead")})


def test_a_check_outside_a_partitioned_run_fails_loudly(tmp_path: Path):
    """Without a partition the gate cannot know its period: the step fails, nothing passes."""
    import dagster as dg

    from dagster_project.quality.checks import build_raw_source_checks
    from dagster_project.resources import PerfgovPaths, Warehouse

    @dg.asset(key=["raw", "crm__task"])
    def tasks() -> None: ...

    result = dg.materialize(
        [tasks, *build_raw_source_checks({"crm__task": tasks.key})],
        raise_on_error=False,
        resources={
            "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
            "paths": PerfgovPaths(landing=str(tmp_path), home=str(tmp_path)),
        },
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "monthly partition key" in str(failure.step_failure_data.error)
    assert result.get_asset_check_evaluations() == []


def test_sanitize_accepts_numpy_counts():
    import numpy as np

    expectation = {
        "type": "expect_column_values_to_be_unique",
        "kwargs": {"column": "Id"},
        "meta": {"severity": "block", "rule": "Id is unique."},
    }
    gx_result = {
        "success": False,
        "result": {
            "element_count": np.int64(9),
            "unexpected_count": np.int64(2),
            "unexpected_percent": np.float64("nan"),
            "missing_count": np.int32(0),
        },
    }
    outcome = sanitize_result(0, expectation, gx_result)
    assert (outcome.element_count, outcome.unexpected_count, outcome.missing_count) == (9, 2, 0)
    assert outcome.unexpected_percent is None
    json.dumps(outcome.to_dict(), allow_nan=False)
