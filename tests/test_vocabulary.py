"""One common vocabulary: the intermediate and mart models where CRM, ERP and HR are
reconciled (dbt/models/intermediate, dbt/models/marts), and their glossary.

Fast tests read the project's files: every model and column documented and typed, mart
contracts enforced, glossary terms referenced from the marts, no code mapping or money
division written by hand in the SQL.

Slow tests read the warehouse of a real close of the bundled sample (fixture
``closed_sample``: 2026-10 closed into a fresh home) and check the properties the marts
promise:
  (a) every source row and amount of the period is accounted for, file -> raw and
      quarantine -> staging -> marts, to the cent;
  (b) every credited EUR traces back to a booking, its opportunity row and file, and
      credits + split exceptions tie to bookings;
  (c) identity resolution drops nobody: each user, account, ERP customer and ERP document
      is either matched or listed in identity_exceptions, never both.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from tests.dbt_layout import STAGING_MODEL_OF_SOURCE

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
INTERMEDIATE_DIR = DBT_DIR / "models" / "intermediate"
MARTS_DIR = DBT_DIR / "models" / "marts"
PERIOD = "2026-10"
D = Decimal

# The models of this vocabulary (other folders, e.g. incentives/, belong to other steps).
INTERMEDIATE_MODELS = {
    "int_fx_rates_as_of",
    "int_users_matched_to_workers",
    "int_accounts_matched_to_customers",
    "int_invoices_matched_to_opportunities",
    "int_won_opportunities_converted_to_eur",
    "int_won_opportunities_credited",
}
MARTS = {
    "customers", "workers", "teams", "bookings", "credits", "credit_exceptions",
    "identity_exceptions", "invoices", "activities", "trainings",
}  # fmt: skip

# Glossary terms each mart's columns must reference with doc().
GLOSSARY_REFERENCES = {
    "customers": {"customer", "segment", "identity_match"},
    "workers": {"worker", "sales_role", "team", "business_line", "target_variable"},
    "teams": {"team", "business_line"},
    "bookings": {"booking", "fx_rate", "credited_booking", "credit_exception"},
    "credits": {"credited_booking", "worker", "unattributed_credit"},
    "credit_exceptions": {"hold"},
    "invoices": {"revenue", "credit_note", "fx_rate", "customer"},
}

# Values that only the seeds may map (source codes): never compared in intermediate/marts SQL.
SOURCE_CODES = (
    "ENTREPRISE", "PARTICULIER", "Closed Won", "Closed Lost", "New Business",
    "Existing Business", "'Revenue'", "'Overlay'", "'FA'", "'AV'", "'Hunter'", "'Farmer'",
    "'Negotiator'", "'Sales Manager'", "'Sales Support'",
)  # fmt: skip


def _load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _models(path: Path) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in _load_yaml(path).get("models", [])}


def _sql_without_comments(path: Path) -> str:
    sql = path.read_text(encoding="utf-8")
    sql = re.sub(r"{#.*?#}", "", sql, flags=re.S)
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


# ------------------------------------------------------------------ fast: files only


@pytest.mark.parametrize(
    ("folder", "yml", "names"),
    [
        (INTERMEDIATE_DIR, "_intermediate__models.yml", INTERMEDIATE_MODELS),
        (MARTS_DIR, "_marts__models.yml", MARTS),
    ],
)
def test_every_model_and_column_is_documented_typed_and_under_contract(
    folder: Path, yml: str, names: set[str]
) -> None:
    models = _models(folder / yml)
    assert set(models) == names
    assert {p.stem for p in folder.glob("*.sql")} == names, "yml entries and SQL files differ"
    for name, model in models.items():
        assert model.get("description"), f"{name}: no description"
        assert (model.get("config") or {}).get("contract") == {"enforced": True}, name
        columns = model.get("columns") or []
        column_names = [c["name"] for c in columns]
        assert len(column_names) == len(set(column_names)), f"{name}: a column is listed twice"
        for column in columns:
            assert column.get("description"), f"{name}.{column['name']}: no description"
            assert column.get("data_type"), f"{name}.{column['name']}: no data_type"
        # Provenance: every row traces back to its drop, file and row.
        assert {"snapshot_period"} <= set(column_names), name
        if name not in {"teams"}:
            assert {"source_file", "source_row"} <= set(column_names), name
        # Money and rates are DECIMAL, never floating point.
        for column in columns:
            assert not re.search(r"double|float|real", column["data_type"]), (name, column)
            if re.search(r"amount(?!_sign)|rate_per_eur|percentage", column["name"]):
                assert column["data_type"].startswith("decimal"), (name, column["name"])


def test_personal_columns_are_marked() -> None:
    marts = _models(MARTS_DIR / "_marts__models.yml")
    for name, expected in {
        "workers": {"legal_name", "work_email", "annual_target_variable"},
        "customers": {"account_name", "erp_customer_name"},
    }.items():
        personal = {
            c["name"]
            for c in marts[name]["columns"]
            if ((c.get("config") or {}).get("meta") or {}).get("personal")
        }
        assert personal == expected, name
        assert marts[name]["config"]["meta"]["contains_personal_data"] is True
    # The exceptions marts go to auditors: ids and codes only.
    for name in ("identity_exceptions", "credits", "credit_exceptions", "bookings"):
        for column in marts[name]["columns"]:
            assert not re.search(r"_name$|email", column["name"]), (name, column["name"])


def test_mart_columns_reference_the_glossary() -> None:
    glossary = (DBT_DIR / "models" / "docs" / "glossary.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"{%\s*docs\s+(\w+)\s*%}", glossary))
    marts = _models(MARTS_DIR / "_marts__models.yml")
    referenced_anywhere: set[str] = set()
    for name, model in marts.items():
        texts = [model["description"]] + [c["description"] for c in model["columns"]]
        referenced = set(re.findall(r"doc\('(\w+)'\)", " ".join(texts)))
        referenced_anywhere |= referenced
        missing = GLOSSARY_REFERENCES.get(name, set()) - referenced
        assert not missing, f"{name}: columns should reference {sorted(missing)}"
    for term in referenced_anywhere - {
        "snapshot_period", "source_file", "source_file_sha256", "source_row",
        "employee_id", "erp_customer_code", "erp_customer_code_raw", "currency_code",
    }:  # fmt: skip
        assert term in defined, f"doc('{term}') has no glossary block"


def test_each_glossary_term_says_where_it_comes_from() -> None:
    """A term of the vocabulary names its source system and field (or says it is derived)."""
    glossary = (DBT_DIR / "models" / "docs" / "glossary.md").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", glossary, re.S))
    for term, text in blocks.items():
        if term.startswith("__"):
            continue
        names_a_source = re.search(r"CRM|ERP|HRIS|Sales Ops|workers\.json|factures|`\w+`", text)
        assert names_a_source or "derived" in text.lower(), term


def test_sql_maps_no_source_code_and_divides_no_money_by_hand() -> None:
    """Code mappings stay in the seeds (staging applies them), and money is divided only by
    the exact macro divide_half_up: DuckDB's DECIMAL / DECIMAL is a DOUBLE."""
    for path in [*INTERMEDIATE_DIR.glob("int_*.sql"), *MARTS_DIR.glob("*.sql")]:
        sql = _sql_without_comments(path)
        for code in SOURCE_CODES:
            assert code not in sql, f"{path.name}: {code} is a source code, map it with a seed"
        without_jinja = re.sub(r"{{.*?}}", "", sql, flags=re.S)
        assert "/" not in without_jinja, f"{path.name}: divide money with divide_half_up"
        assert not re.search(r"\b(double|float|real)\b", without_jinja, re.I), path.name


def test_marts_read_the_closing_period_from_the_vars() -> None:
    for name in MARTS - {"teams"}:
        sql = (MARTS_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert "sql_literal(var('period'))" in sql, name
        assert "closing_period" in sql, name
    project = _load_yaml(DBT_DIR / "dbt_project.yml")
    assert {"period", "period_start", "period_end"} <= set(project["vars"])
    assert project["vars"]["period_start"] is None and project["vars"]["period_end"] is None


# ------------------------------------------------------------------ slow: the closed sample


@pytest.fixture(scope="module")
def sample(closed_sample) -> dict[str, Any]:
    settings, outcome = closed_sample
    assert settings.warehouse.exists()
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        marts = {r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}  # fmt: skip
    assert marts >= MARTS, f"the close built no {sorted(MARTS - marts)}: {outcome.failures}"
    return {"warehouse": settings.warehouse, "landing": settings.landing}


def _rows(sample: dict[str, Any], sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(sample["warehouse"]), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def _one(sample: dict[str, Any], sql: str, params: list | None = None) -> Any:
    return _rows(sample, sql, params)[0][0]


# (a) rows and amounts: file -> raw + quarantine -> staging -> marts

STAGING_OF_SOURCE = STAGING_MODEL_OF_SOURCE

# Amount fields of the raw tables and their staging columns.
AMOUNTS = {
    ("crm__opportunity", "Amount"): "amount",
    ("erp__facture", "montant_ht"): "amount_excl_tax",
    ("erp__taux_change", "taux"): "fx_rate_per_eur",
    ("sales_ops__individual_quota", "Quota_EUR"): "quota_eur",
    ("sales_ops__team_quota", "Quota_EUR"): "quota_eur",
}


@pytest.mark.slow
@pytest.mark.parametrize("source", sorted(STAGING_OF_SOURCE))
def test_every_source_row_of_the_period_is_accounted_for(sample, source: str) -> None:
    """Records read from the file = raw rows + quarantined rows (file log), and every raw
    row of the period is a staging row: staging filters nothing."""
    staging = STAGING_OF_SOURCE[source]
    read, loaded, quarantined_logged = _rows(sample, """
        select records_read, rows_loaded, rows_quarantined from raw.source_file_log
        where source = ? and _period = ?
    """, [source, PERIOD])[0]  # fmt: skip
    raw = _one(sample, f"select count(*) from raw.{source} where _period = ?", [PERIOD])
    quarantined = _one(
        sample, "select count(*) from raw.quarantine where source = ? and _period = ?",
        [source, PERIOD],
    )  # fmt: skip
    staged = _one(
        sample, f"select count(*) from staging.{staging} where snapshot_period = ?", [PERIOD]
    )
    assert (raw, quarantined) == (loaded, quarantined_logged)
    assert read == raw + quarantined
    assert staged == raw


def _decimal(text: str | None, comma: bool) -> Decimal:
    if text is None or not text.strip():
        return D(0)
    return D(text.strip().replace(",", ".") if comma else text.strip())


@pytest.mark.slow
@pytest.mark.parametrize(("source", "field"), sorted(AMOUNTS))
def test_amounts_tie_to_the_cent_from_raw_and_quarantine_to_staging(
    sample, source: str, field: str
) -> None:
    """Sum in raw + sum of the quarantined rows' values (where readable) = sum in staging;
    and, for the CRM and ERP CSV files, = the sum read straight from the delivered file."""
    column = AMOUNTS[(source, field)]
    staging = STAGING_OF_SOURCE[source]
    raw_sum = _one(
        sample, f'select coalesce(sum("{field}"), 0) from raw.{source} where _period = ?', [PERIOD]
    )
    staged_sum = _one(
        sample,
        f"select coalesce(sum({column}), 0) from staging.{staging} where snapshot_period = ?",
        [PERIOD],
    )
    contract = SOURCES_BY_NAME[source]
    comma = contract.delimiter == ";"
    quarantined_sum = D(0)
    for (record,) in _rows(
        sample, "select record from raw.quarantine where source = ? and _period = ?",
        [source, PERIOD],
    ):  # fmt: skip
        value = json.loads(record)
        value = value.get(field) if isinstance(value, dict) else None
        with contextlib.suppress(ArithmeticError):  # unreadable: why it was quarantined
            quarantined_sum += _decimal(value, comma)
    assert staged_sum == raw_sum
    if contract.format.value == "csv":
        path = contract.path(sample["landing"], PERIOD)
        text = path.read_bytes().decode(contract.encoding)
        rows = csv.DictReader(io.StringIO(text, newline=""), delimiter=contract.delimiter)
        delivered = sum((_decimal(r[field], comma) for r in rows), D(0))
        assert delivered == raw_sum + quarantined_sum


@pytest.mark.slow
def test_invoices_mart_keeps_every_staged_document_once(sample) -> None:
    """Staging lines of the drop = mart rows + repeated lines counted on them; amounts too."""
    staged = _rows(sample, """
        select count(*), count(*) filter (where is_repeated_line),
               sum(signed_amount_excl_tax) filter (where not is_repeated_line)
        from staging.stg_erp__invoices where snapshot_period = ?
    """, [PERIOD])[0]  # fmt: skip
    mart = _rows(sample, """
        select count(*), sum(repeated_line_count), sum(signed_amount_excl_tax),
               count(*) filter (where signed_amount_excl_tax < 0),
               count(*) filter (where document_type = 'credit_note')
        from marts.invoices
    """)[0]  # fmt: skip
    assert staged[0] == mart[0] + mart[1]
    assert staged[1] == mart[1] and staged[1] >= 1  # the sample repeats a line
    assert staged[2] == mart[2]
    assert mart[3] == mart[4] > 0  # credit notes, and only they, are negative
    # EUR documents keep their amount; others are converted at a rate of their date.
    assert _one(sample, """
        select count(*) from marts.invoices
        where fx_rate_per_eur is null
           or (currency_code = 'EUR' and signed_amount_eur <> signed_amount_excl_tax)
           or (currency_code <> 'EUR' and fx_rate_date > invoice_date)
    """) == 0  # fmt: skip


# (b) credits trace back and tie to bookings


@pytest.mark.slow
def test_every_credited_eur_traces_back_to_its_booking_row_and_file(sample) -> None:
    credits = _rows(sample, """
        select c.opportunity_id, c.opportunity_split_id, c.split_percentage,
               c.source_file, c.source_file_sha256, c.source_row,
               c.split_source_file, c.split_source_row,
               b.opportunity_id is not null, b.amount_eur = c.booking_amount_eur,
               o."Id", o."Amount" = b.amount, s."Id", s."SplitPercentage"
        from marts.credits as c
        left join marts.bookings as b on b.opportunity_id = c.opportunity_id
        left join raw.crm__opportunity as o
            on o._source_file = c.source_file and o._source_row = c.source_row
        left join raw.crm__opportunity_split as s
            on s._source_file = c.split_source_file and s._source_row = c.split_source_row
    """)  # fmt: skip
    assert credits, "the sample credits bookings"
    files: dict[str, list[str]] = {}
    for values in credits:
        opp, split_id, pct, file, sha, row, split_file, split_row = values[:8]
        has_booking, same_amount, raw_id, same_raw_amount, raw_split_id, raw_pct = values[8:]
        assert has_booking and same_amount, opp
        assert raw_id == opp and same_raw_amount, (opp, file, row)
        if split_id is None:
            assert pct == 100 and split_file is None
        else:
            assert raw_split_id == split_id and raw_pct == pct, (opp, split_file, split_row)
        # The file named is the file delivered: same hash, and its line holds the record.
        path = sample["landing"] / file
        if file not in files:
            data = path.read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha, file
            files[file] = data.decode("utf-8-sig").splitlines()
        assert f'"{opp}"' in files[file][row - 1], (file, row)


@pytest.mark.slow
def test_credits_and_exceptions_tie_to_bookings_to_the_cent(sample) -> None:
    """Per booking: credited + unattributed lines = its EUR amount, up to the half cent each
    line may round; a split exception credits nothing and is listed. In total: bookings =
    credits + exceptions + the rounding residual, exactly."""
    per_booking = _rows(sample, """
        select b.opportunity_id, b.amount_eur, b.is_split_exception,
               coalesce(sum(c.credited_amount_eur), 0), count(c.opportunity_id),
               (select count(*) from marts.credit_exceptions as e
                where e.opportunity_id = b.opportunity_id)
        from marts.bookings as b
        left join marts.credits as c on c.opportunity_id = b.opportunity_id
        group by all
    """)  # fmt: skip
    assert per_booking
    residual = D(0)
    exceptions_total = D(0)
    for opp, amount_eur, is_exception, credited, lines, exception_rows in per_booking:
        if is_exception:
            assert lines == 0 and exception_rows >= 2, opp  # the owner and the split owners
            exceptions_total += amount_eur
        else:
            assert lines >= 1 and exception_rows == 0, opp
            assert abs(amount_eur - credited) <= D("0.005") * lines, opp
            residual += amount_eur - credited
    totals = _rows(sample, """
        with exception_bookings as (
            select distinct opportunity_id, booking_amount_eur from marts.credit_exceptions
        )
        select
            (select sum(amount_eur) from marts.bookings),
            (select sum(credited_amount_eur) from marts.credits
             where credit_status = 'credited'),
            (select sum(credited_amount_eur) from marts.credits
             where credit_status = 'unattributed'),
            (select sum(booking_amount_eur) from exception_bookings)
    """)[0]  # fmt: skip
    bookings_total, credited_total, unattributed_total, listed_exceptions = totals
    assert listed_exceptions == exceptions_total
    assert bookings_total == credited_total + unattributed_total + exceptions_total + residual
    # The sample's unattributed credit: integration users and an unknown owner, with reasons.
    reasons = Counter(r[0].split(":")[0] for r in _rows(sample, """
        select unattributed_reason from marts.credits where credit_status = 'unattributed'
    """))  # fmt: skip
    assert reasons["CRM user is no worker"] >= 1
    assert reasons["no CRM user with this id in the snapshot"] >= 1


@pytest.mark.slow
def test_bookings_follow_the_comp_plan_on_the_sample(sample) -> None:
    """Each booking is, in the period's CRM file, won, not deleted and closed in the
    period; every such opportunity is a booking; non-EUR ones use a rate of their close
    date or an earlier day."""
    expected = {r[0] for r in _rows(sample, """
        select "Id" from raw.crm__opportunity
        where _period = ? and "IsWon" and not "IsDeleted"
          and "CloseDate" between date '2026-10-01' and date '2026-10-31'
    """, [PERIOD])}  # fmt: skip
    bookings = {r[0] for r in _rows(sample, "select opportunity_id from marts.bookings")}
    assert bookings == expected
    assert _one(sample, """
        select count(*) from marts.bookings
        where fx_rate_per_eur is null or amount_eur is null
           or (currency_code = 'EUR') <> (fx_rate_date is null)
           or fx_rate_date > close_date
    """) == 0  # fmt: skip


# (c) identity resolution drops nobody


def _ids(sample, sql: str) -> list[str]:
    return [r[0] for r in _rows(sample, sql, [PERIOD] * sql.count("?"))]


def _listed(sample, kind_pattern: str) -> list[str]:
    return _ids(sample, f"""
        select record_id from marts.identity_exceptions where exception_kind like '{kind_pattern}'
    """)  # fmt: skip


@pytest.mark.slow
def test_no_crm_user_is_silently_dropped(sample) -> None:
    users = _ids(sample, "select user_id from staging.stg_crm__users where snapshot_period = ?")
    matched = _ids(sample, """
        select user_id from intermediate.int_users_matched_to_workers
        where snapshot_period = ? and employee_id is not null
    """)  # fmt: skip
    listed = _listed(sample, "crm_user_not_a_worker")
    assert Counter(users) == Counter(matched) + Counter(listed)
    assert not set(matched) & set(listed)
    # The sample's quirks: e-mails matched despite case and spaces; integration users listed.
    assert _one(sample, """
        select count(*) from intermediate.int_users_matched_to_workers as m
        join staging.stg_crm__users as u using (snapshot_period, user_id)
        join staging.stg_hris__workers as w
            on w.snapshot_period = m.snapshot_period and w.employee_id = m.employee_id
        where m.snapshot_period = ? and m.match_method = 'email'
          and u.email_raw <> w.work_email_raw
    """, [PERIOD]) >= 1  # fmt: skip
    assert len(listed) >= 2


@pytest.mark.slow
def test_no_account_or_erp_customer_is_silently_dropped(sample) -> None:
    accounts = _ids(
        sample, "select account_id from staging.stg_crm__accounts where snapshot_period = ?"
    )
    matched = _ids(sample, "select account_id from marts.customers where match_status = 'matched'")
    listed = _listed(sample, "crm_account_%")
    assert Counter(accounts) == Counter(matched) + Counter(listed)
    assert not set(matched) & set(listed)
    # Duplicate accounts sharing an ERP code: both listed, none chosen.
    shared = _rows(sample, """
        select related_id, count(*) from marts.identity_exceptions
        where exception_kind = 'crm_account_shared_code' group by 1
    """)  # fmt: skip
    assert shared and all(n >= 2 for _, n in shared)

    erp = _ids(
        sample, "select erp_customer_code from staging.stg_erp__customers where snapshot_period = ?"
    )
    carried = _ids(sample, """
        select distinct erp_customer_code from marts.customers
        where match_status in ('matched', 'shared_code')
    """)  # fmt: skip
    erp_only = _listed(sample, "erp_customer_without_account")
    assert Counter(erp) == Counter(carried) + Counter(erp_only)
    assert Counter(erp_only) == Counter(_ids(sample, """
        select erp_customer_code from marts.customers where match_status = 'erp_only'
    """))  # fmt: skip


@pytest.mark.slow
def test_no_erp_document_is_silently_dropped(sample) -> None:
    documents = _ids(sample, """
        select invoice_number from staging.stg_erp__invoices
        where snapshot_period = ? and not is_repeated_line
    """)  # fmt: skip
    matched = _ids(sample, """
        select invoice_number from marts.invoices where opportunity_match_status = 'matched'
    """)  # fmt: skip
    listed = _listed(sample, "erp_document_%")
    assert Counter(documents) == Counter(matched) + Counter(listed)
    assert not set(matched) & set(listed)


@pytest.mark.slow
def test_split_exceptions_name_the_owner_and_every_revenue_split_owner(sample) -> None:
    rows = _rows(sample, """
        select e.opportunity_id, e.named_as, e.user_id, e.employee_id, b.owner_user_id
        from marts.credit_exceptions as e
        join marts.bookings as b using (opportunity_id)
    """)  # fmt: skip
    assert rows, "the sample has a deal whose Revenue splits sum to 90 %"
    by_opportunity: dict[str, list[tuple]] = {}
    for row in rows:
        by_opportunity.setdefault(row[0], []).append(row)
    for opp, named in by_opportunity.items():
        owners = [r for r in named if r[1] == "owner"]
        assert len(owners) == 1 and owners[0][2] == owners[0][4], opp
        splits = _one(sample, """
            select count(*) from staging.stg_crm__opportunity_splits
            where snapshot_period = ? and opportunity_id = ? and split_type = 'revenue'
        """, [PERIOD, opp])  # fmt: skip
        assert len(named) - 1 == splits, opp


# ------------------------------------------------------------------ slow: docs


@pytest.mark.slow
def test_docs_render_the_glossary_and_every_mart_column(tmp_path: Path, monkeypatch) -> None:
    """`dbt docs generate` (catalog left empty: no warehouse needed) puts every glossary
    block in the manifest and a rendered description on every mart column."""
    from dbt.cli.main import dbtRunner  # imported here: it costs seconds

    monkeypatch.setenv("PERFGOV_WAREHOUSE", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    result = dbtRunner().invoke([
        "docs", "generate", "--empty-catalog",
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ])  # fmt: skip
    assert result.success, result.exception
    assert (tmp_path / "target" / "index.html").exists()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    docs = {d["name"]: d["block_contents"] for d in manifest["docs"].values()
            if d["package_name"] == "perfgov"}  # fmt: skip
    for term in ("customer", "segment", "business_line", "worker", "sales_role", "team",
                 "booking", "credited_booking", "adjustment", "revenue", "credit_note",
                 "fx_rate", "quota", "attainment", "target_variable", "payout", "hold",
                 "block", "identity_match", "unattributed_credit"):  # fmt: skip
        assert docs.get(term), f"glossary block {term} not rendered"
    reporting = ("kpi_sales", "kpi_attainment_distribution", "kpi_benchmarks", "kpi_people",
                 "kpi_customer_months", "churn_risk")  # fmt: skip
    for mart in (*MARTS, *reporting):
        node = manifest["nodes"][f"model.perfgov.{mart}"]
        assert node["description"] and "{{" not in node["description"], mart
        assert node["contract"]["enforced"] is True, mart
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{mart}.{name}"
            assert "{{" not in column["description"], f"{mart}.{name}: doc() not rendered"
    booking = manifest["nodes"]["model.perfgov.bookings"]["columns"]["amount_eur"]["description"]
    assert docs["booking"].strip()[:40] in booking
