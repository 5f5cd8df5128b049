"""The monthly pack: one self-contained HTML page per certified period, with its tables.

Everything comes from the certified schema (the period's publication in force, and the
publications in force of earlier periods for the trends), never from the marts: the pack
shows what was certified. It is built only for a certified period.

``<home>/reports/<PERIOD>/`` holds

- ``index.html``: KPIs, benchmark charts, the attainment distribution, the churn-risk
  summary, people KPIs and the data-quality verdict with a link to the auditor pack
  (``../../audit/<PERIOD>/index.html``). Charts are inline SVG; no script, no remote
  resource: it opens offline and prints from the browser;
- ``tables/<table>.csv`` and ``pack_<PERIOD>.xlsx``: every table of the page (one sheet
  each), from the same queries;
- ``action_lists/<EMPLOYEE_ID>.csv``: each rep's churn-risk action list.

The page shows teams, business lines and the company, never a worker's name or e-mail;
workers appear only as unlabelled dots in the benchmark and attainment charts.
"""

from __future__ import annotations

import html
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from ..certify.consumer_copy import write_xlsx
from ..transform.partition_vars import shift_period
from . import svg_charts
from .action_lists import (
    action_lists,
    has_certified_table,
    publication_in_force,
    write_action_lists,
)
from .statements import _CSS, _table

_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class PackTable:
    heading: str
    query: str  # over the certified schema; {publication} and {first_period} are filled in


_SALES_COLUMNS = """
    scope_id, bookings_eur, revenue_eur, won_deal_count, lost_deal_count, win_rate_count,
    win_rate_value, average_deal_size_eur, median_sales_cycle_days, open_pipeline_eur,
    next_period_pipeline_eur, quota_eur, next_period_quota_eur, pipeline_coverage,
    average_days_beyond_terms"""

_IN_FORCE = """
    in_force AS (
        SELECT publication_id FROM certified.publication_log
        QUALIFY row_number() OVER (PARTITION BY period ORDER BY version DESC) = 1
    )"""

# The tables of the pack, in page order: each is shown, and exported as CSV and a sheet.
PACK_TABLES: Mapping[str, PackTable] = {
    "sales_kpis": PackTable(
        "Sales KPIs: company and business lines",
        f"SELECT scope_level, {_SALES_COLUMNS} FROM certified.kpi_sales "
        "WHERE publication_id = '{publication}' AND scope_level IN ('company', 'business_line') "
        "ORDER BY scope_level = 'business_line', scope_id",
    ),
    "team_kpis": PackTable(
        "Sales KPIs: teams",
        f"SELECT business_line, {_SALES_COLUMNS} FROM certified.kpi_sales "
        "WHERE publication_id = '{publication}' AND scope_level = 'team' "
        "ORDER BY business_line, scope_id",
    ),
    "segment_split": PackTable(
        "B2B and B2C",
        "SELECT scope_id, bookings_b2b_eur, bookings_b2c_eur, revenue_b2b_eur, revenue_b2c_eur "
        "FROM certified.kpi_sales WHERE publication_id = '{publication}' "
        "AND scope_level IN ('company', 'business_line') "
        "ORDER BY scope_level = 'business_line', scope_id",
    ),
    "business_line_benchmarks": PackTable(
        "Business lines against the company",
        "SELECT scope_id, metric, metric_value, reference_value AS company_value, peer_q1, "
        "peer_median, peer_q3, position, average_last_3_periods, average_last_12_periods, "
        "periods_in_last_12 FROM certified.kpi_benchmarks "
        "WHERE publication_id = '{publication}' AND scope_level = 'business_line' "
        "ORDER BY metric, scope_id",
    ),
    "team_benchmarks": PackTable(
        "Teams against their business line",
        "SELECT business_line, scope_id, metric, metric_value, "
        "reference_value AS business_line_value, peer_q1, peer_median, peer_q3, position, "
        "average_last_3_periods, average_last_12_periods, periods_in_last_12 "
        "FROM certified.kpi_benchmarks WHERE publication_id = '{publication}' "
        "AND scope_level = 'team' ORDER BY metric, business_line, scope_id",
    ),
    "worker_positions": PackTable(
        "Workers against their business line: how many in each quartile band",
        "SELECT business_line, metric, count(*) FILTER (WHERE position = 'at_or_below_q1') "
        "AS at_or_below_q1, count(*) FILTER (WHERE position = 'q1_to_median') AS q1_to_median, "
        "count(*) FILTER (WHERE position = 'median_to_q3') AS median_to_q3, "
        "count(*) FILTER (WHERE position = 'above_q3') AS above_q3 "
        "FROM certified.kpi_benchmarks WHERE publication_id = '{publication}' "
        "AND scope_level = 'worker' GROUP BY ALL ORDER BY metric, business_line",
    ),
    "bookings_trend": PackTable(
        "Bookings and revenue over the last 12 certified periods",
        f"WITH {_IN_FORCE} SELECT kpis.period, kpis.scope_id, kpis.bookings_eur, "
        "kpis.revenue_eur, kpis.win_rate_count FROM certified.kpi_sales AS kpis "
        "INNER JOIN in_force ON in_force.publication_id = kpis.publication_id "
        "WHERE kpis.scope_level IN ('company', 'business_line') "
        "AND kpis.period BETWEEN '{first_period}' AND '{period}' "
        "ORDER BY kpis.period, kpis.scope_level = 'business_line', kpis.scope_id",
    ),
    "attainment_distribution": PackTable(
        "Quota attainment distribution",
        "SELECT scope_id, rep_count, reps_at_or_above_quota, share_at_or_above_quota, "
        "reps_at_or_above_80_percent, attainment_q1, attainment_median, attainment_q3, "
        "attainment_min, attainment_max FROM certified.kpi_attainment_distribution "
        "WHERE publication_id = '{publication}' "
        "ORDER BY scope_level = 'business_line', scope_id",
    ),
    "churn_risk_summary": PackTable(
        "Churn risk: customers per tier and business line of their account owner",
        "WITH owners AS (SELECT scope_id AS employee_id, business_line FROM certified.kpi_sales "
        "WHERE publication_id = '{publication}' AND scope_level = 'worker') "
        "SELECT coalesce(owners.business_line, '(no owner)') AS business_line, "
        "count(*) FILTER (WHERE tier = 'watch') AS watch, "
        "count(*) FILTER (WHERE tier = 'at_risk') AS at_risk, "
        "count(*) FILTER (WHERE tier = 'critical') AS critical, "
        "count(*) AS customers_scored, "
        "coalesce(sum(revenue_last_3_eur) FILTER (WHERE tier IS NOT NULL), 0) "
        "AS revenue_last_3_eur_at_risk "
        "FROM certified.churn_risk AS churn LEFT JOIN owners "
        "ON owners.employee_id = churn.owner_employee_id "
        "WHERE churn.publication_id = '{publication}' GROUP BY ALL ORDER BY 1",
    ),
    "churn_risk_drivers": PackTable(
        "Churn risk: how often each driver fires",
        "SELECT driver, count(*) FILTER (WHERE fires) AS customers, "
        "count(*) FILTER (WHERE fires AND tier IS NOT NULL) AS customers_in_a_tier "
        "FROM certified.churn_risk, LATERAL (VALUES "
        "('revenue_drop', revenue_drop_fires), ('invoice_gap', invoice_gap_fires), "
        "('payment_delay', payment_delay_fires), ('no_activity', no_activity_fires), "
        "('credit_notes', credit_notes_fires)) AS drivers (driver, fires) "
        "WHERE publication_id = '{publication}' GROUP BY driver ORDER BY driver",
    ),
    "people_kpis": PackTable(
        "People: headcount, turnover, training, ramp",
        "SELECT scope_level, scope_id, headcount_first_day, headcount_last_day, hires, leavers, "
        "turnover_rate, fte_in_period, training_hours, training_hours_per_fte, "
        "peer_led_share, ramped_hires, median_ramp_months FROM certified.kpi_people "
        "WHERE publication_id = '{publication}' "
        "ORDER BY scope_level = 'team', scope_level = 'business_line', scope_id",
    ),
    "data_quality": PackTable(
        "Data quality: the gates of the certified close",
        "WITH gates AS (SELECT unnest(from_json(certificate->'gates', '[\"JSON\"]')) AS gate "
        "FROM certified.publication_log WHERE publication_id = '{publication}') "
        "SELECT gate->>'suite' AS suite, gate->>'suite_version' AS suite_version, "
        "CAST(gate->'verdict'->>'evaluated' AS INTEGER) AS rules_evaluated, "
        "CAST(gate->'verdict'->>'failed_total' AS INTEGER) AS rules_failed, "
        "gate->'verdict'->>'verdict' AS verdict FROM gates ORDER BY suite",
    ),
}

REQUIRED_TABLES = ("kpi_sales", "kpi_benchmarks", "kpi_attainment_distribution", "kpi_people")


def _rows(conn: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    cursor = conn.execute(query)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _column(headers: list[str], rows: list[tuple], name: str) -> list[Any]:
    index = headers.index(name)
    return [row[index] for row in rows]


def _shown(value: Any) -> str:
    """A figure as the page shows it: money and large figures to the cent with spaced
    thousands, ratios to 4 decimals, half-up (the CSV and xlsx keep the exact values)."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        cents = abs(value) >= 100 or value.as_tuple().exponent >= -2
        places = Decimal("0.01") if cents else Decimal("0.0001")
        return f"{value.quantize(places, rounding=ROUND_HALF_UP):,}".replace(",", " ")
    return str(value)


def _html_table(headers: list[str], rows: list[tuple]) -> str:
    numeric = [
        any(isinstance(row[i], int | float | Decimal) for row in rows) for i in range(len(headers))
    ]
    shown = [[_shown(value) for value in row] for row in rows]
    return _table(list(zip(headers, numeric, strict=True)), shown)


def _dicts(headers: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(headers, row, strict=True)) for row in rows]


def _charts(conn: duckdb.DuckDBPyConnection, period: str, queries: dict[str, str]) -> dict:
    """The pack's charts, each from the certified tables (worker values unlabelled)."""
    publication = publication_in_force(conn, period)
    sales = _dicts(*_rows(conn, queries["sales_kpis"]))
    lines = [r for r in sales if r["scope_level"] == "business_line"]
    trend = _dicts(*_rows(conn, queries["bookings_trend"]))
    periods = sorted({r["period"] for r in trend})
    series = {
        name: [
            next(
                (r["bookings_eur"] for r in trend if r["period"] == p and r["scope_id"] == name),
                None,
            )
            for p in periods
        ]
        for name in sorted({r["scope_id"] for r in trend if r["scope_id"] != "company"})
    }
    benchmarks = _dicts(
        *_rows(
            conn,
            "SELECT scope_level, scope_id, business_line, metric, metric_value, peer_q1, "
            "peer_median, peer_q3, reference_value FROM certified.kpi_benchmarks "
            f"WHERE publication_id = '{publication}' ORDER BY business_line, scope_id",
        )
    )

    def boxes(level: str, metric: str) -> list[svg_charts.Box]:
        out = []
        lines_of_level = {b["business_line"] for b in benchmarks if b["scope_level"] == level}
        for line in sorted(lines_of_level - {None}):
            rows = [
                b
                for b in benchmarks
                if b["scope_level"] == level
                and b["metric"] == metric
                and b["business_line"] == line
            ]
            if not rows:
                continue
            out.append(
                svg_charts.Box(
                    line,
                    rows[0]["peer_q1"],
                    rows[0]["peer_median"],
                    rows[0]["peer_q3"],
                    points=[r["metric_value"] for r in rows if r["metric_value"] is not None],
                    marker=rows[0]["reference_value"] if level == "team" else None,
                )
            )
        return out

    distribution = _dicts(*_rows(conn, queries["attainment_distribution"]))
    attainments = _dicts(
        *_rows(
            conn,
            "SELECT business_line, individual_attainment FROM certified.incentive_payouts "
            f"WHERE publication_id = '{publication}' AND individual_attainment IS NOT NULL",
        )
    )
    attainment_boxes = [
        svg_charts.Box(
            d["scope_id"],
            d["attainment_q1"],
            d["attainment_median"],
            d["attainment_q3"],
            points=[
                a["individual_attainment"]
                for a in attainments
                if d["scope_id"] in ("company", a["business_line"])
            ],
        )
        for d in distribution
    ]
    churn = _dicts(*_rows(conn, queries["churn_risk_summary"]))
    people = _dicts(*_rows(conn, queries["people_kpis"]))
    return {
        "bookings_by_business_line": svg_charts.bar_chart(
            "bookings_by_business_line",
            "Bookings EUR by business line",
            [(r["scope_id"], r["bookings_eur"]) for r in lines],
        ),
        "bookings_trend": svg_charts.line_chart(
            "bookings_trend", "Bookings EUR by business line, last 12 periods", periods, series
        ),
        "segment_split": svg_charts.bar_chart(
            "segment_split",
            "Company bookings and revenue, B2B and B2C (EUR)",
            [
                (f"{label} {segment}", r[f"{kind}_{segment.lower()}_eur"])
                for r in _dicts(*_rows(conn, queries["segment_split"]))
                if r["scope_id"] == "company"
                for kind, label in (("bookings", "Bookings"), ("revenue", "Revenue"))
                for segment in ("B2B", "B2C")
            ],
        ),
        "worker_benchmark": svg_charts.box_chart(
            "worker_benchmark",
            "Bookings EUR of each worker (dots) against their business line's quartiles",
            boxes("worker", "bookings_eur"),
        ),
        "team_benchmark": svg_charts.box_chart(
            "team_benchmark",
            "Win rate of each team (dots) against the teams of its business line (box) and "
            "the business line's own rate (diamond)",
            boxes("team", "win_rate_count"),
        ),
        "attainment_distribution": svg_charts.box_chart(
            "attainment_distribution",
            "Individual attainment: quartiles, each rep (dots), 100 % of quota (dashed)",
            attainment_boxes,
            reference_line=1,
        ),
        "churn_tiers": svg_charts.bar_chart(
            "churn_tiers",
            "Customers per churn-risk tier",
            [
                (tier.replace("_", " "), sum(r[tier] for r in churn))
                for tier in ("watch", "at_risk", "critical")
            ],
        ),
        "training_per_fte": svg_charts.bar_chart(
            "training_per_fte",
            "Training hours per FTE by business line",
            [
                (r["scope_id"], r["training_hours_per_fte"])
                for r in people
                if r["scope_level"] in ("business_line", "company")
            ],
            value_format="{:,.2f}",
        ),
    }


def _verdict(conn: duckdb.DuckDBPyConnection, queries: dict[str, str]) -> tuple[str, str]:
    gates = _dicts(*_rows(conn, queries["data_quality"]))
    failing = [g["suite"] for g in gates if g["verdict"] != "pass"]
    if not gates:
        return "unknown", "The certificate records no gate."
    if failing:
        return "warnings", (
            f"{len(gates)} suites ran; {len(failing)} with findings that did not block the "
            f"certification: {', '.join(failing)}."
        )
    return "pass", f"{len(gates)} suites ran, every rule passed."


def render_pack(conn: duckdb.DuckDBPyConnection, period: str) -> tuple[str, dict[str, str]]:
    """The page and the queries of its tables (name -> SQL over the certified schema)."""
    publication = publication_in_force(conn, period)
    missing = [t for t in REQUIRED_TABLES if not has_certified_table(conn, t)]
    if missing:
        raise ValueError(
            f"period {period}: the certified schema has no {', '.join(missing)}: the "
            "publication predates the reporting tables"
        )
    queries = {
        name: table.query.format(
            publication=publication, period=period, first_period=shift_period(period, -11)
        )
        for name, table in PACK_TABLES.items()
    }
    charts = _charts(conn, period, queries)
    verdict, verdict_text = _verdict(conn, queries)
    company = _dicts(*_rows(conn, queries["sales_kpis"]))[0]
    tables = {name: _html_table(*_rows(conn, query)) for name, query in queries.items()}
    audit_link = f"../../audit/{html.escape(period)}/index.html"
    cards = "".join(
        f'<div class="card"><div class="value">{html.escape(value)}</div>'
        f'<div class="label">{html.escape(label)}</div></div>'
        for label, value in (
            ("Bookings EUR", _money(company["bookings_eur"])),
            ("Revenue EUR", _money(company["revenue_eur"])),
            ("Won deals", str(company["won_deal_count"])),
            ("Win rate (count)", _percent(company["win_rate_count"])),
            ("Average deal EUR", _money(company["average_deal_size_eur"])),
            ("Median sales cycle (days)", _plain(company["median_sales_cycle_days"])),
            ("Pipeline coverage, next period", _plain(company["pipeline_coverage"])),
            ("Days beyond terms (mean)", _plain(company["average_days_beyond_terms"])),
        )
    )

    def section(*names: str) -> str:
        return "".join(
            f"<h3>{html.escape(PACK_TABLES[n].heading)}</h3>{tables[n]}"
            f'<p class="note">Export: <a href="tables/{n}.csv">tables/{n}.csv</a></p>'
            for n in names
        )

    sections = [
        f"<h1>Monthly sales-performance pack, {html.escape(period)}</h1>",
        f'<p class="note">From the certified tables of publication {html.escape(publication)}. '
        f'Every table is also in <a href="pack_{html.escape(period)}.xlsx">'
        f"pack_{html.escape(period)}.xlsx</a>.</p>",
        f'<div class="verdict verdict-{verdict}"><strong>Data quality: {verdict}.</strong> '
        f"{html.escape(verdict_text)} Evidence: "
        f'<a href="{audit_link}">the auditor pack</a>.</div>',
        f'<div class="cards">{cards}</div>',
        "<h2>1. Sales KPIs</h2>",
        charts["bookings_by_business_line"],
        charts["segment_split"],
        section("sales_kpis", "segment_split", "team_kpis"),
        "<h2>2. Benchmarks</h2>",
        charts["worker_benchmark"],
        charts["team_benchmark"],
        charts["bookings_trend"],
        section(
            "business_line_benchmarks", "team_benchmarks", "worker_positions", "bookings_trend"
        ),
        "<h2>3. Attainment distribution</h2>",
        charts["attainment_distribution"],
        section("attainment_distribution"),
        "<h2>4. Churn risk</h2>",
        charts["churn_tiers"],
        '<p class="note">Each rep has their action list (customers, score, drivers, next '
        'step) in <a href="action_lists/">action_lists/</a> and in their statement.</p>',
        section("churn_risk_summary", "churn_risk_drivers"),
        "<h2>5. People</h2>",
        charts["training_per_fte"],
        section("people_kpis"),
        "<h2>6. Data quality</h2>",
        section("data_quality"),
    ]
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Monthly pack {html.escape(period)}</title><style>{_CSS}{_PACK_CSS}</style>"
        "</head><body>" + "\n".join(s for s in sections if s) + "</body></html>\n"
    )
    return page, queries


_PACK_CSS = """
body { max-width: 72em; } table { display: block; overflow-x: auto; }
svg.chart { display: block; margin: .8em 0; max-width: 100%; }
.cards { display: flex; flex-wrap: wrap; gap: .6em; margin: 1em 0; }
.card { border: 1px solid #d5dbe3; border-radius: 4px; padding: .5em .8em; min-width: 10em; }
.card .value { font-size: 1.3em; font-weight: 600; } .card .label { color: #5a6675; }
.verdict { padding: .6em .8em; border-radius: 4px; margin: 1em 0; }
.verdict-pass { background: #e6f4ea; } .verdict-warnings { background: #fff4e0; }
.verdict-unknown { background: #f2f2f2; } h3 { font-size: 1em; margin-top: 1.2em; }
"""


def _money(value: Any) -> str:
    return "–" if value is None else f"{value:,.0f}".replace(",", " ")


def _percent(value: Any) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _plain(value: Any) -> str:
    return "–" if value is None else str(value)


def write_monthly_pack(conn: duckdb.DuckDBPyConnection, period: str, reports_dir: Path) -> Path:
    """Build the pack of a certified period under ``reports_dir/<period>`` and swap it in
    whole (a reader never sees half of it). Refuses a period that is not certified."""
    page, queries = render_pack(conn, period)
    lists = action_lists(conn, period)
    reports_dir.mkdir(parents=True, exist_ok=True)
    staging = reports_dir / f".{period}.{uuid.uuid4().hex}.tmp"
    (staging / "tables").mkdir(parents=True)
    try:
        (staging / "index.html").write_text(page, encoding="utf-8")
        for name, query in queries.items():
            target = str(staging / "tables" / f"{name}.csv").replace("'", "''")
            conn.execute(f"COPY ({query}) TO '{target}' (HEADER, DELIMITER ',')")
        write_xlsx(conn, queries, staging / f"pack_{period}.xlsx")
        write_action_lists(lists, staging / "action_lists", _SAFE_NAME)
        final = reports_dir / period
        old = reports_dir / f".{period}.{uuid.uuid4().hex}.old"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def pack_summary(folder: Path) -> dict[str, Any]:
    """What a run reports about a pack: files and action lists (counts, never values)."""
    return {
        "tables": len(list((folder / "tables").glob("*.csv"))),
        "action_lists": len(list((folder / "action_lists").glob("*.csv"))),
        "page_bytes": (folder / "index.html").stat().st_size,
    }
