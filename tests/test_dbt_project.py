"""The dbt project (dbt/): its sources follow the ingest contracts, every staging column is
documented, and `dbt build` on a small hand-written warehouse maps the source codes into
the common vocabulary (credit notes negative, ENTREPRISE -> B2B, e-mails and ERP codes
normalised).

The fast tests only read files. The slow ones build a temporary DuckDB warehouse with the
13 raw tables and raw.quarantine, created from the contracts exactly as the ingest
creates them, and run dbt in-process (each invocation costs several seconds of start-up).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from dagster_project.ingest.contracts import PROVENANCE_COLUMNS, SOURCES, SOURCES_BY_NAME
from tests.dbt_layout import STAGING_MODEL_OF_SOURCE

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
STAGING_DIR = DBT_DIR / "models" / "staging"
SEEDS_DIR = DBT_DIR / "seeds"


# The columns of raw.quarantine, as the ingest writes them.
QUARANTINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_period", "VARCHAR"),
    ("source", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_sha256", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("reason", "VARCHAR"),
    ("record", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)

GLOSSARY_TERMS = (
    "customer", "segment", "business_line", "worker", "sales_role", "team", "booking",
    "credited_booking", "adjustment", "revenue", "credit_note", "fx_rate", "quota",
    "attainment", "target_variable", "payout", "hold", "block",
)  # fmt: skip


def _load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _sources_yml() -> dict[tuple[str, str], dict[str, Any]]:
    """(source name, table name) -> the table's yml entry, with the source's schema."""
    tables: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(STAGING_DIR.glob("_*__sources.yml")):
        for source in _load_yaml(path).get("sources", []):
            for table in source.get("tables", []):
                tables[(source["name"], table["name"])] = {**table, "_schema": source["schema"]}
    return tables


def _staging_models_yml() -> dict[str, dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for path in sorted(STAGING_DIR.glob("*.yml")):
        for model in _load_yaml(path).get("models", []) or []:
            assert model["name"] not in models, f"{model['name']} is documented twice"
            models[model["name"]] = model
    return models


def _is_personal(entry: dict[str, Any]) -> bool:
    return bool((entry.get("config") or {}).get("meta", {}).get("personal", False))


# ------------------------------------------------------------------ fast: files only


def test_sources_follow_the_contracts() -> None:
    """Every raw table is a dbt source with the contract's fields, types and personal flags,
    then the provenance columns: a change of contract without the yml fails here."""
    tables = _sources_yml()
    for contract in SOURCES:
        entry = tables.get((contract.system, contract.entity))
        assert entry is not None, f"no dbt source for {contract.raw_table}"
        assert entry["_schema"] == "raw"
        assert entry["identifier"] == contract.name
        assert entry.get("description"), f"{contract.name}: no description"
        expected = [(f.name, f.sql_type.lower(), f.personal) for f in contract.fields] + [
            (name, sql_type.lower(), False) for name, sql_type in PROVENANCE_COLUMNS
        ]
        documented = [(c["name"], c["data_type"], _is_personal(c)) for c in entry["columns"]]
        assert documented == expected, f"{contract.name}: columns differ from the contract"
        for column in entry["columns"]:
            assert column.get("description"), f"{contract.name}.{column['name']}: no description"

    quarantine = tables[("ingest", "quarantine")]
    assert quarantine["_schema"] == "raw"
    assert [(c["name"], c["data_type"]) for c in quarantine["columns"]] == [
        (name, sql_type.lower()) for name, sql_type in QUARANTINE_COLUMNS
    ]


def test_every_staging_model_is_documented_column_by_column() -> None:
    """One staging model per raw table, each reading its own source, each documented with
    a description and every column typed and described (the contract enforced by dbt then
    checks that the view has exactly these columns)."""
    models = _staging_models_yml()
    sql_files = {p.stem: p for p in STAGING_DIR.glob("*.sql")}
    # One model per source file of the contract, plus the plan in force (loaded from
    # config/plans, not from a drop).
    plan_models = {"stg_plan__parameters", "stg_plan__role_weights"}
    assert set(sql_files) == set(STAGING_MODEL_OF_SOURCE.values()) | plan_models
    assert set(models) == set(sql_files), "yml entries and SQL files differ"
    for model_name in plan_models:
        columns = models[model_name]["columns"]
        assert all(c.get("description") and c.get("data_type") for c in columns), model_name

    for source_name, model_name in STAGING_MODEL_OF_SOURCE.items():
        contract = SOURCES_BY_NAME[source_name]
        sql = sql_files[model_name].read_text(encoding="utf-8")
        assert f"source('{contract.system}', '{contract.entity}')" in sql, model_name
        assert "case when" not in sql.lower(), f"{model_name}: map codes with a seed, not CASE"
        assert "double" not in sql.lower(), f"{model_name}: money stays DECIMAL"

        model = models[model_name]
        assert model.get("description"), f"{model_name}: no description"
        columns = model.get("columns") or []
        assert len(columns) > 0
        names = [c["name"] for c in columns]
        assert len(names) == len(set(names)), f"{model_name}: a column is listed twice"
        for column in columns:
            assert column.get("description"), f"{model_name}.{column['name']}: no description"
            assert column.get("data_type"), f"{model_name}.{column['name']}: no data_type"
        # Provenance: every figure traces back to its drop, file and row.
        assert names[-4:] == ["snapshot_period", "source_file", "source_file_sha256", "source_row"]
        # Money and rates stay DECIMAL.
        decimals = {f.name for f in contract.fields if f.sql_type.startswith("DECIMAL")}
        if decimals:
            assert any(c["data_type"].startswith("decimal") for c in columns), model_name
        # A model fed by personal fields says so, and marks some of its columns.
        if contract.personal_fields and model_name != "stg_sales_ops__evaluations":
            assert (model.get("config") or {}).get("meta", {}).get("contains_personal_data")
        if contract.personal_fields:
            assert any(_is_personal(c) for c in columns), f"{model_name}: personal columns?"


def test_seeds_declare_and_describe_every_column() -> None:
    seeds = {s["name"]: s for s in _load_yaml(SEEDS_DIR / "_seeds.yml")["seeds"]}
    csv_files = {p.stem: p for p in SEEDS_DIR.glob("*.csv")}
    assert set(seeds) == set(csv_files)
    for name, path in csv_files.items():
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        seed = seeds[name]
        assert seed.get("description"), name
        assert list(seed["config"]["column_types"]) == header, f"{name}: column_types"
        assert [c["name"] for c in seed["columns"]] == header, f"{name}: columns"
        assert all(c.get("description") for c in seed["columns"]), name
        keys = [row[0] for row in body]
        assert len(keys) == len(set(keys)), f"{name}: duplicate code"


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_seed_code_lists_cover_the_documented_codes() -> None:
    """The code lists say what ../shared/spec/sources.md and comp-plan.md say."""

    def as_map(name: str, *columns: str) -> dict[str, tuple[str, ...]]:
        """The seed's code (its first column) -> the values of `columns`."""
        rows = _seed(name)
        code = next(iter(rows[0]))
        return {row[code]: tuple(row[c] for c in columns) for row in rows}

    assert as_map("erp_segment_codes", "segment") == {
        "ENTREPRISE": ("B2B",),
        "PARTICULIER": ("B2C",),
    }
    assert as_map("erp_document_type_codes", "document_type", "amount_sign") == {
        "FA": ("invoice", "1"), "AV": ("credit_note", "-1"),
    }  # fmt: skip
    assert as_map("hris_sales_role_codes", "is_incentive_eligible") == {
        "Hunter": ("true",), "Farmer": ("true",), "Negotiator": ("true",),
        "Sales Manager": ("true",), "Sales Support": ("false",),
    }  # fmt: skip
    assert as_map("crm_opportunity_type_codes", "sales_motion", "business_type") == {
        "New Business": ("hunter", "new_business"),
        "Existing Business - Upsell": ("farmer", "existing_business"),
        "Existing Business - Renewal": ("farmer", "existing_business"),
    }
    assert as_map("crm_split_type_codes", "split_type") == {
        "Revenue": ("revenue",), "Overlay": ("overlay",),
    }  # fmt: skip
    stages = as_map("crm_stage_codes", "stage_category", "is_open", "is_won")
    assert list(stages) == [
        "Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost",
    ]  # fmt: skip
    assert stages["Closed Won"] == ("won", "false", "true")
    assert stages["Closed Lost"] == ("lost", "false", "false")
    open_stages = {v for k, v in stages.items() if not k.startswith("Closed")}
    assert open_stages == {("open", "true", "false")}
    orders = [int(r["stage_sort_order"]) for r in _seed("crm_stage_codes")]
    assert orders == sorted(set(orders))


def test_project_settings() -> None:
    project = _load_yaml(DBT_DIR / "dbt_project.yml")
    assert project["name"] == "perfgov" and project["profile"] == "perfgov"
    assert "period" in project["vars"] and project["vars"]["period"] is None
    assert project["flags"]["send_anonymous_usage_stats"] is False
    assert project["models"]["perfgov"]["staging"]["+schema"] == "staging"
    assert project["seeds"]["perfgov"]["+schema"] == "reference"
    output = _load_yaml(DBT_DIR / "profiles.yml")["perfgov"]["outputs"]["duckdb"]
    assert output["type"] == "duckdb" and "PERFGOV_WAREHOUSE" in output["path"]


def test_glossary_defines_the_common_vocabulary() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in DBT_DIR.glob("models/docs/*.md"))
    defined = set(re.findall(r"{%\s*docs\s+(\w+)\s*%}", text))
    missing = set(GLOSSARY_TERMS) - defined
    assert not missing, f"glossary terms without a docs block: {sorted(missing)}"


# ------------------------------------------------------------------ the raw warehouse


def create_raw_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The raw schema exactly as the ingest creates it, and the plan in force as its asset
    writes it for both drops."""
    from dagster_project.incentives.plan import plan_in_force
    from dagster_project.incentives.plan_tables import write_plan_tables
    from dagster_project.ingest.loader import ensure_raw_schema

    ensure_raw_schema(conn, SOURCES)
    for period in (SEP, OCT):
        write_plan_tables(conn, period, plan_in_force(period))


def insert_raw(
    conn: duckdb.DuckDBPyConnection, source: str, period: str, rows: list[dict[str, Any]]
) -> None:
    """Append rows of one drop to raw.<source>, with their provenance (row numbers 1..n).
    Fields left out of a row are null, as a blank or missing value is in the raw tables."""
    contract = SOURCES_BY_NAME[source]
    names = [f.name for f in contract.fields] + [name for name, _ in PROVENANCE_COLUMNS]
    for row in rows:
        assert set(row) <= set(contract.field_names), f"{source}: {set(row)}"
    values = [
        [row.get(f.name) for f in contract.fields]
        + [period, contract.relative_path(period), f"sha-{source}-{period}", i, LOADED_AT]
        for i, row in enumerate(rows, start=1)
    ]
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    conn.executemany(f"insert into {contract.raw_table} ({quoted}) values ({marks})", values)


LOADED_AT = datetime(2026, 10, 3, 6, 0, tzinfo=UTC).replace(tzinfo=None)
SEP, OCT = "2026-09", "2026-10"
D = Decimal


def _worker(employee_id: str, role: str, email: str, **extra: Any) -> dict[str, Any]:
    return {
        "Employee_ID": employee_id, "Legal_Name": f"Name {employee_id}", "Work_Email": email,
        "Job_Profile": "Sales", "Sales_Role": role,
        "Supervisory_Organization": "Team Lyon PME  ", "Manager_ID": "E900",
        "Business_Line": "Mid-Market", "Hire_Date": date(2024, 1, 15), "FTE": D("1"),
        "Country": "FR", "Annual_Target_Variable": D("24000.00"), "Currency": "EUR", **extra,
    }  # fmt: skip


def fill_sample_drops(conn: duckdb.DuckDBPyConnection) -> None:
    """Two drops (September, October) exercising every mapping of staging, clean enough
    that every test of the project passes."""
    for period in (SEP, OCT):
        insert_raw(conn, "crm__account", period, [
            {"Id": "001A", "Name": "Acme SA", "Type": "Customer", "Industry": "Retail",
             "BillingCountry": "fr", "Segment__c": "B2B",
             "ERP_Customer_Code__c": "  c001 ", "OwnerId": "005A",
             "CreatedDate": datetime(2025, 1, 2, 3, 4, 5), "IsDeleted": False},
            {"Id": "001B", "Name": "Jean Client", "Type": "Customer", "Segment__c": "B2C",
             "ERP_Customer_Code__c": "   ", "OwnerId": "005A", "IsDeleted": False},
        ])  # fmt: skip
        insert_raw(conn, "crm__user", period, [
            {"Id": "005A", "Username": "alice@corp", "Email": "  Alice.Martin@Example.COM ",
             "FirstName": "Alice", "LastName": "Martin", "IsActive": True,
             "EmployeeNumber": " "},
            {"Id": "005B", "Username": "bob@corp", "Email": "bob@example.com",
             "FirstName": "Bob", "LastName": "Durand", "IsActive": True,
             "EmployeeNumber": "E002"},
        ])  # fmt: skip
        # The same deal in both snapshots, resized in October: staging keeps both.
        amount = D("1000.00") if period == SEP else D("1500.00")
        insert_raw(conn, "crm__opportunity", period, [
            {"Id": "006A", "AccountId": "001A", "OwnerId": "005A", "Name": "Deal A",
             "StageName": "Closed Won", "Amount": amount, "CurrencyIsoCode": "usd",
             "Probability": D("100"), "CloseDate": date(2026, 9, 15),
             "Type": "New Business", "IsClosed": True, "IsWon": True, "IsDeleted": False},
            {"Id": "006B", "AccountId": "001A", "OwnerId": "005B", "Name": "Deal B",
             "StageName": "Negotiation", "CurrencyIsoCode": "EUR",
             "Type": "Existing Business - Renewal", "IsClosed": False, "IsWon": False,
             "IsDeleted": False},
        ])  # fmt: skip
        insert_raw(conn, "crm__opportunity_split", period, [
            {"Id": "0SPA", "OpportunityId": "006A", "SplitOwnerId": "005A",
             "SplitPercentage": D("60"), "SplitTypeName": "Revenue"},
            {"Id": "0SPB", "OpportunityId": "006A", "SplitOwnerId": "005B",
             "SplitPercentage": D("40"), "SplitTypeName": "Revenue "},
            {"Id": "0SPC", "OpportunityId": "006A", "SplitOwnerId": "005B",
             "SplitPercentage": D("100"), "SplitTypeName": "Overlay"},
        ])  # fmt: skip
        insert_raw(conn, "crm__task", period, [
            {"Id": "00TA", "WhatId": "006A", "AccountId": "001A", "OwnerId": "005A",
             "ActivityDate": date(2026, 9, 1), "TaskSubtype": "Call", "Status": "Completed"},
        ])  # fmt: skip
        insert_raw(conn, "erp__client", period, [
            {"code_client": "C001", "raison_sociale": "ACME SA", "siren": "123456789",
             "pays": "FR", "segment": "ENTREPRISE"},
            {"code_client": " c002", "raison_sociale": "Jean Client", "pays": "fr",
             "segment": "PARTICULIER"},
        ])  # fmt: skip
        insert_raw(conn, "hris__worker", period, [
            _worker("E001", "Hunter", " ALICE.martin@example.com"),
            _worker("E002", "Negotiator", "bob@example.com"),
            _worker("E003", "Sales Support", "carol@example.com", Termination_Date=None),
            _worker("E900", "Sales Manager", "dan@example.com", Manager_ID=None),
        ])  # fmt: skip
        # The targets workbook is loaded whole with every drop.
        insert_raw(conn, "sales_ops__individual_quota", period, [
            {"Employee_ID": "E001 ", "Mois": month, "Quota_EUR": D("50000.00")}
            for month in ("2026-09", "2026-10")
        ])  # fmt: skip
        insert_raw(conn, "sales_ops__team_quota", period, [
            {"Equipe": "Team Lyon PME ", "Mois": month, "Quota_EUR": D("200000.00")}
            for month in ("2026-09", "2026-10")
        ])  # fmt: skip
        insert_raw(conn, "sales_ops__evaluation", period, [
            {"Employee_ID": "E002", "Periode": period, "Score_Qualitatif": D("80"),
             "Evaluateur_ID": "E900", "Commentaire": " Good quarter "},
        ])  # fmt: skip
        insert_raw(conn, "hris__learning", period, [
            {"Employee_ID": "E001", "Course_Title": "Negotiation 101", "Hours": D("3.5"),
             "Completion_Date": date(2026, 9, 20), "Delivery": "Classroom"},
        ])  # fmt: skip

    # ERP documents and rates are those of their own period only.
    invoice = {"num_piece": "F2026-001", "type_piece": "FA", "date_piece": date(2026, 9, 20),
               "code_client": "c001 ", "ref_opportunite": "006A", "montant_ht": D("1200.50"),
               "devise": "USD", "date_echeance": date(2026, 10, 20)}  # fmt: skip
    insert_raw(conn, "erp__facture", SEP, [
        invoice,
        dict(invoice),  # an identical repeated line (ERP re-export): flagged, not a block
        {"num_piece": "A2026-001", "type_piece": "AV", "date_piece": date(2026, 9, 25),
         "code_client": "C001", "ref_opportunite": "", "montant_ht": D("200.25"),
         "devise": "USD", "date_reglement": date(2026, 9, 30)},
    ])  # fmt: skip
    insert_raw(conn, "erp__taux_change", SEP, [
        {"date": date(2026, 9, 15), "devise": "USD", "taux": D("1.085300")},
        {"date": date(2026, 9, 16), "devise": "GBP", "taux": D("0.861000")},
    ])  # fmt: skip
    conn.execute(
        "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, ?, ?)",
        [SEP, "crm__opportunity", "crm/2026-09/Opportunity.csv", "sha", 3,
         "IsWon: not a boolean", '{"Id": "006Z", "IsWon": "maybe"}', LOADED_AT],
    )  # fmt: skip


# ------------------------------------------------------------------ slow: dbt itself


def run_dbt(args: list[str], warehouse: Path, work: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke dbt in-process on the project, against `warehouse`, with its target and logs
    under `work` (the repository's dbt/ folder is left untouched)."""
    from dbt.cli.main import dbtRunner  # imported here: it costs seconds

    monkeypatch.setenv("PERFGOV_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    return dbtRunner().invoke([
        *args,
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ])  # fmt: skip


def _statuses(result) -> dict[str, str]:
    return {r.node.unique_id: str(r.status) for r in result.result.results}


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("dbt_build")
    warehouse = work / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        create_raw_tables(conn)
        fill_sample_drops(conn)
    # No period: staging keeps every drop and the marts are empty. The churn score's
    # weights come from config/churn.yaml in every build (dbt_project.yml has none).
    from dagster_project.reporting.churn_config import load_churn_config

    churn = json.dumps(load_churn_config().dbt_vars())
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = run_dbt(["build", "--vars", churn], warehouse, work, monkeypatch)
    assert result.success, f"dbt build failed: {result.exception or _statuses(result)}"
    statuses = _statuses(result)
    not_passing = {k: v for k, v in statuses.items() if v not in ("success", "pass")}
    assert not not_passing, f"the sample drops should pass every test: {not_passing}"
    yield warehouse


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_build_creates_staging_views_and_reference_seeds(built_warehouse: Path) -> None:
    objects = set(_rows(built_warehouse, """
        select table_schema, table_name from information_schema.tables
        where table_schema in ('staging', 'reference')
    """))  # fmt: skip
    assert {("staging", m) for m in STAGING_MODEL_OF_SOURCE.values()} <= objects
    assert ("reference", "erp_document_type_codes") in objects
    assert not any(schema.startswith("main_") for schema, _ in objects)


@pytest.mark.slow
def test_credit_notes_are_negative_and_repeated_lines_flagged(built_warehouse: Path) -> None:
    rows = _rows(built_warehouse, """
        select invoice_number, document_type, amount_excl_tax, signed_amount_excl_tax,
               erp_customer_code, erp_customer_code_raw, opportunity_id, is_repeated_line,
               source_row, typeof(signed_amount_excl_tax)
        from staging.stg_erp__invoices order by source_row
    """)  # fmt: skip
    assert rows == [
        ("F2026-001", "invoice", D("1200.50"), D("1200.50"), "C001", "c001 ", "006A", False,
         1, "DECIMAL(18,2)"),
        ("F2026-001", "invoice", D("1200.50"), D("1200.50"), "C001", "c001 ", "006A", True,
         2, "DECIMAL(18,2)"),
        ("A2026-001", "credit_note", D("200.25"), D("-200.25"), "C001", "C001", None, False,
         3, "DECIMAL(18,2)"),
    ]  # fmt: skip


@pytest.mark.slow
def test_segments_and_customer_codes_are_mapped(built_warehouse: Path) -> None:
    customers = _rows(built_warehouse, """
        select erp_customer_code_raw, erp_customer_code, erp_segment, segment, country_code
        from staging.stg_erp__customers where snapshot_period = '2026-09' order by 2
    """)  # fmt: skip
    assert customers == [
        ("C001", "C001", "ENTREPRISE", "B2B", "FR"),
        (" c002", "C002", "PARTICULIER", "B2C", "FR"),
    ]
    accounts = _rows(built_warehouse, """
        select account_id, erp_customer_code_raw, erp_customer_code, segment
        from staging.stg_crm__accounts where snapshot_period = '2026-09' order by 1
    """)  # fmt: skip
    assert accounts == [("001A", "  c001 ", "C001", "B2B"), ("001B", "   ", None, "B2C")]


@pytest.mark.slow
def test_emails_are_normalised_for_identity_resolution(built_warehouse: Path) -> None:
    matched = _rows(built_warehouse, """
        select u.user_id, u.employee_id, u.email, w.employee_id, w.work_email_raw
        from staging.stg_crm__users as u
        join staging.stg_hris__workers as w
          on w.work_email = u.email and w.snapshot_period = u.snapshot_period
        where u.snapshot_period = '2026-10' order by 1
    """)  # fmt: skip
    assert matched == [
        ("005A", None, "alice.martin@example.com", "E001", " ALICE.martin@example.com"),
        ("005B", "E002", "bob@example.com", "E002", "bob@example.com"),
    ]


@pytest.mark.slow
def test_roles_teams_quotas_and_splits_are_mapped(built_warehouse: Path) -> None:
    rows = _rows(built_warehouse, """
        select employee_id, sales_role_code, is_incentive_eligible, team
        from staging.stg_hris__workers where snapshot_period = '2026-09'
    """)  # fmt: skip
    workers = {r[0]: r[1:] for r in rows}
    assert workers["E001"] == ("hunter", True, "Team Lyon PME")
    assert workers["E003"] == ("sales_support", False, "Team Lyon PME")
    assert _rows(built_warehouse, """
        select distinct employee_id, period_month, quota_eur
        from staging.stg_sales_ops__individual_quotas order by 2
    """) == [("E001", "2026-09", D("50000.00")), ("E001", "2026-10", D("50000.00"))]  # fmt: skip
    assert _rows(built_warehouse, """
        select opportunity_split_id, split_type from staging.stg_crm__opportunity_splits
        where snapshot_period = '2026-09' order by 1
    """) == [("0SPA", "revenue"), ("0SPB", "revenue"), ("0SPC", "overlay")]  # fmt: skip


@pytest.mark.slow
def test_every_snapshot_is_kept(built_warehouse: Path) -> None:
    rows = _rows(built_warehouse, """
        select snapshot_period, amount, currency_code, stage_category, sales_motion,
               source_file, source_row
        from staging.stg_crm__opportunities where opportunity_id = '006A' order by 1
    """)  # fmt: skip
    assert rows == [
        ("2026-09", D("1000.00"), "USD", "won", "hunter", "crm/2026-09/Opportunity.csv", 1),
        ("2026-10", D("1500.00"), "USD", "won", "hunter", "crm/2026-10/Opportunity.csv", 1),
    ]


@pytest.mark.slow
def test_a_duplicate_opportunity_fails_the_build_and_an_orphan_owner_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        create_raw_tables(conn)
        fill_sample_drops(conn)
        insert_raw(conn, "crm__opportunity", "2026-11", [
            {"Id": "006A", "OwnerId": "005A", "StageName": "Closed Won",
             "IsClosed": True, "IsWon": True, "IsDeleted": False},
            {"Id": "006A", "OwnerId": "005Z", "StageName": "Closed Won",
             "IsClosed": True, "IsWon": True, "IsDeleted": False},
        ])  # fmt: skip
    result = run_dbt(["build"], warehouse, tmp_path, monkeypatch)
    assert not result.success
    statuses = _statuses(result)
    failed = [k for k, v in statuses.items() if v in ("fail", "error")]
    warned = [k for k, v in statuses.items() if v == "warn"]
    # The duplicate is the one failure (a block); the owner matching no user of the
    # snapshot is reported, not blocking.
    assert len(failed) == 1, failed
    assert "unique_combination_of_columns_stg_crm__opportunities" in failed[0]
    assert any("relationships_where_stg_crm__opportunities_owner_user_id" in k for k in warned)
