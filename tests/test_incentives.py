"""The variable-pay plan on the sample, closed for real: payouts, holds, adjustments, blocks.

Slow: it uses the session's history of three closes (conftest ``closed_history``) and, for
the block, one more close of a broken variant of the sample. Every figure is compared with
the independent reference of tests/reference/comp_plan.py, never with a hard-coded total.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from dagster_project.incentives.plan import plan_in_force
from dagster_project.settings import EXPECTATIONS_DIR, Settings
from tests.conftest import HISTORY, tree_hashes
from tests.reference.comp_plan import compute, inputs_from_landing

pytestmark = pytest.mark.slow


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def money(value: str) -> Decimal | None:
    return Decimal(value) if value else None


@pytest.fixture(scope="module")
def reference(sample_landing: Path):
    """The reference results of the three periods, each fed what the reference certified
    before it (independent of the warehouse)."""
    results = {}
    certified: dict = defaultdict(Decimal)
    for period in HISTORY:
        inputs = inputs_from_landing(sample_landing, period)
        inputs.certified_credits = dict(certified)
        inputs.certified_periods = set(results)
        result = compute(inputs, plan_in_force(period))
        results[period] = result
        for key, amount in [*result.credits.items(), *result.adjustments.items()]:
            certified[key] += amount
    return results


@pytest.mark.parametrize("period", HISTORY)
def test_payouts_equal_the_reference_to_the_cent(closed_history, reference, period) -> None:
    assert closed_history.outcomes[period].success, closed_history.outcomes[period].failures
    folder = closed_history.settings.home / "certified" / period
    rows = {row["employee_id"]: row for row in read_csv(folder / "incentive_payouts.csv")}
    expected = reference[period].payouts
    assert set(rows) == set(expected)
    for employee_id, want in expected.items():
        got = rows[employee_id]
        assert got["status"] == want.status, employee_id
        assert set(filter(None, got["hold_rules"].split("; "))) == set(want.hold_reasons)
        assert money(got["target_variable_eur"]) == want.target_variable, employee_id
        assert money(got["credited_eur"]) == want.credited, employee_id
        assert money(got["adjustments_eur"]) == want.adjustments, employee_id
        assert money(got["payout_eur"]) == want.payout, employee_id
    assert sum(1 for r in rows.values() if r["status"] == "certified") > 40


def test_prior_period_adjustments_are_exact_and_explained(closed_history, reference) -> None:
    for period in HISTORY:
        lines = read_csv(closed_history.settings.home / "certified" / period / "credit_lines.csv")
        got = {
            (line["opportunity_id"], line["employee_id"] or None): Decimal(line["credit_eur"])
            for line in lines
            if line["line_type"] == "adjustment"
        }
        assert got == reference[period].adjustments, period
    october = read_csv(closed_history.settings.home / "certified/2026-10/credit_lines.csv")
    reasons = {
        line["opportunity_id"]: line["adjustment_reason"]
        for line in october
        if line["line_type"] == "adjustment"
    }
    # One of each change the plan names (ids from dagster_project/sample/SCENARIOS.md).
    assert reasons == {
        "0068d000001jeeQAAQ": "amount changed from 52000.00 to 39000.00 EUR",
        "0068d000001jgi9AAA": "credit split changed",
        "0068d000001jilsAAA": "won after its period was certified (back-dated close 2026-09-29)",
        "0068d000001jkpbAAA": "deleted in the CRM",
    }
    september = read_csv(closed_history.settings.home / "certified/2026-09/credit_lines.csv")
    assert [
        (line["opportunity_id"], line["adjustment_reason"])
        for line in september
        if line["line_type"] == "adjustment"
    ] == [("0068d000001jcahAAA", "no longer won (now Closed Lost)")]


def test_earlier_certified_outputs_never_change(closed_history) -> None:
    after = closed_history.certified_after
    for i, period in enumerate(HISTORY):
        mine = {k: v for k, v in after[period].items() if k.startswith(f"{period}/")}
        assert mine, period
        for later in HISTORY[i + 1 :]:
            assert {k: v for k, v in after[later].items() if k in mine} == mine, (period, later)


def test_periods_are_closed_in_calendar_order(closed_history) -> None:
    assert closed_history.refused_out_of_order == (
        "period 2026-10 cannot be closed before 2026-09: periods are closed in calendar "
        "order (adjustments compare with what was certified)"
    )


def test_closing_a_certified_period_again_changes_nothing(closed_history) -> None:
    from dagster_project.closing import AlreadyCertified, close_period

    settings = closed_history.settings
    before = tree_hashes(settings.home / "certified")
    with pytest.raises(AlreadyCertified, match="period 2026-09 is already certified"):
        close_period(settings, "2026-09")
    assert tree_hashes(settings.home / "certified") == before


def test_each_hold_of_the_plan_withholds_exactly_its_worker(closed_history) -> None:
    rows = read_csv(closed_history.settings.home / "certified/2026-10/incentive_payouts.csv")
    held = {r["employee_id"]: r for r in rows if r["status"] == "held"}
    assert held["E10044"]["hold_reason"] == "no individual quota for 2026-10 in objectifs_2026.xlsx"
    assert held["E10045"]["hold_reason"] == "no qualitative score for 2026-10 in evaluations.csv"
    for employee_id in ("E10021", "E10024"):
        assert held[employee_id]["hold_reason"] == (
            "named on opportunity 0068d000001jM6tAAE whose Revenue splits do not sum to 100 %"
        )
    marseille = {r["employee_id"] for r in rows if r["team"] == "Team Marseille Retail"}
    assert marseille and marseille <= set(held)
    for employee_id in marseille:
        assert held[employee_id]["hold_reason"] == (
            "no team quota for Team Marseille Retail for 2026-10 in objectifs_2026.xlsx"
        )
    assert set(held) == {"E10044", "E10045", "E10021", "E10024"} | marseille
    assert all(r["payout_eur"] == "" for r in held.values())


@pytest.mark.parametrize(
    ("employee_id", "who"),
    [
        ("E10026", "Sales Manager"),
        ("E10010", "Negotiator"),
        ("E10022", "part-time"),
        ("E10061", "hired 2026-10-15"),
        ("E10014", "left 2026-10-10"),
    ],
)
def test_statements_explain_the_payout_with_that_workers_data_only(
    closed_history, employee_id: str, who: str
) -> None:
    home = closed_history.settings.home
    statement = (home / "statements/2026-10" / f"{employee_id}.html").read_text()
    row = next(
        r
        for r in read_csv(home / "certified/2026-10/incentive_payouts.csv")
        if r["employee_id"] == employee_id
    )
    assert row["status"] == "certified", who
    payout = Decimal(row["payout_eur"])
    assert f"<strong>{payout:,.2f}".replace(",", " ") in statement
    assert f"{Decimal(row['target_variable_eur']):,.2f}".replace(",", " ") in statement
    # That worker's data only: no other worker's id, and only their own credited deals.
    others = {r["employee_id"] for r in read_csv(home / "certified/2026-10/incentive_payouts.csv")}
    assert [e for e in others - {employee_id} if e in statement] == []
    lines = read_csv(home / "certified/2026-10/credit_lines.csv")
    theirs = {line["opportunity_id"] for line in lines if line["employee_id"] == employee_id}
    not_theirs = {line["opportunity_id"] for line in lines} - theirs
    assert all(opportunity in statement for opportunity in theirs)
    assert not [opportunity for opportunity in not_theirs if opportunity in statement]
    assert "http://" not in statement and "https://" not in statement


def test_the_certificate_names_the_inputs_and_totals(closed_history, sample_landing) -> None:
    import hashlib

    folder = closed_history.settings.home / "certified" / "2026-10"
    certificate = json.loads((folder / "certificate.json").read_text())
    assert certificate["period"] == "2026-10"
    assert certificate["run_id"] == closed_history.outcomes["2026-10"].run_id
    assert certificate["plan"]["version"] == "2025.1"
    for entry in certificate["inputs"]:
        data = (sample_landing / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["file"]
    payouts = read_csv(folder / "incentive_payouts.csv")
    total = sum((Decimal(r["payout_eur"]) for r in payouts if r["payout_eur"]), Decimal(0))
    assert Decimal(certificate["control_totals"]["payouts_eur"]) == total
    assert certificate["control_totals"]["held_workers"] == sum(
        r["status"] == "held" for r in payouts
    )
    layers = [gate["layer"] for gate in certificate["gates"]]
    assert layers.count("raw") == 13
    for layer in ("harmonised", "certified"):
        assert layers.count(layer) == len(list((EXPECTATIONS_DIR / layer).glob("*.json")))
    assert Decimal(certificate["control_totals"]["bookings_eur"]) == sum(
        Decimal(r["amount_eur"]) for r in read_csv(folder / "bookings.csv")
    )


def blocked_variant(sample_landing: Path, target: Path) -> Path:
    """The sample's last drop with two blocking findings: an eligible worker paid in USD,
    and a large won deal owned by an integration user (unattributed credit over 1 %)."""
    for system, folder in (
        ("crm", "2026-10"),
        ("erp", "2026-10"),
        ("hris", "2026-10"),
        ("sales_ops", "2026"),
        ("sales_ops", "2026-10"),
    ):
        shutil.copytree(sample_landing / system / folder, target / system / folder)
    workers_file = target / "hris/2026-10/workers.json"
    report = json.loads(workers_file.read_text(encoding="utf-8"))
    for entry in report["Report_Entry"]:
        if entry["Employee_ID"] == "E10006":
            entry["Currency"] = "USD"
    workers_file.write_text(json.dumps(report), encoding="utf-8")
    opportunities = target / "crm/2026-10/Opportunity.csv"
    text = opportunities.read_bytes().decode("utf-8-sig")
    row = (
        '"0068d000009ZZZZAAA","0018d000000UbIHAA0","0058d000000GkEcAAK","Contrat cadre",'
        '"Closed Won","900000.00","EUR","100","2026-10-20","2026-09-01T08:00:00.000Z",'
        '"2026-10-20T08:00:00.000Z","New Business","Web","true","true","false"\r\n'
    )
    opportunities.write_bytes(b"\xef\xbb\xbf" + (text + row).encode("utf-8"))
    return target


def test_a_blocked_period_certifies_nothing_and_names_every_finding(
    tmp_path: Path, sample_landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project.cli import main

    landing = blocked_variant(sample_landing, tmp_path / "landing")
    home = tmp_path / "home"
    status = main(["close", "2026-10", "--landing", str(landing), "--home", str(home)])
    err = capsys.readouterr().err
    assert status == 1
    assert "perfgov: period 2026-10 is blocked, nothing certified: " in err
    assert "eligible_worker_not_eur: eligible worker E10006 is paid in USD, not EUR" in err
    assert "unattributed_credit_over_limit: unattributed credit" in err
    assert not (home / "certified").exists() or not any((home / "certified").iterdir())
    assert not (home / "statements").exists()
    # The harmonised gate blocked the publication, and the auditor pack says why.
    pack = (home / "audit/2026-10/index.html").read_text()
    assert "eligible_worker_not_eur" in pack and "unattributed_credit_over_limit" in pack
    assert '<span class="verdict blocked">blocked</span>' in pack
    assert "No eligible worker is paid in a currency other than the plan&#x27;s." in pack
    settings = Settings.resolve(landing, home)
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        published = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'certified'"
        ).fetchone()[0]
    assert published == 0
