"""Reporting (issue 7): churn configuration, action lists, charts, and the monthly pack.

The KPI and churn SQL is unit-tested by dbt on hand-computed fixtures
(dbt/models/marts/reporting/_reporting__models.yml, run by tests/test_dbt_unit.py). Here:
the configuration file is refused when it cannot be right, a rep's action list holds their
customers only (read from the certified schema, publication in force), the charts are
drawn from their figures, and, slow, the pack of the sample's last closed period is
complete, offline and free of workers' names and e-mails.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from dagster_project.reporting.action_lists import action_list_csv, action_lists
from dagster_project.reporting.churn_config import (
    CHURN_CONFIG,
    DRIVERS,
    ChurnConfigError,
    load_churn_config,
)
from dagster_project.reporting.statements import render_statement
from dagster_project.reporting.svg_charts import Box, bar_chart, box_chart, line_chart

# ------------------------------------------------------------------ churn configuration


def test_the_shipped_churn_config_gives_every_var_the_sql_reads() -> None:
    config = load_churn_config()
    assert [d.name for d in config.drivers] == list(DRIVERS)
    assert sum(d.weight for d in config.drivers) <= 100
    dbt_vars = config.dbt_vars()
    sql = "".join(
        p.read_text()
        for p in (CHURN_CONFIG.parents[1] / "dbt" / "models").rglob("*.sql")
        if "churn" in p.name
    )
    used = set(re.findall(r"var\('(churn_[a-z_]+)'\)", sql))
    assert used == set(dbt_vars), sorted(used ^ set(dbt_vars))


def _write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(CHURN_CONFIG.read_text())
    change(data)
    path = tmp_path / "churn.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["drivers"]["revenue_drop"].update(weight=60),
            "drivers.*.weight: weights sum to 130, above 100",
        ),
        (
            lambda d: d["tiers"].update(at_risk=10),
            "tiers: must increase from watch to critical",
        ),
        (lambda d: d["drivers"].pop("no_activity"), "drivers.no_activity: missing"),
        (
            lambda d: d["drivers"]["invoice_gap"].update(gap_multiple="often"),
            "drivers.invoice_gap.gap_multiple: must be a number",
        ),
        (
            lambda d: d["drivers"]["credit_notes"].update(lookback_days=0),
            "drivers.credit_notes.lookback_days: must be a whole number from 1",
        ),
        (
            lambda d: d["drivers"].update(gut_feeling={"weight": 1}),
            "drivers: unknown driver(s) gut_feeling",
        ),
    ],
)
def test_a_churn_config_that_cannot_be_right_is_refused_naming_file_and_field(
    tmp_path: Path, change, message: str
) -> None:
    path = _write(tmp_path, change)
    with pytest.raises(ChurnConfigError) as refused:
        load_churn_config(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)


# ------------------------------------------------------------------ action lists


def _certified(conn: duckdb.DuckDBPyConnection) -> None:
    """Two publications of 2026-10 (the second in force) and one of 2026-09."""
    conn.execute("CREATE SCHEMA certified")
    conn.execute(
        "CREATE TABLE certified.publication_log (publication_id VARCHAR, period VARCHAR, "
        "version INTEGER)"
    )
    conn.execute(
        "INSERT INTO certified.publication_log VALUES ('p1', '2026-10', 1), "
        "('p2', '2026-10', 2), ('p0', '2026-09', 1)"
    )
    conn.execute(
        "CREATE TABLE certified.churn_risk (publication_id VARCHAR, period VARCHAR, "
        "erp_customer_code VARCHAR, account_id VARCHAR, segment VARCHAR, "
        "owner_employee_id VARCHAR, score INTEGER, tier VARCHAR, drivers VARCHAR, "
        "driver_details VARCHAR, suggested_next_step VARCHAR)"
    )
    rows = [
        ("p2", "2026-10", "C1", "A1", "B2B", "W1", 30, "watch", "revenue_drop", "d", "Review"),
        ("p2", "2026-10", "C2", "A2", "B2B", "W1", 70, "critical", "revenue_drop, x", "d", "Go"),
        ("p2", "2026-10", "C3", "A3", "B2C", "W1", 15, None, "no_activity", "d", "Visit"),
        ("p2", "2026-10", "C4", "A4", "B2B", "W2", 45, "at_risk", "invoice_gap", "d", "Call"),
        ("p2", "2026-10", "C5", None, "B2B", None, 60, "critical", "payment_delay", "d", "Pay"),
        ("p1", "2026-10", "C9", "A9", "B2B", "W1", 90, "critical", "superseded", "d", "Old"),
        ("p0", "2026-09", "C8", "A8", "B2B", "W1", 90, "critical", "last month", "d", "Old"),
    ]
    conn.executemany("INSERT INTO certified.churn_risk VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)


def test_a_reps_action_list_holds_their_customers_in_a_tier_only() -> None:
    with duckdb.connect() as conn:
        _certified(conn)
        lists = action_lists(conn, "2026-10")
    assert set(lists) == {"W1", "W2"}  # a customer without owner goes to nobody's list
    # W1: their customers with a tier, highest score first; not W2's, not the one below
    # `watch`, not a superseded publication's nor another period's.
    assert [r["erp_customer_code"] for r in lists["W1"]] == ["C2", "C1"]
    assert [r["erp_customer_code"] for r in lists["W2"]] == ["C4"]
    rows = list(csv.DictReader(io.StringIO(action_list_csv(lists["W1"]))))
    assert rows[0] == {
        "erp_customer_code": "C2",
        "account_id": "A2",
        "segment": "B2B",
        "score": "70",
        "tier": "critical",
        "drivers": "revenue_drop, x",
        "driver_details": "d",
        "suggested_next_step": "Go",
    }


def test_no_action_list_for_a_period_that_is_not_certified() -> None:
    with duckdb.connect() as conn:
        _certified(conn)
        with pytest.raises(ValueError, match="period 2026-11 is not certified"):
            action_lists(conn, "2026-11")


def test_the_statement_shows_the_reps_action_list() -> None:
    payout = {
        "period": "2026-10",
        "employee_id": "W1",
        "status": "certified",
        "hold_reason": None,
        "sales_role": "Hunter",
        "team": "T",
        "plan_version": "1",
        **{
            k: None
            for k in [
                "payout_eur",
                "annual_target_variable",
                "fte",
                "days_employed",
                "days_in_period",
                "target_variable_eur",
                "weight_qualitative",
                "qualitative_factor",
                "weight_individual",
                "individual_factor",
                "weight_collective",
                "collective_factor",
                "credited_eur",
                "adjustments_eur",
                "individual_quota_eur",
                "individual_attainment",
                "team_credited_eur",
                "team_quota_eur",
                "team_attainment",
                "payout_factor",
            ]
        },
    }
    plan = dict.fromkeys(
        ("curve_threshold", "curve_target", "curve_accelerator_slope", "curve_cap"), 1
    ) | {"months_per_year": 12}
    actions = [
        {
            "erp_customer_code": "C2",
            "account_id": "A2",
            "score": 70,
            "tier": "at_risk",
            "driver_details": "revenue_drop: revenue of the last 3 months 10 EUR vs 50 EUR",
            "suggested_next_step": "Review the account plan",
        }
    ]
    page = render_statement(payout, [], plan, actions)
    assert "Customers at risk (action list)" in page
    assert "C2" in page and "at risk" in page and "Review the account plan" in page
    assert "None of your customers" in render_statement(payout, [], plan, [])


# ------------------------------------------------------------------ charts


def test_charts_draw_one_mark_per_figure_and_write_the_figures() -> None:
    bars = bar_chart("b", "Bookings", [("Enterprise", 300), ("Retail", 100), ("None", None)])
    assert bars.count("class='bar'") == 3
    assert "300" in bars and ">–<" in bars  # a missing figure is shown as such, not as 0
    assert re.search(r"data-chart=\"b\"", bars) and "<title>Bookings</title>" in bars
    boxes = box_chart(
        "x", "Attainment", [Box("A", 0.8, 1, 1.2, points=[0.5, 1, 1.5])], reference_line=1
    )
    assert boxes.count("class='point'") == 3 and boxes.count("class='box'") == 1
    assert "class='reference'" in boxes
    lines = line_chart("t", "Trend", ["2026-08", "2026-09", "2026-10"], {"A": [1, None, 3]})
    assert lines.count("class='series'") == 2  # a gap where a period has no value
    for svg in (bars, boxes, lines):
        assert "http" not in svg and "<script" not in svg


def test_chart_labels_are_escaped() -> None:
    assert "<b>" not in bar_chart("b", "t", [("<b>", 1)])


# ------------------------------------------------------------------ the pack (slow)

PACK_CHARTS = (
    "bookings_by_business_line",
    "segment_split",
    "worker_benchmark",
    "team_benchmark",
    "bookings_trend",
    "attainment_distribution",
    "churn_tiers",
    "training_per_fte",
)


def _people(landing: Path) -> set[str]:
    """Every worker's name and e-mail in the sample's HR drops."""
    found = set()
    for path in landing.glob("hris/*/workers.json"):
        for entry in json.loads(path.read_text(encoding="utf-8"))["Report_Entry"]:
            found.update(v for k, v in entry.items() if k in ("Legal_Name", "Work_Email") and v)
    return found


@pytest.mark.slow
def test_the_monthly_pack_of_the_last_period_is_complete_offline_and_anonymous(
    closed_history, sample_landing: Path
) -> None:
    from openpyxl import load_workbook

    from dagster_project.reporting.pack_tables import PACK_TABLES

    folder = closed_history.settings.home / "reports" / "2026-10"
    page = (folder / "index.html").read_text(encoding="utf-8")
    for chart in PACK_CHARTS:
        assert f'data-chart="{chart}"' in page, chart
    assert page.count("<svg") == len(PACK_CHARTS)
    # Every chart has marks: bars, boxes with dots, lines.
    assert page.count("class='series'") >= 3  # one line per business line
    assert page.count("class='point'") >= 40  # each rep a dot in the attainment chart
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "src=" not in page  # no image or file loaded from anywhere
    leaked = sorted(p for p in _people(sample_landing) if p in page)
    assert leaked == []
    assert 'href="../../audit/2026-10/index.html"' in page
    # The verdict is the certificate's: the sample's last ERP drop has findings that warn.
    certificate = json.loads(
        (closed_history.settings.home / "certified/2026-10/certificate.json").read_text()
    )
    failing = [g for g in certificate["gates"] if g["verdict"]["verdict"] != "pass"]
    assert "erp__facture" in {g["suite"] for g in failing}
    assert (
        f"Data quality: warnings.</strong> {len(certificate['gates'])} suites ran; "
        f"{len(failing)} with" in page
    )
    held = [g for g in failing if g["verdict"]["verdict"] == "hold"]
    assert held and all(f"{g['layer']}/{g['suite']}" in page for g in held)
    for name in PACK_TABLES:
        assert (folder / "tables" / f"{name}.csv").exists(), name
        assert f'href="tables/{name}.csv"' in page
    workbook = load_workbook(folder / "pack_2026-10.xlsx", read_only=True)
    assert workbook.sheetnames == list(PACK_TABLES)
    with open(folder / "tables" / "sales_kpis.csv", encoding="utf-8") as f:
        company = next(r for r in csv.DictReader(f) if r["scope_level"] == "company")
    # The company's bookings on the page are those of the certified table.
    shown = f"{float(company['bookings_eur']):,.0f}".replace(",", " ")
    assert f'<div class="value">{shown}</div>' in page


@pytest.mark.slow
def test_action_lists_and_statements_hold_each_reps_customers_only(closed_history) -> None:
    home = closed_history.settings.home
    certified = home / "certified" / "2026-10"
    with open(certified / "churn_risk.csv", encoding="utf-8") as f:
        scored = list(csv.DictReader(f))
    owners = {r["erp_customer_code"]: r["owner_employee_id"] for r in scored}
    folder = home / "reports" / "2026-10" / "action_lists"
    files = sorted(folder.glob("*.csv"))
    assert files, "no action list written"
    expected = {r["owner_employee_id"] for r in scored if r["tier"] and r["owner_employee_id"]}
    assert {f.stem for f in files} == expected
    for path in files:
        with open(path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert rows and {owners[r["erp_customer_code"]] for r in rows} == {path.stem}
        assert all(r["tier"] in ("watch", "at_risk", "critical") for r in rows)
        statement = home / "statements" / "2026-10" / f"{path.stem}.html"
        if statement.exists():  # an account owner who is not eligible has no statement
            page = statement.read_text(encoding="utf-8")
            assert all(f">{r['erp_customer_code']}<" in page for r in rows), path.stem
            # A customer owned by someone else is not in this rep's statement.
            others = {c for c, o in owners.items() if o != path.stem}
            assert not [c for c in others if f">{c}<" in page], path.stem


def test_reporting_sql_maps_no_source_code_and_divides_nothing_by_hand() -> None:
    """The vocabulary's rules hold in the reporting models too: code lists stay in seeds,
    and every ratio goes through divide_half_up (DuckDB's DECIMAL / DECIMAL is a DOUBLE)."""
    from tests.test_vocabulary import DBT_DIR, SOURCE_CODES, _sql_without_comments

    paths = [
        *(DBT_DIR / "models" / "intermediate" / "reporting").glob("*.sql"),
        *(DBT_DIR / "models" / "marts" / "reporting").glob("*.sql"),
    ]
    assert len(paths) == 13
    for path in paths:
        sql = _sql_without_comments(path)
        for code in SOURCE_CODES:
            assert code not in sql, f"{path.name}: {code} is a source code, map it with a seed"
        without_jinja = re.sub(r"{{.*?}}", "", sql, flags=re.S)
        assert "/" not in without_jinja, f"{path.name}: divide with divide_half_up"
        assert not re.search(r"\b(double|float|real)\b", without_jinja, re.I), path.name


def test_the_demo_ends_by_saying_where_the_pack_and_the_rest_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project import cli

    closed = []
    monkeypatch.setattr(cli, "_close", lambda settings, period: closed.append(period) or 0)
    assert cli.main(["demo", "--home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    last = closed[-1]
    assert last == "2026-10"
    for label, path in (
        ("monthly pack:", tmp_path / "reports" / last / "index.html"),
        ("auditor pack:", tmp_path / "audit" / last / "index.html"),
        ("rep statements:", tmp_path / "statements" / last),
        ("churn action lists:", tmp_path / "reports" / last / "action_lists"),
        ("certified exports:", tmp_path / "certified" / last),
    ):
        assert re.search(rf"^{label}\s+{re.escape(str(path))}$", out, re.M), label
