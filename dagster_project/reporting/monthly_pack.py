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
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from ..certify.consumer_copy import write_csv
from ..certify.xlsx_export import write_xlsx
from ..transform.partition_vars import shift_period
from .action_lists import (
    action_lists,
    has_certified_table,
    publication_in_force,
    write_action_lists,
)
from .pack_charts import pack_charts
from .pack_tables import PACK_TABLES, REQUIRED_TABLES, as_dicts, query_rows
from .statements import _CSS, _table

_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


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


def _verdict(conn: duckdb.DuckDBPyConnection, queries: dict[str, str]) -> tuple[str, str]:
    gates = as_dicts(*query_rows(conn, queries["data_quality"]))
    if not gates:
        return "unknown", "The certificate records no gate."
    failing = [g for g in gates if g["verdict"] != "pass"]
    if failing:
        held = [f"{g['layer']}/{g['suite']}" for g in failing if g["verdict"] == "hold"]
        warned = [f"{g['layer']}/{g['suite']}" for g in failing if g["verdict"] == "warn"]
        parts = [f"payouts withheld by {', '.join(held)}"] if held else []
        parts += [f"warnings from {', '.join(warned)}"] if warned else []
        return "warnings", (
            f"{len(gates)} suites ran; {len(failing)} with findings that did not block the "
            f"certification: {'; '.join(parts)}."
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
    charts = pack_charts(conn, period, queries)
    verdict, verdict_text = _verdict(conn, queries)
    company = as_dicts(*query_rows(conn, queries["sales_kpis"]))[0]
    tables = {name: _html_table(*query_rows(conn, query)) for name, query in queries.items()}
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
            write_csv(conn, query, staging / "tables" / f"{name}.csv")
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
