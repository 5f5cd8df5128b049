"""The gates after dbt and the auditor pack, on real closes (slow).

Each severity is shown by its effect on a close: a block certifies nothing and names its
rule (tests/test_incentives.py closes a blocked variant; here its pack is read), a hold
withholds exactly its workers, a warning is in the pack and changes nothing else. The pack
opens offline and holds no personal value of the sample.
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from dagster_project.ingest.contracts import SOURCES
from dagster_project.ingest.readers import read_records
from dagster_project.settings import EXPECTATIONS_DIR, Settings
from tests.conftest import HISTORY

pytestmark = pytest.mark.slow


def personal_values(landing: Path, periods: tuple[str, ...]) -> set[str]:
    """Every personal text the sample's drops hold (names, e-mails, comments), as written.

    Personal *numbers* (target pay, scores) are left to ``personal_figures``: a round
    annual target such as 18000 also occurs as a deal amount or inside a sha256, so looking
    for it as text proves nothing either way.
    """
    values: set[str] = set()
    for period in periods:
        for source in SOURCES:
            personal = source.personal_fields
            if not personal:
                continue
            path = source.path(landing, period)
            records = read_records(source, path, source.relative_path(period))
            index = [i for i, name in enumerate(records.field_names) if name in personal]
            for row in records.rows:
                for i in index:
                    value = (row[i] or "").strip()
                    if len(value) >= 5 and not value.replace(".", "").isdigit():
                        values.add(value)
    return values


def personal_figures(home: Path, periods: tuple[str, ...]) -> set[str]:
    """Each worker's monthly target variable and payout as certified, where they have cents:
    the figures a leak of pay data would show, distinctive enough to look for."""
    import csv

    figures: set[str] = set()
    for period in periods:
        with open(home / "certified" / period / "incentive_payouts.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for column in ("target_variable_eur", "payout_eur"):
                    value = row[column]
                    if value and not value.endswith(".00"):
                        figures.add(value)
    return figures


def leaked(text: str, values: set[str], figures: set[str]) -> list[str]:
    found = [v for v in values if v in text]
    found += [f for f in figures if re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", text)]
    return found


def gate_evidence(home: Path, period: str, run_id: str) -> dict[str, dict]:
    """``layer/suite`` -> the evidence the run wrote."""
    folder = home / "audit" / period / "validations" / run_id
    found = {}
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text())
        found[f"{data.get('layer', 'raw')}/{data['suite']}"] = data
    return found


@pytest.mark.parametrize("period", HISTORY)
def test_every_mart_suite_gated_the_close_and_its_evidence_is_kept(closed_history, period) -> None:
    home = closed_history.settings.home
    run_id = closed_history.outcomes[period].run_id
    evidence = gate_evidence(home, period, run_id)
    layers = {key.split("/")[0] for key in evidence}
    assert layers == {"raw", "harmonised", "certified"}
    expected = {
        f"{layer}/{p.stem}"
        for layer in ("harmonised", "certified")
        for p in (EXPECTATIONS_DIR / layer).glob("*.json")
    }
    assert expected <= set(evidence)
    checks = {c["check"].split(":")[1] for c in closed_history.outcomes[period].checks}
    assert {f"gx_{key.replace('/', '__')}" for key in expected} <= checks


def test_a_hold_withholds_exactly_the_workers_its_expectations_count(closed_history) -> None:
    home = closed_history.settings.home
    period = HISTORY[-1]
    evidence = gate_evidence(home, period, closed_history.outcomes[period].run_id)
    payouts = evidence["certified/payouts"]
    assert payouts["verdict"]["verdict"] == "hold"
    failing = {
        e["rule"]: e["unexpected_count"]
        for e in payouts["expectations"]
        if e["severity"] == "hold" and not e["success"]
    }
    import csv

    with open(home / "certified" / period / "payout_holds.csv", encoding="utf-8") as fh:
        holds = list(csv.DictReader(fh))
    with open(home / "certified" / period / "incentive_payouts.csv", encoding="utf-8") as fh:
        held = {r["employee_id"] for r in csv.DictReader(fh) if r["status"] == "held"}
    assert {h["employee_id"] for h in holds} == held
    # The GX count of held payouts is the number of held workers in the certified tables.
    everyone = (
        "No payout is withheld: each held payout names its rule and reason "
        "(certified.payout_holds)."
    )
    assert failing[everyone] == len(held)
    by_rule = {}
    for h in holds:
        by_rule.setdefault(h["hold_rule"], set()).add(h["employee_id"])
    quota = "A worker whose individual component has weight has an individual quota for the month."
    assert failing.get(quota, 0) == len(by_rule.get("no_individual_quota", ()))
    # The check is a WARN failure: the run went on and certified everyone else.
    check = next(
        c
        for c in closed_history.outcomes[period].checks
        if c["check"].endswith("gx_certified__payouts")
    )
    assert (check["passed"], check["severity"], check["verdict"]) == (False, "WARN", "hold")
    pack = (home / "audit" / period / "index.html").read_text()
    for employee_id in held:
        assert employee_id in pack


def _invoice_without_deal(sample_landing: Path, target: Path) -> Path:
    """The sample's 2026-08 drop plus one ERP invoice that names no opportunity."""
    for system, folder in (
        ("crm", "2026-08"),
        ("erp", "2026-08"),
        ("hris", "2026-08"),
        ("sales_ops", "2026"),
        ("sales_ops", "2026-08"),
    ):
        shutil.copytree(sample_landing / system / folder, target / system / folder)
    invoices = target / "erp/2026-08/factures.csv"
    text = invoices.read_bytes().decode("cp1252")
    first = text.splitlines()[1].split(";")
    line = ";".join(
        ["FA-TEST-0001", "FA", "20/08/2026", first[3], "", "1234,56", "EUR", "19/09/2026", ""]
    )
    invoices.write_bytes((text + line + "\r\n").encode("cp1252"))
    return target


def test_a_warning_is_in_the_pack_and_changes_nothing_else(
    closed_history, sample_landing: Path, tmp_path: Path
) -> None:
    from dagster_project.closing import close_period

    landing = _invoice_without_deal(sample_landing, tmp_path / "landing")
    settings = Settings.resolve(landing, tmp_path / "home")
    outcome = close_period(settings, "2026-08")
    assert outcome.success, outcome.failures
    baseline = closed_history.settings.home / "certified" / "2026-08"
    for name in ("incentive_payouts.csv", "credit_lines.csv", "payout_holds.csv", "bookings.csv"):
        assert (settings.home / "certified/2026-08" / name).read_bytes() == (
            baseline / name
        ).read_bytes(), name
    rule = "Every ERP document names the CRM opportunity it bills."

    def count(home: Path, run_id: str) -> int:
        suite = gate_evidence(home, "2026-08", run_id)["harmonised/identity_exceptions"]
        return next(e["unexpected_count"] for e in suite["expectations"] if e["rule"] == rule)

    before = count(closed_history.settings.home, closed_history.outcomes["2026-08"].run_id)
    assert count(settings.home, outcome.run_id) == before + 1
    pack = (settings.home / "audit/2026-08/index.html").read_text()
    assert rule in pack and "FA-TEST-0001" in pack  # the unmatched list names the document
    revenue = (settings.home / "certified/2026-08/revenue.csv").read_text()
    assert "FA-TEST-0001" in revenue


@pytest.mark.parametrize("period", HISTORY)
def test_the_auditor_pack_opens_offline_and_holds_no_personal_value(
    closed_history, sample_landing: Path, period: str
) -> None:
    home = closed_history.settings.home
    pack = (home / "audit" / period / "index.html").read_text()
    assert not re.search(r"https?://", pack)
    assert not re.search(r"<(script|img|link|iframe)\b", pack)
    assert not re.search(r"""(src|href)=["'](?!\.\./\.\./certified/|validations/)""", pack)
    values = personal_values(sample_landing, HISTORY)
    assert len(values) > 100  # names, e-mails and comments of the sample
    assert leaked(pack, values, personal_figures(home, HISTORY)) == []
    # What an auditor needs: sources with hashes, gates, verdict, reconciliation.
    certificate = json.loads((home / "certified" / period / "certificate.json").read_text())
    for entry in certificate["inputs"]:
        assert entry["sha256"] in pack
    assert "Reconciliation, CRM against finance" in pack
    assert certificate["control_totals"]["payouts_eur"] in pack
    run_id = closed_history.outcomes[period].run_id
    assert f"validations/{run_id}/" in pack


def test_the_evidence_and_logs_hold_no_personal_value(closed_history, sample_landing: Path) -> None:
    home = closed_history.settings.home
    values = personal_values(sample_landing, HISTORY)
    figures = personal_figures(home, HISTORY)
    for folder in (home / "audit", home / "logs"):
        for path in folder.rglob("*"):
            if path.is_file():
                text = path.read_text(errors="replace")
                assert leaked(text, values, figures) == [], path


def test_the_reconciliation_is_certified_and_adds_up(closed_history) -> None:
    import csv

    home = closed_history.settings.home
    for period in HISTORY:
        folder = home / "certified" / period
        with open(folder / "reconciliation.csv", encoding="utf-8") as fh:
            (totals,) = list(csv.DictReader(fh))
        with open(folder / "reconciliation_lines.csv", encoding="utf-8") as fh:
            lines = list(csv.DictReader(fh))
        with open(folder / "bookings.csv", encoding="utf-8") as fh:
            booked = sum(Decimal(r["amount_eur"]) for r in csv.DictReader(fh))
        with open(folder / "revenue.csv", encoding="utf-8") as fh:
            invoiced = sum(Decimal(r["signed_amount_eur"]) for r in csv.DictReader(fh))
        assert Decimal(totals["booked_eur"]) == booked
        assert Decimal(totals["invoiced_eur"]) == invoiced
        assert Decimal(totals["gap_eur"]) == invoiced - booked
        assert sum(Decimal(r["gap_eur"]) for r in lines) == invoiced - booked
        assert Decimal(totals["gap_percent"]) == ((invoiced - booked) * 100 / booked).quantize(
            Decimal("0.01")
        )
        certificate = json.loads((folder / "certificate.json").read_text())
        assert certificate["control_totals"]["bookings_eur"] == totals["booked_eur"]
