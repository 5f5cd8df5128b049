"""Plan what-if (``perfgov simulate``): certified payouts recomputed under a candidate plan.

Fast tests use a small certified history made by hand (``certified.duckdb`` written by the
project's own consumer-copy writer) whose figures are worked out below from the comp plan
formula; slow tests use the real closes of the ``closed_history`` fixture.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.certify.consumer_copy import write_consumer_copy
from dagster_project.certify.publish import CONSUMER_TABLES
from dagster_project.cli import main
from dagster_project.incentives.plan import PLANS_DIR, PlanError, load_plan
from dagster_project.incentives.simulate import SimulationError, divide_half_up, simulate
from tests.conftest import HISTORY, tree_hashes

PLAN_FILE = PLANS_DIR / "central-variable-pay_2025-01.yaml"
HUNTER_70_30 = "Hunter:        {qualitative: 0.00, individual: 0.70, collective: 0.30}"
FARMER_70_30 = "Farmer:        {qualitative: 0.00, individual: 0.70, collective: 0.30}"


def candidate(tmp_path: Path, name: str = "candidate.yaml", **replace: str) -> Path:
    """The plan in force with some of its text replaced (old text -> new text)."""
    text = PLAN_FILE.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def plan_60_40(tmp_path: Path) -> Path:
    return candidate(
        tmp_path,
        "what-if-60-40.yaml",
        **{
            HUNTER_70_30: HUNTER_70_30.replace("0.70", "0.60").replace("0.30", "0.40"),
            FARMER_70_30: FARMER_70_30.replace("0.70", "0.60").replace("0.30", "0.40"),
        },
    )


# --- a certified history made by hand ----------------------------------------------------
#
# Plan in force: Hunter/Farmer 70 % f(IA) + 30 % f(TA); Negotiator 50 % q + 35 % + 15 %;
# Sales Manager 100 % f(TA). f(A) = 0 below 0.5, A up to 1, 1 + 1.5 (A - 1) above, cap 2.
# TV = annual / 12 x FTE x days employed / days in period, to the cent.
# Candidate: Hunter/Farmer 60 % f(IA) + 40 % f(TA), nothing else changes.
#
# 2026-09 (30 days), publication version 1:
#   W1 Hunter  T1: TV 24000/12 = 2000.00; IA 15000/10000 = 1.5 -> f 1 + 1.5 x 0.5 = 1.75;
#              TA 90000/100000 = 0.9 -> f 0.9.
#              certified 2000 x (0.7 x 1.75 + 0.3 x 0.9) = 2000 x 1.495 = 2990.00
#              candidate 2000 x (0.6 x 1.75 + 0.4 x 0.9) = 2000 x 1.41  = 2820.00  (-170.00)
#   W2 Farmer  T1: FTE 0.8, 15 of 30 days: TV 30000/12 x 0.8 x 15/30 = 1000.00;
#              IA 0.4 -> below threshold, f 0; TA 0.9.
#              certified 1000 x 0.27 = 270.00, candidate 1000 x 0.36 = 360.00    (+90.00)
#   W3 Hunter  T2: TV 1500.00; IA 2.5 -> 1 + 1.5 x 1.5 = 3.25, capped at 2;
#              TA 33333.33/50000 = 0.6666666 -> 0.666667 (6 decimals, half up).
#              certified 1500 x (1.4 + 0.2000001) = 2400.00015 -> 2400.00
#              candidate 1500 x (1.2 + 0.2666668) = 2200.0002  -> 2200.00    (-200.00)
#   W4 Negotiator T2: TV 1000.00; score 80 -> q 0.8; IA 1 -> f 1; TA 0.666667.
#              1000 x (0.4 + 0.35 + 0.10000005) = 850.00005 -> 850.00 (weights unchanged)
#   W5 Sales Manager T1: TV 3000.00; no individual quota (no weight); TA 0.9 -> 2700.00
#   W6 Hunter  T2: no individual quota -> held (no_individual_quota) under both plans
#   W7 Farmer  T1: IA 1.2, TA 0.9, named on a split exception -> held under both plans
#   W8 Farmer  T1: annual 12339 -> TV 1028.25; IA 0.9, TA 0.9: 0.9 under both plans;
#              1028.25 x 0.9 = 925.425 -> 925.43 (half up, not half even)
#   certified 10135.43, candidate 9855.43, change -280.00
# 2026-10 (31 days): version 1 is superseded (its W1 payout, 1.00, is wrong on purpose: a
#   simulation that read it would be refused); version 2, in force: W1 as in 2026-09 but 31
#   days: TV 24000/12 x 31/31 = 2000.00: 2990.00 -> 2820.00 (-170.00).
# Range 2026-09..2026-10: certified 13125.43, candidate 12675.43, change -450.00.

CERTIFIED_TOTAL = Decimal("13125.43")
CANDIDATE_TOTAL = Decimal("12675.43")

_ROW_DEFAULTS = dict(
    fte="1",
    days_employed=30,
    days_in_period=30,
    individual_quota_eur="10000.00",
    qualitative_score=None,
    qualitative_factor=None,
    status="certified",
    hold_rules=None,
)

# employee_id, role, team, annual TV, credited (with adjustments), team credited,
# team quota, then the certified results: TV, IA, TA, f(IA), f(TA), payout factor, payout.
WORKERS_2026_09 = [
    dict(employee_id="W1", sales_role="Hunter", team="T1", annual_target_variable="24000.00",
         credited_with_adjustments_eur="15000.00", team_credited_eur="90000.00",
         team_quota_eur="100000.00", target_variable_eur="2000.00",
         individual_attainment="1.5", team_attainment="0.9", individual_factor="1.75",
         collective_factor="0.9", payout_factor="1.495", payout_eur="2990.00"),
    dict(employee_id="W2", sales_role="Farmer", team="T1", fte="0.8", days_employed=15,
         annual_target_variable="30000.00", credited_with_adjustments_eur="4000.00",
         team_credited_eur="90000.00", team_quota_eur="100000.00",
         target_variable_eur="1000.00", individual_attainment="0.4", team_attainment="0.9",
         individual_factor="0", collective_factor="0.9", payout_factor="0.27",
         payout_eur="270.00"),
    dict(employee_id="W3", sales_role="Hunter", team="T2", annual_target_variable="18000.00",
         credited_with_adjustments_eur="25000.00", team_credited_eur="33333.33",
         team_quota_eur="50000.00", target_variable_eur="1500.00",
         individual_attainment="2.5", team_attainment="0.666667", individual_factor="2",
         collective_factor="0.666667", payout_factor="1.6000001", payout_eur="2400.00"),
    dict(employee_id="W4", sales_role="Negotiator", team="T2", annual_target_variable="12000.00",
         credited_with_adjustments_eur="10000.00", team_credited_eur="33333.33",
         team_quota_eur="50000.00", qualitative_score="80.00", qualitative_factor="0.8",
         target_variable_eur="1000.00", individual_attainment="1", team_attainment="0.666667",
         individual_factor="1", collective_factor="0.666667", payout_factor="0.85000005",
         payout_eur="850.00"),
    dict(employee_id="W5", sales_role="Sales Manager", team="T1",
         annual_target_variable="36000.00", credited_with_adjustments_eur="0.00",
         individual_quota_eur=None, team_credited_eur="90000.00", team_quota_eur="100000.00",
         target_variable_eur="3000.00", individual_attainment=None, team_attainment="0.9",
         individual_factor=None, collective_factor="0.9", payout_factor="0.9",
         payout_eur="2700.00"),
    dict(employee_id="W6", sales_role="Hunter", team="T2", annual_target_variable="12000.00",
         credited_with_adjustments_eur="5000.00", individual_quota_eur=None,
         team_credited_eur="33333.33", team_quota_eur="50000.00",
         target_variable_eur="1000.00", individual_attainment=None,
         team_attainment="0.666667", individual_factor=None, collective_factor="0.666667",
         payout_factor="0.2000001", payout_eur=None, status="held",
         hold_rules="no_individual_quota"),
    dict(employee_id="W7", sales_role="Farmer", team="T1", annual_target_variable="12000.00",
         credited_with_adjustments_eur="12000.00", team_credited_eur="90000.00",
         team_quota_eur="100000.00", target_variable_eur="1000.00",
         individual_attainment="1.2", team_attainment="0.9", individual_factor="1.3",
         collective_factor="0.9", payout_factor="1.18", payout_eur=None, status="held",
         hold_rules="split_exception"),
    dict(employee_id="W8", sales_role="Farmer", team="T1", annual_target_variable="12339.00",
         credited_with_adjustments_eur="9000.00", team_credited_eur="90000.00",
         team_quota_eur="100000.00", target_variable_eur="1028.25",
         individual_attainment="0.9", team_attainment="0.9", individual_factor="0.9",
         collective_factor="0.9", payout_factor="0.9", payout_eur="925.43"),
]  # fmt: skip

PAYOUTS_DDL = """
CREATE TABLE certified.incentive_payouts (
    publication_id VARCHAR, period VARCHAR, employee_id VARCHAR, sales_role VARCHAR,
    team VARCHAR, business_line VARCHAR, plan_version VARCHAR, status VARCHAR,
    hold_rules VARCHAR, hold_reason VARCHAR, fte DECIMAL(18,4), days_employed INTEGER,
    days_in_period INTEGER, annual_target_variable DECIMAL(18,2),
    target_variable_eur DECIMAL(18,2), credited_eur DECIMAL(18,2),
    adjustments_eur DECIMAL(18,2), credited_with_adjustments_eur DECIMAL(18,2),
    individual_quota_eur DECIMAL(18,2), individual_attainment DECIMAL(18,10),
    team_members BIGINT, team_credited_eur DECIMAL(18,2), team_quota_eur DECIMAL(18,2),
    team_attainment DECIMAL(18,10), qualitative_score DECIMAL(18,2),
    weight_qualitative DECIMAL(9,4), weight_individual DECIMAL(9,4),
    weight_collective DECIMAL(9,4), qualitative_factor DECIMAL(18,10),
    individual_factor DECIMAL(18,10), collective_factor DECIMAL(18,10),
    payout_factor DECIMAL(18,10), payout_eur DECIMAL(18,2)
)"""

CREDIT_LINES_DDL = """
CREATE TABLE certified.credit_lines (
    publication_id VARCHAR, period VARCHAR, line_type VARCHAR, opportunity_id VARCHAR,
    credited_user_id VARCHAR, employee_id VARCHAR, credit_eur DECIMAL(18,2)
)"""

PUBLICATION_LOG_DDL = """
CREATE TABLE certified.publication_log (
    publication_id VARCHAR, period VARCHAR, version INTEGER, run_id VARCHAR,
    published_at TIMESTAMP, supersedes VARCHAR, restatement_reason VARCHAR, certificate JSON
)"""


def _insert_payout(conn: duckdb.DuckDBPyConnection, publication: str, period: str, row: dict):
    values = {**_ROW_DEFAULTS, **row}
    values.update(publication_id=publication, period=period, plan_version="2025.1")
    values["business_line"] = {"T1": "BL-A", "T2": "BL-B"}[values["team"]]
    columns = ", ".join(values)
    placeholders = ", ".join("?" * len(values))
    conn.execute(
        f"INSERT INTO certified.incentive_payouts ({columns}) VALUES ({placeholders})",
        list(values.values()),
    )


def make_certified_home(home: Path, october_payout: str = "2990.00") -> Path:
    """The hand-made history above, as a close leaves it: ``certified/certified.duckdb``
    (``october_payout``: W1's payout in the publication of 2026-10 in force)."""
    plan = load_plan(PLAN_FILE)
    certificate = json.dumps(
        {"plan": {"plan_id": plan.plan_id, "version": plan.version, "file": plan.file,
                  "sha256": plan.sha256}}
    )  # fmt: skip
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA certified")
    for ddl in (PAYOUTS_DDL, CREDIT_LINES_DDL, PUBLICATION_LOG_DDL):
        conn.execute(ddl)
    publications = [("p09", "2026-09", 1), ("p10a", "2026-10", 1), ("p10b", "2026-10", 2)]
    for publication, period, version in publications:
        conn.execute(
            "INSERT INTO certified.publication_log VALUES (?, ?, ?, 'run', "
            "TIMESTAMP '2026-11-01 00:00:00', NULL, NULL, ?)",
            [publication, period, version, certificate],
        )
        # 1 % of the credited bookings is unattributed: the plan's limit, not above it.
        conn.execute(
            "INSERT INTO certified.credit_lines VALUES (?, ?, 'booking', 'O1', 'U1', 'W1', "
            "99000.00), (?, ?, 'booking', 'O2', 'U9', NULL, 1000.00)",
            [publication, period, publication, period],
        )
    for row in WORKERS_2026_09:
        _insert_payout(conn, "p09", "2026-09", row)
    w1_october = {**WORKERS_2026_09[0], "days_employed": 31, "days_in_period": 31}
    _insert_payout(conn, "p10a", "2026-10", {**w1_october, "payout_eur": "1.00"})
    _insert_payout(conn, "p10b", "2026-10", {**w1_october, "payout_eur": october_payout})
    certified_dir = home / "certified"
    # The tables a simulation reads; a real copy holds the other certified tables too.
    tables = ("publication_log", "incentive_payouts", "credit_lines")
    write_consumer_copy(conn, certified_dir, {t: CONSUMER_TABLES[t] for t in tables})
    conn.close()
    return certified_dir


@pytest.fixture
def hand_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    make_certified_home(home)
    return home


def test_the_plan_in_force_gives_back_the_hand_made_certified_payouts(
    hand_home: Path, tmp_path: Path
) -> None:
    same = candidate(tmp_path)  # the plan in force, as a candidate file
    result = simulate(hand_home, same, "2026-09", "2026-10")
    assert [p.period for p in result.periods] == ["2026-09", "2026-10"]
    assert result.periods[1].version == 2  # the publication in force, not the superseded one
    for period in result.periods:
        for worker in period.workers:
            assert worker.after.payout_eur == worker.certified.payout_eur
            assert worker.after.status == worker.certified.status
            assert worker.change_eur == 0


def test_60_40_changes_exactly_the_hand_computed_payouts(hand_home: Path, tmp_path: Path) -> None:
    result = simulate(hand_home, plan_60_40(tmp_path), "2026-09", "2026-10")
    september, october = result.periods
    after = {w.certified.employee_id: w.after for w in september.workers}
    assert {e: a.payout_eur for e, a in after.items()} == {
        "W1": Decimal("2820.00"),
        "W2": Decimal("360.00"),
        "W3": Decimal("2200.00"),
        "W4": Decimal("850.00"),
        "W5": Decimal("2700.00"),
        "W6": None,
        "W7": None,
        "W8": Decimal("925.43"),
    }
    assert after["W6"].hold_rules == ("no_individual_quota",)
    assert after["W7"].hold_rules == ("split_exception",)
    assert after["W3"].capped and not after["W1"].capped
    assert after["W2"].below_threshold
    changes = {w.certified.employee_id: w.change_eur for w in september.workers}
    assert changes == {
        "W1": Decimal("-170.00"),
        "W2": Decimal("90.00"),
        "W3": Decimal("-200.00"),
        **{e: Decimal("0.00") for e in ("W4", "W5", "W6", "W7", "W8")},
    }
    assert [w.after.payout_eur for w in october.workers] == [Decimal("2820.00")]
    assert result.periods[0].would_block is None  # unattributed exactly at 1 %: no block


def test_the_cli_writes_the_comparison_of_60_40_outside_certified(
    hand_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_hashes(hand_home / "certified")
    status = main(
        ["simulate", "--plan", str(plan_60_40(tmp_path)), "--from", "2026-09",
         "--to", "2026-11", "--home", str(hand_home)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert tree_hashes(hand_home / "certified") == before  # nothing certified changed
    assert f"cost certified {CERTIFIED_TOTAL} EUR, candidate {CANDIDATE_TOTAL} EUR" in captured.out
    assert "not certified, not simulated: 2026-11" in captured.err

    (folder,) = (hand_home / "simulations").iterdir()
    assert folder.name.startswith("central-variable-pay-2025.1-") and folder.name.endswith(
        "_2026-09_2026-11"
    )
    summary = json.loads((folder / "summary.json").read_text())
    total = summary["totals"][-1]
    assert total["period"] == "total"
    assert (total["cost_certified_eur"], total["cost_candidate_eur"], total["change_eur"]) == (
        str(CERTIFIED_TOTAL), str(CANDIDATE_TOTAL), "-450.00")  # fmt: skip
    assert (total["held_certified"], total["above_cap_candidate"]) == (2, 1)
    assert total["below_threshold_candidate"] == 1
    assert [p["version"] for p in summary["periods_simulated"]] == [1, 2]
    assert summary["changes"]["central-variable-pay_2025-01.yaml"] == [
        "roles.Farmer (qualitative/individual/collective): 0.0/0.7/0.3 -> 0.0/0.6/0.4",
        "roles.Hunter (qualitative/individual/collective): 0.0/0.7/0.3 -> 0.0/0.6/0.4",
    ]

    with (folder / "workers.csv").open() as f:
        rows = {(r["period"], r["employee_id"]): r for r in csv.DictReader(f)}
    assert len(rows) == 9
    w3 = rows[("2026-09", "W3")]
    assert (w3["certified_payout_eur"], w3["candidate_payout_eur"], w3["change_eur"]) == (
        "2400.00", "2200.00", "-200.00")  # fmt: skip
    assert (w3["certified_share_of_tv"], w3["candidate_share_of_tv"]) == ("1.6000", "1.4667")

    from openpyxl import load_workbook

    book = load_workbook(folder / "simulation.xlsx", read_only=True)
    by_role = list(book["by_role"].iter_rows(values_only=True))
    role_totals = {r[1]: r[-1] for r in by_role[1:] if r[0] == "total"}
    assert role_totals == {
        "Farmer": Decimal("90.00"),
        "Hunter": Decimal("-540.00"),
        "Negotiator": Decimal("0.00"),
        "Sales Manager": Decimal("0.00"),
    }
    team_totals = {
        r[1]: r[-1] for r in book["by_team"].iter_rows(values_only=True) if r[0] == "total"
    }
    assert team_totals == {"T1": Decimal("-250.00"), "T2": Decimal("-200.00")}
    losers = [r[0] for r in list(book["losers"].iter_rows(values_only=True))[1:]]
    gainers = [r[0] for r in list(book["gainers"].iter_rows(values_only=True))[1:]]
    assert (losers, gainers) == (["W1", "W3"], ["W2"])

    page = (folder / "simulation.html").read_text()
    assert not re.search(r"https?://", page)
    assert "<svg" in page and "W1" in page


def test_an_invalid_candidate_is_refused_with_the_validators_message(
    hand_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = candidate(tmp_path, "bad.yaml", **{HUNTER_70_30: HUNTER_70_30.replace("0.30", "0.40")})
    with pytest.raises(PlanError) as validator:
        load_plan(bad)
    assert str(validator.value) == "bad.yaml: roles.Hunter: weights sum to 1.1, not 1"
    status = main(
        ["simulate", "--plan", str(bad), "--from", "2026-09", "--to", "2026-10",
         "--home", str(hand_home)]
    )  # fmt: skip
    assert status == 2
    assert capsys.readouterr().err.strip() == (
        f"perfgov: candidate plan refused: {validator.value}"
    )
    assert not (hand_home / "simulations").exists()


@pytest.mark.parametrize(
    ("replace", "reason"),
    [
        (
            {"  Sales Manager: {": "  Sales Support: {qualitative: 0.00, individual: 0.50, "
             "collective: 0.50}\n  Sales Manager: {"},
            "role(s) Sales Support made eligible: their workers are not in the certified",
        ),
        ({"money_decimals: 2": "money_decimals: 3"}, "rounding.money_decimals changed"),
        ({"currency: EUR ": "currency: USD "}, "currency EUR -> USD"),
        ({"  - split_exception ": "  # - split_exception "}, "the hold rules changed"),
        ({"threshold: 0.5": "threshold: 0.55555"}, "curve.threshold = 0.55555 has more than 4"),
    ],
    ids=["new-role", "money-decimals", "currency", "holds", "too-precise"],
)  # fmt: skip
def test_changes_that_certified_inputs_cannot_simulate_are_refused(
    hand_home: Path, tmp_path: Path, replace: dict, reason: str
) -> None:
    with pytest.raises(SimulationError, match=re.escape(reason)):
        simulate(hand_home, candidate(tmp_path, **replace), "2026-09", "2026-10")
    assert not (hand_home / "simulations").exists()


def test_a_lower_unattributed_limit_flags_the_periods_it_would_have_blocked(
    hand_home: Path, tmp_path: Path
) -> None:
    stricter = candidate(
        tmp_path,
        **{"unattributed_credit_block_share: 0.01": "unattributed_credit_block_share: 0.005"},
    )
    result = simulate(hand_home, stricter, "2026-09", "2026-09")
    assert result.periods[0].would_block == (
        "unattributed credit 1000.00 EUR is above 0.500 % of the 100000.00 EUR credited"
    )


def test_dropping_a_role_makes_its_workers_not_eligible(hand_home: Path, tmp_path: Path) -> None:
    without_managers = candidate(
        tmp_path,
        **{"  Sales Manager: {qualitative: 0.00, individual: 0.00, collective: 1.00}\n": ""},
    )
    result = simulate(hand_home, without_managers, "2026-09", "2026-09")
    (w5,) = [w for w in result.periods[0].workers if w.certified.employee_id == "W5"]
    assert (w5.after.status, w5.after.payout_eur, w5.change_eur) == (
        "not_eligible", None, Decimal("-2700.00"))  # fmt: skip


def test_a_certified_history_the_plan_does_not_reproduce_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_certified_home(home, october_payout="2990.01")  # one cent off
    with pytest.raises(SimulationError) as refused:
        simulate(home, plan_60_40(tmp_path), "2026-09", "2026-10")
    assert str(refused.value) == (
        "recomputing 2026-10 under central-variable-pay_2025-01.yaml does not give back the "
        "certified payout_eur of worker W1: the certified history cannot be simulated exactly"
    )


def test_periods_and_ranges_are_checked(hand_home: Path, tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match="--from 2026-10 is after --to 2026-09"):
        simulate(hand_home, candidate(tmp_path), "2026-10", "2026-09")
    with pytest.raises(SimulationError, match="no period from 2025-01 to 2025-12 is certified"):
        simulate(hand_home, candidate(tmp_path), "2025-01", "2025-12")
    with pytest.raises(SimulationError, match="does not exist: no period of this home"):
        simulate(tmp_path / "empty", candidate(tmp_path), "2026-09", "2026-10")


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        ("1", "3", 2, "0.33"),
        ("2", "3", 2, "0.67"),
        ("100.01", "2", 2, "50.01"),
        ("-100.01", "2", 2, "-50.01"),
        ("33333.33", "50000", 6, "0.666667"),
        ("1000", "1.0853", 2, "921.40"),
    ],
)
def test_division_rounds_half_away_from_zero_like_the_dbt_macro(
    numerator: str, denominator: str, scale: int, expected: str
) -> None:
    # The same cases as the dbt macro's unit tests (dbt/macros/money.sql).
    assert divide_half_up(Decimal(numerator), Decimal(denominator), scale) == Decimal(expected)


# --- on a real certified history -----------------------------------------------------------


def _names_in_hr_files(landing: Path) -> set[str]:
    """Every worker's name and e-mail in the landing zone's HR exports."""
    names = set()
    for path in landing.glob("hris/*/workers.json"):
        for entry in json.loads(path.read_text())["Report_Entry"]:
            for key, value in entry.items():
                if (
                    ("name" in key.lower() or "email" in key.lower())
                    and isinstance(value, str)
                    and len(value) > 2
                ):
                    names.add(value)
    return names


@pytest.mark.slow
def test_the_plan_in_force_reproduces_every_certified_payout(
    closed_history, tmp_path: Path
) -> None:
    home = closed_history.settings.home
    certified_before = tree_hashes(home / "certified")
    result = simulate(home, candidate(tmp_path), HISTORY[0], HISTORY[-1])
    assert [p.period for p in result.periods] == list(HISTORY)

    conn = duckdb.connect(str(home / "certified" / "certified.duckdb"), read_only=True)
    certified = dict(
        ((period, employee), (status, payout))
        for period, employee, status, payout in conn.execute(
            "SELECT period, employee_id, status, payout_eur FROM incentive_payouts_in_force"
        ).fetchall()
    )
    conn.close()
    simulated = {
        (p.period, w.certified.employee_id): (w.after.status, w.after.payout_eur)
        for p in result.periods
        for w in p.workers
    }
    assert simulated == certified  # every worker, held ones included, to the cent
    assert any(status == "held" for status, _ in certified.values())
    assert tree_hashes(home / "certified") == certified_before


@pytest.mark.slow
def test_60_40_on_the_certified_sample_writes_an_offline_page_without_names(
    closed_history, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = closed_history.settings.home
    certified_before = tree_hashes(home / "certified")
    what_if = plan_60_40(tmp_path)
    status = main(
        ["simulate", "--plan", str(what_if), "--from", HISTORY[0], "--to", HISTORY[-1],
         "--home", str(home)]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    assert tree_hashes(home / "certified") == certified_before
    sha8 = load_plan(what_if).sha256[:8]
    folder = home / "simulations" / f"central-variable-pay-2025.1-{sha8}_{HISTORY[0]}_{HISTORY[-1]}"
    total = json.loads((folder / "summary.json").read_text())["totals"][-1]
    # Only weights change, so the certified factors stay: the candidate cost is also
    # sum(round(TV x (0.6 f(IA) + 0.4 f(TA)), 2)) over paid Hunters and Farmers, plus the
    # others' certified payouts, computed here straight from the certified table.
    conn = duckdb.connect(str(home / "certified" / "certified.duckdb"), read_only=True)
    certified_cost, candidate_cost = conn.execute(
        "SELECT sum(payout_eur), sum(CASE WHEN sales_role IN ('Hunter', 'Farmer') "
        "THEN round(target_variable_eur * (0.6 * individual_factor + 0.4 * collective_factor), 2) "
        "ELSE payout_eur END) FROM incentive_payouts_in_force WHERE status = 'certified'"
    ).fetchone()
    conn.close()
    assert (Decimal(total["cost_certified_eur"]), Decimal(total["cost_candidate_eur"])) == (
        certified_cost, candidate_cost)  # fmt: skip
    assert certified_cost != candidate_cost
    assert total["workers_gaining"] > 0 and total["workers_losing"] > 0
    page = (folder / "simulation.html").read_text()
    assert not re.search(r"https?://", page)
    names = _names_in_hr_files(closed_history.settings.landing)
    assert names, "the sample's HR file has names to look for"
    assert not [name for name in names if name in page]
