"""GX on real DuckDB raw tables: verdicts, evidence hygiene, locks, and the Dagster gate.

Slow: these import great_expectations (seconds) and, for the last ones, run Dagster.
Each raw table is created from the contract (field SQL types plus provenance columns),
exactly as the ingest step shapes it.
"""

# No ``from __future__ import annotations``: Dagster reads the test assets' annotations.
import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from dagster_project.ingest.contracts import PROVENANCE_COLUMNS, SOURCES_BY_NAME
from dagster_project.quality.checks import build_raw_source_checks
from dagster_project.quality.gx_validation import (
    RawTableError,
    RawValidationResult,
    validate_raw_table,
    write_validation_json,
)
from dagster_project.quality.suites import Verdict, load_suite
from dagster_project.resources import PerfgovPaths, Warehouse

pytestmark = pytest.mark.slow

PERIOD = "2026-03"
SECRET_EMAIL = "zz.secret@example.com"
SECRET_NAME = "Zebulon Quaxworthy"
SECRET_FIRST, SECRET_LAST = SECRET_NAME.split()
SECRET_PAY = "987654.32"
SECRET_COMMENT = "Confidential remark about Quaxworthy"


# --------------------------------------------------------------------------------------
# Building raw tables from the contract
# --------------------------------------------------------------------------------------


def sfid(prefix: str, i: int) -> str:
    """An 18-character Salesforce-like id."""
    return f"{prefix}{i:015d}"


# Valid sample rows, one function per raw table: (row number, its Employee_ID) -> row.
_SAMPLES: dict[str, Callable[[int, str], dict[str, Any]]] = {
    "crm__account": lambda i, emp: {
        "Id": sfid("001", i),
        "Name": f"Account {i}",
        "Type": "Customer",
        "Industry": "Retail",
        "BillingCountry": "FR",
        "Segment__c": "B2B",
        "ERP_Customer_Code__c": f" c{i} ",
        "OwnerId": sfid("005", i % 7),
        "CreatedDate": datetime(2025, 1, 1),
        "IsDeleted": False,
    },
    "crm__user": lambda i, emp: {
        "Id": sfid("005", i),
        "Username": f"user{i}@corp.example",
        "Email": f"user{i}@corp.example",
        "FirstName": "Ann",
        "LastName": f"Doe{i}",
        "IsActive": True,
        "EmployeeNumber": emp if i % 2 else None,
    },
    "crm__opportunity": lambda i, emp: {
        "Id": sfid("006", i),
        "AccountId": sfid("001", i % 50),
        "OwnerId": sfid("005", i % 20),
        "Name": f"Deal {i}",
        "StageName": "Closed Won" if i % 2 else "Prospecting",
        "Amount": Decimal("1000.50") + i,
        "CurrencyIsoCode": "EUR",
        "Probability": Decimal(50),
        "CloseDate": date(2026, 3, 15),
        "CreatedDate": datetime(2026, 1, 1),
        "LastModifiedDate": datetime(2026, 3, 1),
        "Type": "New Business",
        "LeadSource": "Web",
        "IsClosed": bool(i % 2),
        "IsWon": bool(i % 2),
        "IsDeleted": False,
    },
    "crm__opportunity_split": lambda i, emp: {
        "Id": sfid("0SP", i),
        "OpportunityId": sfid("006", i),
        "SplitOwnerId": sfid("005", i % 20),
        "SplitPercentage": Decimal(100),
        "SplitTypeName": "Revenue",
    },
    "crm__task": lambda i, emp: {
        "Id": sfid("00T", i),
        "WhatId": sfid("006", i),
        "AccountId": sfid("001", i),
        "OwnerId": sfid("005", i % 20),
        "ActivityDate": date(2026, 3, 2),
        "TaskSubtype": "Call",
        "Status": "Completed",
    },
    "erp__client": lambda i, emp: {
        "code_client": f"C{i:05d}",
        "raison_sociale": f"Société {i}",
        "siren": f"{100000000 + i}",
        "pays": "FR",
        "segment": "ENTREPRISE",
    },
    "erp__facture": lambda i, emp: {
        "num_piece": f"FA{i:06d}",
        "type_piece": "AV" if i % 5 == 0 else "FA",
        "date_piece": date(2026, 3, 3),
        "code_client": f"C{i:05d}",
        "ref_opportunite": sfid("006", i),
        "montant_ht": Decimal("1234.56"),
        "devise": "EUR",
        "date_echeance": date(2026, 4, 3),
        "date_reglement": None,
    },
    "erp__taux_change": lambda i, emp: {
        "date": date(2026, 3, 2) + timedelta(days=i // 2),
        "devise": "USD" if i % 2 else "GBP",
        "taux": Decimal("1.085000"),
    },
    "hris__worker": lambda i, emp: {
        "Employee_ID": emp,
        "Legal_Name": f"Worker {i}",
        "Work_Email": f"w{i}@corp.example",
        "Job_Profile": "Account Executive",
        "Sales_Role": "Hunter",
        "Supervisory_Organization": "Team Lyon PME",
        "Manager_ID": "E999",
        "Business_Line": "Retail",
        "Hire_Date": date(2024, 1, 1),
        "Termination_Date": None,
        "FTE": Decimal(1),
        "Country": "FR",
        "Annual_Target_Variable": Decimal(12000),
        "Currency": "EUR",
    },
    "hris__learning": lambda i, emp: {
        "Employee_ID": emp,
        "Course_Title": "Negotiation 101",
        "Hours": Decimal("3.5"),
        "Completion_Date": date(2026, 3, 10),
        "Delivery": "E-learning",
    },
    "sales_ops__individual_quota": lambda i, emp: {
        "Employee_ID": emp,
        "Mois": PERIOD,
        "Quota_EUR": Decimal(50000),
    },
    "sales_ops__team_quota": lambda i, emp: {
        "Equipe": f"Team {i}",
        "Mois": PERIOD,
        "Quota_EUR": Decimal(250000),
    },
    "sales_ops__evaluation": lambda i, emp: {
        "Employee_ID": emp,
        "Periode": PERIOD,
        "Score_Qualitatif": Decimal(80),
        "Evaluateur_ID": "E999",
        "Commentaire": "ok",
    },
}


def clean_row(name: str, i: int, **overrides: Any) -> dict[str, Any]:
    sample = _SAMPLES[name](i, f"E{1000 + i}")
    row = {f: sample[f] for f in SOURCES_BY_NAME[name].field_names}
    row.update(overrides)
    return row


def create_raw_table(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    """``raw.<name>`` with the contract's SQL types plus the provenance columns."""
    source = SOURCES_BY_NAME[name]
    cols = [f'"{f.name}" {f.sql_type}' for f in source.fields]
    cols += [f'"{c}" {t}' for c, t in PROVENANCE_COLUMNS]
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    conn.execute(f"CREATE TABLE IF NOT EXISTS raw.{name} ({', '.join(cols)})")


def insert_rows(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    rows: list[Mapping[str, Any]],
    period: str = PERIOD,
) -> None:
    """Insert rows as the ingest would: provenance filled, one source row number each."""
    source = SOURCES_BY_NAME[name]
    fields = list(source.field_names)
    file = source.relative_path(period)
    values = [
        [row.get(f) for f in fields] + [period, file, "ab" * 32, n, datetime(2026, 4, 2)]
        for n, row in enumerate(rows, start=1)
    ]
    marks = ", ".join("?" for _ in range(len(fields) + len(PROVENANCE_COLUMNS)))
    conn.executemany(f"INSERT INTO raw.{name} VALUES ({marks})", values)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(path=str(tmp_path / "warehouse.duckdb"))


@pytest.fixture
def load(warehouse: Warehouse) -> Callable[..., None]:
    """``load(name, rows, period=PERIOD)``: create the raw table if needed and insert."""

    def _load(name: str, rows: list[Mapping[str, Any]], period: str = PERIOD) -> None:
        with warehouse.connect() as conn:
            create_raw_table(conn, name)
            insert_rows(conn, name, rows, period)

    return _load


def failing(result: RawValidationResult) -> dict[str, str]:
    """rule -> severity of every failed expectation."""
    return {e.rule: e.severity for e in result.expectations if not e.success}


def rule_of(name: str, expectation_type: str, column: str | None = None) -> str:
    for exp in load_suite(name)["expectations"]:
        if exp["type"] == expectation_type and (
            column is None or exp["kwargs"].get("column") == column
        ):
            return exp["meta"]["rule"]
    raise AssertionError(f"no {expectation_type} on {column} in {name}")


# --------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SOURCES_BY_NAME))
def test_every_suite_passes_on_a_clean_table(name: str, load: Callable[..., None], warehouse):
    """Each reviewed suite accepts valid data: no regex, set or range is mistyped."""
    load(name, [clean_row(name, i) for i in range(1, 7)])
    result = validate_raw_table(warehouse, name, PERIOD)
    assert failing(result) == {}
    assert result.verdict.verdict is Verdict.PASS
    assert result.row_count == 6
    assert result.verdict.top_failing_rule is None


def test_duplicate_key_and_unknown_stage_block_and_name_the_rule(load, warehouse, tmp_path):
    name = "crm__opportunity"
    rows = [clean_row(name, i) for i in range(1, 40)]
    rows.append(clean_row(name, 5))  # the same Id twice
    rows.append(clean_row(name, 41, StageName="Verbal Yes"))  # not a documented stage
    load(name, rows)
    result = validate_raw_table(warehouse, name, PERIOD)

    unique_rule = rule_of(name, "expect_column_values_to_be_unique", "Id")
    stage_rule = rule_of(name, "expect_column_values_to_be_in_set", "StageName")
    assert result.verdict.verdict is Verdict.BLOCK
    assert failing(result) == {unique_rule: "block", stage_rule: "block"}
    assert result.verdict.top_failing_rule == unique_rule  # suite order: keys before codes
    assert result.verdict.failed == {"block": 2, "hold": 0, "warn": 0}
    by_rule = {e.rule: e for e in result.expectations}
    assert by_rule[unique_rule].unexpected_count == 2
    assert by_rule[stage_rule].unexpected_count == 1
    assert by_rule[stage_rule].element_count == 41

    path = write_validation_json(result, tmp_path / "evidence")
    evidence = json.loads(path.read_text())
    assert evidence["verdict"]["verdict"] == "block"
    assert evidence["verdict"]["top_failing_rule"] == unique_rule
    assert evidence["suite_sha256"] == result.suite_sha256
    assert path.name == f"{name}__{result.result_id}.json"


def test_clean_period_passes_whatever_other_periods_hold(load, warehouse):
    name = "crm__opportunity"
    load(name, [clean_row(name, i) for i in range(1, 30)])
    bad = [clean_row(name, 1, StageName="Nope"), clean_row(name, 1)]
    load(name, bad, period="2026-02")  # duplicates and bad codes, but another period
    result = validate_raw_table(warehouse, name, PERIOD)
    assert result.verdict.verdict is Verdict.PASS
    assert result.verdict.failed == {"block": 0, "hold": 0, "warn": 0}
    assert result.row_count == 29


def test_hold_and_warn_do_not_block(load, warehouse):
    name = "crm__opportunity_split"
    rows = [clean_row(name, i) for i in range(1, 10)]
    rows.append(clean_row(name, 10, SplitPercentage=Decimal(150)))
    load(name, rows)
    assert validate_raw_table(warehouse, name, PERIOD).verdict.verdict is Verdict.HOLD

    name = "crm__opportunity"
    load(name, [clean_row(name, 1, CurrencyIsoCode="eur")])  # a lower-case currency
    summary = validate_raw_table(warehouse, name, PERIOD).verdict
    assert summary.verdict is Verdict.WARN
    assert summary.failed == {"block": 0, "hold": 0, "warn": 1}


def test_empty_period_blocks(load, warehouse):
    name = "erp__facture"
    load(name, [clean_row(name, 1)], period="2026-02")
    result = validate_raw_table(warehouse, name, PERIOD)
    assert result.verdict.verdict is Verdict.BLOCK
    assert result.verdict.top_failing_rule == rule_of(name, "expect_table_row_count_to_be_between")
    assert result.row_count == 0


def test_a_missing_column_blocks_on_the_column_set(load, warehouse):
    name = "erp__taux_change"
    load(name, [clean_row(name, i) for i in range(4)])
    with warehouse.connect() as conn:
        conn.execute(f"ALTER TABLE raw.{name} DROP COLUMN taux")
    result = validate_raw_table(warehouse, name, PERIOD)
    assert result.verdict.verdict is Verdict.BLOCK
    column_rule = rule_of(name, "expect_table_columns_to_match_set")
    assert result.verdict.top_failing_rule == column_rule
    taux_checks = [e for e in result.expectations if "taux" in e.columns]
    assert taux_checks and all(not e.success and e.raised_exception for e in taux_checks)


def test_a_missing_table_is_an_error_not_a_verdict(warehouse):
    with warehouse.connect() as conn:
        conn.execute("CREATE SCHEMA raw")
    with pytest.raises(RawTableError, match=r"raw\.crm__task"):
        validate_raw_table(warehouse, "crm__task", PERIOD)


# --------------------------------------------------------------------------------------
# Evidence hygiene, locks, side effects
# --------------------------------------------------------------------------------------


def _personal_rows() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Rows carrying distinctive personal values, in rows that fail expectations."""
    user = "crm__user"
    yield (
        user,
        [
            clean_row(user, 1),
            clean_row(
                user,
                1,
                Email=SECRET_EMAIL,
                FirstName=SECRET_FIRST,
                LastName=SECRET_LAST,
                Username=SECRET_EMAIL,
            ),  # duplicate Id
            clean_row(
                user,
                2,
                Id="short-" + SECRET_LAST,
                Email=SECRET_EMAIL,
                FirstName=SECRET_FIRST,
                LastName=SECRET_LAST,
                EmployeeNumber=SECRET_LAST,
            ),
        ],
    )
    worker = "hris__worker"
    yield (
        worker,
        [
            clean_row(worker, 1),
            clean_row(
                worker,
                1,
                Legal_Name=SECRET_NAME,
                Work_Email=SECRET_EMAIL,
                Annual_Target_Variable=Decimal(SECRET_PAY),
                Sales_Role=SECRET_LAST,
                FTE=Decimal(3),
            ),
        ],
    )
    evaluation = "sales_ops__evaluation"
    yield (
        evaluation,
        [
            clean_row(
                evaluation,
                1,
                Score_Qualitatif=Decimal(SECRET_PAY),
                Commentaire=SECRET_COMMENT,
                Periode="2026-01",
            ),
            clean_row(evaluation, 1, Score_Qualitatif=None, Commentaire=SECRET_COMMENT),
            clean_row(evaluation, 1, Commentaire=SECRET_COMMENT),  # duplicate key
        ],
    )


def test_personal_values_never_reach_evidence_or_logs(load, warehouse, tmp_path, caplog, capfd):
    caplog.set_level("DEBUG")
    texts: list[str] = []
    for name, rows in _personal_rows():
        load(name, rows)
        result = validate_raw_table(warehouse, name, PERIOD)
        assert result.verdict.verdict is Verdict.BLOCK, name
        path = write_validation_json(result, tmp_path / "evidence")
        texts.append(path.read_text(encoding="utf-8"))
        texts.append(repr(result))
    out, err = capfd.readouterr()
    texts += [out, err, caplog.text]
    blob = "\n".join(texts)
    for secret in (
        SECRET_EMAIL,
        SECRET_FIRST,
        SECRET_LAST,
        SECRET_PAY,
        "987654",
        SECRET_COMMENT,
        "short-",
    ):
        assert secret not in blob, secret


def test_no_lock_lingers_after_validation(load, warehouse):
    name = "crm__task"
    load(name, [clean_row(name, i) for i in range(5)])
    validate_raw_table(warehouse, name, PERIOD)
    # Another process opens the file read-write at once: no lock outlived the validation.
    probe = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
        "c.execute('CREATE TABLE probe AS SELECT 1 AS x'); c.close()"
    )
    subprocess.run([sys.executable, "-c", probe, warehouse.path], check=True, timeout=60)
    with duckdb.connect(warehouse.path) as conn:  # and this process, read-write too
        assert conn.execute("SELECT x FROM probe").fetchone() == (1,)


def test_no_network_and_no_progress_bars(load, warehouse, capfd):
    """GX runs offline (no socket is even opened) and draws no tqdm bars."""
    name = "erp__client"
    load(name, [clean_row(name, i) for i in range(5)])
    validate_raw_table(warehouse, name, PERIOD)  # warm: import GX outside the audit window
    capfd.readouterr()
    events: list[str] = []
    active = [True]

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if active[0] and event in {"socket.connect", "socket.getaddrinfo", "urllib.Request"}:
            events.append(event)

    sys.addaudithook(audit)  # audit hooks cannot be removed: deactivate it afterwards
    try:
        validate_raw_table(warehouse, name, PERIOD)
    finally:
        active[0] = False
    _, err = capfd.readouterr()
    assert events == []
    assert "Calculating Metrics" not in err
    assert "%|" not in err


# --------------------------------------------------------------------------------------
# The Dagster gate
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "verdict", "downstream_runs", "partitioned_check"),
    [
        ("duplicate", "block", False, True),
        ("duplicate", "block", False, False),  # the period still comes from the run
        ("over_100", "hold", True, True),
        ("clean", "pass", True, True),
    ],
)
def test_blocking_check_gates_downstream_assets(
    case: str, verdict: str, downstream_runs: bool, partitioned_check: bool, tmp_path: Path
):
    """A block stops the downstream asset of the same run; hold and pass let it run."""
    name = "crm__opportunity_split"
    monthly = dg.MonthlyPartitionsDefinition(start_date="2026-01-01")
    ran: list[str] = []

    @dg.asset(key=["raw", name], partitions_def=monthly)
    def splits(context: dg.AssetExecutionContext, warehouse: Warehouse) -> None:
        period = context.partition_key[:7]
        rows = [clean_row(name, i) for i in range(1, 6)]
        if case == "duplicate":
            rows.append(clean_row(name, 1))
        elif case == "over_100":
            rows.append(clean_row(name, 9, SplitPercentage=Decimal(150)))
        with warehouse.connect() as conn:
            create_raw_table(conn, name)
            insert_rows(conn, name, rows, period)

    @dg.asset(partitions_def=monthly, deps=[splits])
    def credits() -> None:
        ran.append("credits")

    checks = build_raw_source_checks(
        {name: splits.key}, partitions_def=monthly if partitioned_check else None
    )
    home = tmp_path / "home"
    result = dg.materialize(
        [splits, credits, *checks],
        partition_key="2026-03-01",
        raise_on_error=False,
        resources={
            "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
            "paths": PerfgovPaths(landing=str(tmp_path / "landing"), home=str(home)),
        },
    )

    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == f"gx_{name}"
    assert evaluation.partition == ("2026-03-01" if partitioned_check else None)
    assert evaluation.metadata["verdict"].value == verdict
    assert evaluation.passed is (verdict == "pass")
    if verdict == "block":
        assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    elif verdict == "hold":
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert (ran == ["credits"]) is downstream_runs
    assert result.success is downstream_runs

    evidence = Path(evaluation.metadata["evidence_path"].value)
    assert evidence.parent == home / "audit" / "2026-03" / "validations" / result.run_id
    assert json.loads(evidence.read_text())["verdict"]["verdict"] == verdict
