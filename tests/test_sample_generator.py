"""The bundled sample: reproducible to the byte, quirky as sources.md says, and holding the
scenarios that later features are tested on.

Files are read here with plain csv / json / openpyxl, never with the project's readers, so
that a reader bug cannot hide a sample defect (and the other way round).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from dagster_project.sample.generate import (
    SampleWorld,
    build_world,
    scenario_table,
    write_landing,
)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "dagster_project" / "sample"
LANDING = SAMPLE_DIR / "landing"
PERIODS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
LAST, PREV, PREV2 = "2026-10", "2026-09", "2026-08"
CRM_FILES = ("Account", "User", "Opportunity", "OpportunitySplit", "Task")
REP_ROLES = ("Hunter", "Farmer", "Negotiator")
INTEGRATION_EMAILS = {"integration.user@crm-platform.example.net", "marketo-sync@example.org"}


# --- plain readers --------------------------------------------------------------------------


@cache
def crm(period: str, name: str) -> tuple[dict[str, str], ...]:
    text = (LANDING / "crm" / period / f"{name}.csv").read_bytes().decode("utf-8-sig")
    return tuple(csv.DictReader(io.StringIO(text, newline="")))


@cache
def erp(period: str, name: str) -> tuple[dict[str, str], ...]:
    text = (LANDING / "erp" / period / f"{name}.csv").read_bytes().decode("cp1252")
    return tuple(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@cache
def workers(period: str) -> tuple[dict[str, str | None], ...]:
    return tuple(
        json.loads((LANDING / "hris" / period / "workers.json").read_text("utf-8"))["Report_Entry"]
    )


@cache
def evaluations(period: str) -> tuple[dict[str, str], ...]:
    text = (LANDING / "sales_ops" / period / "evaluations.csv").read_text("utf-8-sig")
    return tuple(csv.DictReader(io.StringIO(text, newline="")))


@cache
def workbook(year: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(LANDING / "sales_ops" / year / f"objectifs_{year}.xlsx")


def sheet_rows(year: str, sheet: str) -> list[tuple]:
    return list(workbook(year)[sheet].iter_rows(min_row=2, values_only=True))


def fr_date(text: str) -> date:
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


def fr_decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


@cache
def rates() -> dict[str, dict[date, Decimal]]:
    table: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for period in PERIODS:
        for row in erp(period, "taux_change"):
            table[row["devise"]][fr_date(row["date"])] = fr_decimal(row["taux"])
    return table


def rate_on(currency: str, day: date) -> Decimal:
    if currency == "EUR":
        return Decimal(1)
    return rates()[currency][max(d for d in rates()[currency] if d <= day)]


def opportunity(period: str, opp_id: str) -> dict[str, str] | None:
    return next((o for o in crm(period, "Opportunity") if o["Id"] == opp_id), None)


def splits_of(period: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for split in crm(period, "OpportunitySplit"):
        out[split["OpportunityId"]].append(split)
    return out


def worker_of_user(period: str) -> dict[str, dict[str, str | None]]:
    """CRM user id -> worker, by EmployeeNumber, else trimmed case-insensitive e-mail."""
    by_id = {w["Employee_ID"]: w for w in workers(period)}
    by_mail = {(w.get("Work_Email") or "").strip().lower(): w for w in workers(period)}
    out = {}
    for user in crm(period, "User"):
        worker = (
            by_id.get(user["EmployeeNumber"])
            if user["EmployeeNumber"]
            else by_mail.get(user["Email"].strip().lower())
        )
        if worker is not None:
            out[user["Id"]] = worker
    return out


def booked(period: str) -> list[dict[str, str]]:
    return [
        o
        for o in crm(period, "Opportunity")
        if o["IsWon"] == "true" and o["IsDeleted"] == "false" and o["CloseDate"][:7] == period
    ]


# --- (1) reproducibility and layout -------------------------------------------------------


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def world() -> SampleWorld:
    """The default world (what ``generate_landing`` writes), built once for the module."""
    return build_world()


def test_regeneration_is_byte_identical_to_the_committed_sample(
    world: SampleWorld, tmp_path: Path
) -> None:
    fresh = write_landing(world, tmp_path / "landing")
    committed, regenerated = _files(LANDING), _files(fresh)
    assert sorted(regenerated) == sorted(committed)
    differing = [
        rel for rel, path in committed.items() if path.read_bytes() != regenerated[rel].read_bytes()
    ]
    assert differing == [], (
        "regenerate with: python -m dagster_project.sample.generate dagster_project/sample/landing"
    )


def test_layout_has_every_file_of_every_period_and_stays_small() -> None:
    expected = {f"sales_ops/{y}/objectifs_{y}.xlsx" for y in ("2025", "2026")}
    for period in PERIODS:
        expected |= {f"crm/{period}/{name}.csv" for name in CRM_FILES}
        expected |= {f"erp/{period}/{name}.csv" for name in ("clients", "factures", "taux_change")}
        expected |= {
            f"hris/{period}/workers.json",
            f"hris/{period}/learning.csv",
            f"sales_ops/{period}/evaluations.csv",
        }
    files = _files(LANDING)
    assert set(files) == expected
    assert sum(p.stat().st_size for p in files.values()) < 15_000_000


def test_every_file_carries_the_fields_of_its_contract() -> None:
    """The sample imitates the upstream exports; the contracts describe the same exports."""
    from dagster_project.ingest.contracts import SOURCES, FileFormat

    for source in SOURCES:
        path = source.path(LANDING, LAST)
        if source.format is FileFormat.XLSX_SHEET:
            header = next(workbook(path.parent.name)[source.sheet].iter_rows(values_only=True))
        elif source.format is FileFormat.WORKDAY_JSON:
            header = tuple({key for entry in workers(LAST) for key in entry})
        else:
            raw = path.read_bytes().decode(source.encoding).splitlines()[0]
            header = next(csv.reader([raw], delimiter=source.delimiter))
        assert sorted(header) == sorted(source.field_names), source.name


# --- (2) the quirks are in the bytes -------------------------------------------------------

SF_ID = re.compile(r"[0-9A-Za-z]{18}")
SF_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z")


@pytest.mark.parametrize("name", CRM_FILES)
def test_crm_files_are_bom_crlf_and_quote_every_field(name: str) -> None:
    for period in (PERIODS[0], LAST):
        data = (LANDING / "crm" / period / f"{name}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n")
        text = data[3:].decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        requoted = io.StringIO(newline="")
        csv.writer(requoted, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
        assert requoted.getvalue() == text, "some field is not double-quoted"
        assert len(rows) > 2


def test_crm_values_follow_salesforce_conventions() -> None:
    prefixes = {
        "Account": "001",
        "User": "005",
        "Opportunity": "006",
        "Task": "00T",
        "OpportunitySplit": "04t",
    }
    for name, prefix in prefixes.items():
        ids = [r["Id"] for r in crm(LAST, name)]
        assert all(SF_ID.fullmatch(i) and i.startswith(prefix) for i in ids)
        assert len(set(ids)) == len(ids)
    opps = crm(LAST, "Opportunity")
    assert {o["IsWon"] for o in opps} == {"true", "false"}
    assert all(SF_DATETIME.fullmatch(o["CreatedDate"]) for o in opps)
    assert all(SF_DATETIME.fullmatch(o["LastModifiedDate"]) for o in opps)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", o["CloseDate"]) for o in opps)
    assert any(o["Amount"] == "" for o in opps if o["IsClosed"] == "false")
    currencies = [o["CurrencyIsoCode"] for o in opps]
    assert {"EUR", "USD", "GBP", "CHF"} <= set(currencies)
    assert currencies.count("EUR") > 0.8 * len(currencies)
    assert {o["StageName"] for o in opps} == {
        "Prospecting",
        "Qualification",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    }


def test_erp_files_are_cp1252_semicolon_decimal_comma_and_french_dates() -> None:
    clients = (LANDING / "erp" / LAST / "clients.csv").read_bytes()
    assert b"\xe9" in clients  # é
    assert b"\x92" in clients and b"\x9c" in clients  # ’ and œ: cp1252, not latin-1
    with pytest.raises(UnicodeDecodeError):
        clients.decode("utf-8")
    for period in PERIODS:
        for name in ("clients", "factures", "taux_change"):
            data = (LANDING / "erp" / period / f"{name}.csv").read_bytes()
            assert b"\r" not in data and b";" in data.split(b"\n")[0]
        for row in erp(period, "factures"):
            assert re.fullmatch(r"\d+,\d{2}", row["montant_ht"])
            for field in ("date_piece", "date_echeance"):
                assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", row[field])
            assert row["date_reglement"] == "" or re.fullmatch(
                r"\d{2}/\d{2}/\d{4}", row["date_reglement"]
            )
            assert row["date_piece"][3:5] == period[5:] and row["type_piece"] in ("FA", "AV")
        for row in erp(period, "taux_change"):
            assert re.fullmatch(r"\d,\d{4,}", row["taux"])
            assert fr_date(row["date"]).weekday() < 5
        assert {r["devise"] for r in erp(period, "taux_change")} == {"USD", "GBP", "CHF"}
    assert 1.0 < rate_on("USD", date(2026, 10, 30)) < 1.2
    assert 0.8 < rate_on("GBP", date(2026, 10, 30)) < 0.95
    assert 0.85 < rate_on("CHF", date(2026, 10, 30)) < 1.05


def test_workday_json_sends_strings_and_absent_values_both_ways() -> None:
    entries = workers(LAST)
    assert 55 <= len(entries) <= 70
    values = [v for e in entries for v in e.values()]
    assert all(v is None or isinstance(v, str) for v in values)
    assert None in values
    employed = [e for e in entries if e.get("Termination_Date") is None]
    assert any("Termination_Date" not in e for e in employed)
    assert any("Termination_Date" in e and e["Termination_Date"] is None for e in employed)
    assert {e.get("Currency") for e in entries} == {"EUR"}
    assert {e.get("FTE") for e in entries} >= {"1", "0.8", "0.5"}
    assert all(re.fullmatch(r"E\d+", e["Employee_ID"] or "") for e in entries)
    roles = [e.get("Sales_Role") for e in entries]
    assert roles.count("Sales Manager") == 8
    teams = {e["Supervisory_Organization"] for e in entries if e.get("Sales_Role")}
    assert len(teams) == 8
    assert {e.get("Business_Line") for e in entries} >= {"Enterprise", "Mid-Market", "Retail"}
    learning = (LANDING / "hris" / LAST / "learning.csv").read_text("utf-8")
    assert learning.startswith("Employee_ID,Course_Title,Hours,Completion_Date,Delivery\n")


def test_targets_workbook_has_hand_edit_quirks() -> None:
    for year in ("2025", "2026"):
        book = workbook(year)
        assert book.sheetnames == ["Quotas_Individuels", "Quotas_Equipe", "Notes"]
        assert book["Notes"]["A1"].value
        for sheet in ("Quotas_Individuels", "Quotas_Equipe"):
            rows = sheet_rows(year, sheet)
            blank = [i for i, r in enumerate(rows) if all(c is None for c in r)]
            assert blank and max(blank) < len(rows) - 1, "blank rows in the middle"
        individual = [r for r in sheet_rows(year, "Quotas_Individuels") if r[0] is not None]
        quotas = [r[2] for r in individual]
        texts = [q for q in quotas if isinstance(q, str)]
        assert any(q.endswith(" ") for q in texts) and any("," in q for q in texts)
        assert sum(isinstance(q, int) for q in quotas) > 0.9 * len(quotas)
        assert any(r[0].endswith(" ") for r in individual)
        team_rows = [r for r in sheet_rows(year, "Quotas_Equipe") if r[0] is not None]
        assert any(r[0].endswith(" ") for r in team_rows)


# --- (3) the scenarios --------------------------------------------------------------------


def test_volumes_are_realistic() -> None:
    previous: set[str] = set()
    for period in PERIODS:
        ids = {o["Id"] for o in crm(period, "Opportunity")}
        if previous:
            assert 150 <= len(ids - previous) <= 250
        previous = ids
        assert 60 <= len(booked(period)) <= 130
    assert len(previous) <= 3000


def test_accounts_segments_types_and_erp_codes() -> None:
    accounts = crm(LAST, "Account")
    assert {a["Segment__c"] for a in accounts} == {"B2B", "B2C"}
    assert {a["Type"] for a in accounts} == {"Customer", "Prospect", "Partner"}
    codes = [a["ERP_Customer_Code__c"] for a in accounts if a["Type"] == "Customer"]
    assert "" in codes
    assert any(c != c.strip() for c in codes) and any(c.strip().startswith("c") for c in codes)
    by_code: dict[str, list[str]] = defaultdict(list)
    for account in accounts:
        if account["ERP_Customer_Code__c"].strip():
            by_code[account["ERP_Customer_Code__c"].strip().upper()].append(account["Id"])
    duplicated = [code for code, ids in by_code.items() if len(ids) > 1]
    assert len(duplicated) == 1
    segments = {c["code_client"]: c["segment"] for c in erp(LAST, "clients")}
    for account in accounts:
        code = account["ERP_Customer_Code__c"].strip().upper()
        if code:
            expected = "ENTREPRISE" if account["Segment__c"] == "B2B" else "PARTICULIER"
            assert segments[code] == expected


def test_users_unmatched_owner_integration_users_and_email_quirks() -> None:
    users = {u["Id"]: u for u in crm(LAST, "User")}
    matched = worker_of_user(LAST)
    opps = crm(LAST, "Opportunity")
    assert [o for o in opps if o["OwnerId"] not in users], "an OwnerId that matches no user"
    integration = {
        u["Id"]
        for u in users.values()
        if u["Email"] in INTEGRATION_EMAILS and u["EmployeeNumber"] == ""
    }
    assert len(integration) == 2 and not integration & set(matched)
    assert any(a["OwnerId"] in integration for a in crm(LAST, "Account"))
    assert any(o["OwnerId"] in integration and o["IsWon"] == "true" for o in opps)
    blank = [u for u in users.values() if u["EmployeeNumber"] == ""]
    assert len(blank) > 0.3 * len(users)
    work_emails = {w.get("Work_Email") for w in workers(LAST)}
    quirky = [u for u in blank if u["Id"] in matched and u["Email"] not in work_emails]
    assert any(u["Email"] != u["Email"].strip() for u in quirky)
    assert all(u["Id"] in matched for u in blank if u["Id"] not in integration)
    inactive = {u["Id"] for u in users.values() if u["IsActive"] == "false"}
    assert any(o["OwnerId"] in inactive and o["IsClosed"] == "false" for o in opps)
    assert any(o["OwnerId"] in inactive and o["IsWon"] == "true" for o in opps)


def test_hr_scenarios() -> None:
    entries = {e["Employee_ID"]: e for e in workers(LAST)}
    hired = [e for e in entries.values() if (e.get("Hire_Date") or "")[:7] == LAST]
    assert hired and all(e["Hire_Date"][8:] != "01" for e in hired)
    assert not any(e["Employee_ID"] == hired[0]["Employee_ID"] for e in workers(PREV))
    left = {
        e["Employee_ID"]: e["Termination_Date"]
        for e in entries.values()
        if e.get("Termination_Date")
    }
    assert any(d[:7] == LAST and d[8:] != "01" for d in left.values())
    assert any(d[:7] == PREV and d[8:] != "01" for d in left.values())
    # A termination of the last period is already known in the previous snapshot.
    earlier = {e["Employee_ID"]: e.get("Termination_Date") for e in workers(PREV)}
    assert any(earlier.get(i) == d for i, d in left.items() if d[:7] == LAST)
    # A Sales Support worker still owns a Revenue split of the period.
    matched = worker_of_user(LAST)
    support_splits = [
        s
        for s in crm(LAST, "OpportunitySplit")
        if s["SplitTypeName"] == "Revenue"
        and (matched.get(s["SplitOwnerId"]) or {}).get("Sales_Role") == "Sales Support"
    ]
    assert support_splits


def test_split_shapes_and_the_90_percent_exception() -> None:
    splits = splits_of(LAST)
    won = {o["Id"] for o in crm(LAST, "Opportunity") if o["IsWon"] == "true"}
    revenue_sums = {}
    for opp_id, rows in splits.items():
        revenue = [Decimal(r["SplitPercentage"]) for r in rows if r["SplitTypeName"] == "Revenue"]
        if revenue and opp_id in won:
            revenue_sums[opp_id] = (sum(revenue), sorted(revenue))
    shapes = {tuple(v[1]) for v in revenue_sums.values()}
    assert {(Decimal(30), Decimal(70)), (Decimal(50), Decimal(50))} <= shapes
    assert any(r["SplitTypeName"] == "Overlay" for rows in splits.values() for r in rows)
    exceptions = [i for i, (total, _) in revenue_sums.items() if total != 100]
    assert len(exceptions) == 1
    assert revenue_sums[exceptions[0]][0] == 90
    assert opportunity(LAST, exceptions[0])["CloseDate"][:7] == LAST
    assert len(won) > 3 * len(revenue_sums), "most won deals have no split"


def test_unattributed_credit_is_small_but_present() -> None:
    matched, splits = worker_of_user(LAST), splits_of(LAST)
    total = unattributed = Decimal(0)
    for opp in booked(LAST):
        eur = Decimal(opp["Amount"]) / rate_on(
            opp["CurrencyIsoCode"], date.fromisoformat(opp["CloseDate"])
        )
        total += eur
        revenue = [s for s in splits[opp["Id"]] if s["SplitTypeName"] == "Revenue"]
        owners = [(s["SplitOwnerId"], Decimal(s["SplitPercentage"])) for s in revenue] or [
            (opp["OwnerId"], Decimal(100))
        ]
        unattributed += sum(eur * pct / 100 for user, pct in owners if user not in matched)
    assert 0 < unattributed < total / 100


def test_prior_period_changes_visible_in_later_snapshots() -> None:
    def won_in(period: str, close_period: str) -> dict[str, dict[str, str]]:
        return {o["Id"]: o for o in booked(period) if o["CloseDate"][:7] == close_period}

    aug_in_aug, sep_in_sep = won_in(PREV2, PREV2), won_in(PREV, PREV)
    lost = [i for i in aug_in_aug if opportunity(PREV, i)["StageName"] == "Closed Lost"]
    assert len(lost) == 1
    resized = [
        i
        for i, o in aug_in_aug.items()
        if opportunity(PREV, i)["Amount"] == o["Amount"]
        and opportunity(LAST, i)["Amount"] != o["Amount"]
    ]
    assert len(resized) == 1
    deleted = [i for i in sep_in_sep if opportunity(LAST, i)["IsDeleted"] == "true"]
    assert len(deleted) == 1
    before, after = splits_of(PREV), splits_of(LAST)
    resplit = [i for i in sep_in_sep if not before.get(i) and after.get(i)]
    assert len(resplit) == 1
    late = [
        o
        for o in crm(LAST, "Opportunity")
        if o["IsWon"] == "true" and o["CloseDate"][:7] == PREV and o["Id"] not in sep_in_sep
    ]
    assert len(late) == 1
    assert opportunity(PREV, late[0]["Id"])["IsClosed"] == "false"


def test_foreign_currency_deals_closing_without_a_rate_that_day() -> None:
    usd_weekend = [
        o
        for o in booked(LAST)
        if o["CurrencyIsoCode"] == "USD" and date.fromisoformat(o["CloseDate"]).weekday() == 5
    ]
    assert usd_weekend
    saturday = date.fromisoformat(usd_weekend[0]["CloseDate"])
    assert saturday not in rates()["USD"] and saturday - timedelta(days=1) in rates()["USD"]
    first_day_weekend = []
    for period in PERIODS[1:]:
        for opp in booked(period):
            day = date.fromisoformat(opp["CloseDate"])
            if opp["CurrencyIsoCode"] != "EUR" and day.day == 1 and day.weekday() >= 5:
                own = erp(period, "taux_change")
                assert not [r for r in own if fr_date(r["date"]) <= day]
                first_day_weekend.append(opp["Id"])
    assert len(first_day_weekend) >= 2


def test_erp_invoice_scenarios() -> None:
    refs_invoiced = set()
    late_payment = False
    for period in PERIODS:
        rows = erp(period, "factures")
        numbers = [r["num_piece"] for r in rows]
        repeated = {n for n in numbers if numbers.count(n) > 1}
        if period == LAST:
            assert len(repeated) == 1
            copies = [r for r in rows if r["num_piece"] in repeated]
            assert copies[0] == copies[1], "the repeated line is identical"
        else:
            assert not repeated
        refs_invoiced |= {r["ref_opportunite"] for r in rows}
        late_payment |= any(
            r["date_reglement"] and fr_date(r["date_reglement"]) > fr_date(r["date_echeance"])
            for r in rows
        )
        assert all(fr_decimal(r["montant_ht"]) > 0 for r in rows)
    assert late_payment
    all_rows = [r for p in PERIODS for r in erp(p, "factures")]
    assert any(r["type_piece"] == "AV" for r in all_rows)
    assert any(r["ref_opportunite"] == "" and r["type_piece"] == "FA" for r in all_rows)
    never_invoiced = [
        o
        for o in booked(PREV2)
        if o["Id"] not in refs_invoiced and opportunity(LAST, o["Id"])["IsWon"] == "true"
    ]
    assert never_invoiced
    # B2B deals won early enough to be fully invoiced: about 3 invoices each.
    b2b = {a["Id"] for a in crm(LAST, "Account") if a["Segment__c"] == "B2B"}
    deals = {o["Id"] for p in PERIODS[2:9] for o in booked(p) if o["AccountId"] in b2b}
    invoices = [r for r in all_rows if r["type_piece"] == "FA" and r["ref_opportunite"] in deals]
    assert 2.4 <= len(invoices) / len(deals) <= 3


def test_sales_ops_gaps_of_the_last_period() -> None:
    entries = workers(LAST)
    quota_ids = {
        (r[0].strip(), r[1]) for r in sheet_rows("2026", "Quotas_Individuels") if r[0] is not None
    }
    reps = [
        e
        for e in entries
        if e.get("Sales_Role") in REP_ROLES
        and not e.get("Termination_Date")
        and e["Hire_Date"] < f"{LAST}-01"
    ]
    missing = [e["Employee_ID"] for e in reps if (e["Employee_ID"], LAST) not in quota_ids]
    assert len(missing) == 1
    team_quotas = {
        (r[0].strip(), r[1] if isinstance(r[1], str) else r[1].strftime("%Y-%m"))
        for r in sheet_rows("2026", "Quotas_Equipe")
        if r[0] is not None
    }
    teams = {e["Supervisory_Organization"] for e in entries if e.get("Sales_Role") in REP_ROLES}
    assert len([t for t in teams if (t, LAST) not in team_quotas]) == 1
    assert all((t, PREV) in team_quotas for t in teams)
    negotiators = {e["Employee_ID"] for e in entries if e.get("Sales_Role") == "Negotiator"}
    evaluated = {r["Employee_ID"] for r in evaluations(LAST)}
    assert len(negotiators - evaluated) == 1
    assert negotiators <= {r["Employee_ID"] for r in evaluations(PREV)}
    assert all(0 <= float(r["Score_Qualitatif"]) <= 100 for r in evaluations(LAST))


def test_some_customers_had_no_activity_in_the_last_60_days() -> None:
    since = (date(2026, 10, 31) - timedelta(days=60)).isoformat()
    active = {t["AccountId"] for t in crm(LAST, "Task") if t["ActivityDate"] >= since}
    customers = [a["Id"] for a in crm(LAST, "Account") if a["Type"] == "Customer"]
    quiet = [a for a in customers if a not in active]
    assert 0 < len(quiet) < len(customers)
    assert {t["Status"] for t in crm(LAST, "Task")} == {"Completed", "Open"}


def test_scenarios_md_holds_the_generated_table(world: SampleWorld) -> None:
    assert scenario_table(world) in (SAMPLE_DIR / "SCENARIOS.md").read_text("utf-8")


def test_every_id_of_scenarios_md_exists_in_the_sample() -> None:
    text = (SAMPLE_DIR / "SCENARIOS.md").read_text("utf-8")
    corpus = b"".join(
        p.read_bytes() for p in _files(LANDING).values() if p.suffix in (".csv", ".json")
    )
    ids = set(re.findall(r"\b(?:E\d{5}|0[0-9A-Za-z]{17}|(?:FA|AV)\d{4}-\d{6})\b", text))
    assert len(ids) > 20
    assert [i for i in sorted(ids) if i.encode() not in corpus] == []
