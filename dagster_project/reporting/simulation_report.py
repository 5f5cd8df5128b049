"""The comparison a plan simulation writes: a table, its aggregates, an offline page.

Everything goes to ``<home>/simulations/<plan_id>-<version>-<sha8>_<from>_<to>/``, never
under ``certified/``: the folder is written under a temporary name beside its place and
swapped in (``certify.publish.swap_in``), so a reader sees the previous comparison or the
new one, whole. It holds

- ``workers.csv``: one row per period and eligible worker (the table finance checks);
- ``periods.csv``: cost per period and in total, certified vs candidate;
- ``simulation.xlsx``: those and every aggregate, one sheet each (by role, team, business
  line; distribution of payout as a share of target variable; largest gains and losses);
- ``simulation.html``: the same figures with inline SVG charts, readable offline (no
  network resource, no script); workers appear by employee id only;
- ``summary.json``: what was simulated (candidate file and sha256, the publications
  compared, the plan numbers changed, warnings) and the totals: ids and totals only.

The aggregates are SQL over the worker table in an in-memory DuckDB (money stays DECIMAL,
sums are exact); the xlsx is written by the same writer as the certified exports.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import uuid
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import duckdb

from ..certify.consumer_copy import write_csv
from ..certify.publish import swap_in
from ..certify.xlsx_export import write_xlsx
from ..incentives.simulate import Recomputed, Simulation, changed_numbers

SIMULATIONS_DIR = "simulations"
MOVERS = 10  # largest gains and losses listed

WORKERS_DDL = """
CREATE TABLE workers (
    period VARCHAR NOT NULL,
    employee_id VARCHAR NOT NULL,
    sales_role VARCHAR,
    team VARCHAR,
    business_line VARCHAR,
    certified_status VARCHAR NOT NULL,
    candidate_status VARCHAR NOT NULL,
    candidate_hold_rules VARCHAR,
    certified_target_variable_eur DECIMAL(18, 2),
    candidate_target_variable_eur DECIMAL(18, 2),
    certified_payout_eur DECIMAL(18, 2),
    candidate_payout_eur DECIMAL(18, 2),
    change_eur DECIMAL(18, 2) NOT NULL,
    certified_share_of_tv DECIMAL(18, 4),
    candidate_share_of_tv DECIMAL(18, 4),
    certified_capped BOOLEAN NOT NULL,
    candidate_capped BOOLEAN NOT NULL,
    certified_below_threshold BOOLEAN NOT NULL,
    candidate_below_threshold BOOLEAN NOT NULL
)"""

# Payout as a share of the target variable: [low, high) buckets, in order.
SHARE_BUCKETS: tuple[tuple[str, Decimal | None], ...] = (
    ("0 %", Decimal("0")),  # exactly nothing (below threshold, or a zero factor)
    ("0-50 %", Decimal("0.5")),
    ("50-80 %", Decimal("0.8")),
    ("80-100 %", Decimal("1")),
    ("100-120 %", Decimal("1.2")),
    ("120-150 %", Decimal("1.5")),
    ("150-200 %", Decimal("2")),
    ("200 % and more", None),
)


def _bucket_sql(share: str, status: str) -> str:
    cases = [
        f"WHEN {status} = 'held' THEN 'held'",
        f"WHEN {status} = 'not_eligible' THEN 'not eligible'",
    ]
    cases.append(f"WHEN {share} IS NULL THEN 'no target variable'")
    cases.append(f"WHEN {share} = 0 THEN '0 %'")
    for label, high in SHARE_BUCKETS[1:]:
        if high is not None:
            cases.append(f"WHEN {share} < {high} THEN '{label}'")
    cases.append(f"ELSE '{SHARE_BUCKETS[-1][0]}'")
    return "CASE " + " ".join(cases) + " END"


BUCKET_ORDER = [label for label, _ in SHARE_BUCKETS] + [
    "no target variable",
    "held",
    "not eligible",
]

QUERIES: dict[str, str] = {
    "periods": """
        SELECT coalesce(period, 'total') AS period,
            count(*) AS workers,
            count(*) FILTER (WHERE certified_status = 'held') AS held_certified,
            count(*) FILTER (WHERE candidate_status = 'held') AS held_candidate,
            count(*) FILTER (WHERE candidate_status = 'not_eligible') AS not_eligible_candidate,
            sum(coalesce(certified_payout_eur, 0)) AS cost_certified_eur,
            sum(coalesce(candidate_payout_eur, 0)) AS cost_candidate_eur,
            sum(change_eur) AS change_eur,
            count(*) FILTER (WHERE change_eur > 0) AS workers_gaining,
            count(*) FILTER (WHERE change_eur < 0) AS workers_losing,
            count(*) FILTER (WHERE certified_capped) AS above_cap_certified,
            count(*) FILTER (WHERE candidate_capped) AS above_cap_candidate,
            count(*) FILTER (WHERE certified_below_threshold) AS below_threshold_certified,
            count(*) FILTER (WHERE candidate_below_threshold) AS below_threshold_candidate
        FROM workers
        GROUP BY GROUPING SETS ((period), ())
        ORDER BY grouping(period), period""",
    **{
        f"by_{dimension}": f"""
        SELECT coalesce(period, 'total') AS period,
            coalesce({column}, '(none)') AS {column},
            count(*) AS workers,
            sum(coalesce(certified_payout_eur, 0)) AS cost_certified_eur,
            sum(coalesce(candidate_payout_eur, 0)) AS cost_candidate_eur,
            sum(change_eur) AS change_eur
        FROM workers
        GROUP BY GROUPING SETS ((period, {column}), ({column}))
        ORDER BY grouping(period), period, {column}"""
        for dimension, column in (
            ("role", "sales_role"),
            ("team", "team"),
            ("business_line", "business_line"),
        )
    },
    "distribution": f"""
        WITH bucketed AS (
            SELECT period,
                {_bucket_sql("certified_share_of_tv", "certified_status")} AS certified_bucket,
                {_bucket_sql("candidate_share_of_tv", "candidate_status")} AS candidate_bucket
            FROM workers
        ),
        counted AS (
            SELECT period, certified_bucket AS bucket, 1 AS certified, 0 AS candidate
            FROM bucketed
            UNION ALL
            SELECT period, candidate_bucket, 0, 1 FROM bucketed
        )
        SELECT coalesce(period, 'total') AS period, bucket AS share_of_target_variable,
            sum(certified)::BIGINT AS workers_certified,
            sum(candidate)::BIGINT AS workers_candidate
        FROM counted
        GROUP BY GROUPING SETS ((period, bucket), (bucket))
        ORDER BY grouping(period), period,
            list_position({BUCKET_ORDER!r}, bucket)""",
    "gainers": f"""
        SELECT employee_id,
            arg_max(sales_role, period) AS sales_role, arg_max(team, period) AS team,
            count(*) AS periods,
            sum(coalesce(certified_payout_eur, 0)) AS certified_eur,
            sum(coalesce(candidate_payout_eur, 0)) AS candidate_eur,
            sum(change_eur) AS change_eur
        FROM workers GROUP BY employee_id HAVING sum(change_eur) > 0
        ORDER BY change_eur DESC, employee_id LIMIT {MOVERS}""",
    "losers": f"""
        SELECT employee_id,
            arg_max(sales_role, period) AS sales_role, arg_max(team, period) AS team,
            count(*) AS periods,
            sum(coalesce(certified_payout_eur, 0)) AS certified_eur,
            sum(coalesce(candidate_payout_eur, 0)) AS candidate_eur,
            sum(change_eur) AS change_eur
        FROM workers GROUP BY employee_id HAVING sum(change_eur) < 0
        ORDER BY change_eur ASC, employee_id LIMIT {MOVERS}""",
    "workers": "SELECT * FROM workers ORDER BY period, employee_id",
}


def _share(payout: Decimal | None, target: Decimal | None) -> Decimal | None:
    if payout is None or not target:
        return None
    return (payout / target).quantize(Decimal("0.0001"))


def _row(period: str, comparison) -> list:
    row, before, after = comparison.certified, comparison.before, comparison.after

    def holds(r: Recomputed) -> str | None:
        return "; ".join(r.hold_rules) or None

    return [
        period,
        row.employee_id,
        row.sales_role,
        row.team,
        row.business_line,
        before.status,
        after.status,
        holds(after),
        before.target_variable_eur,
        after.target_variable_eur,
        row.payout_eur,
        after.payout_eur,
        comparison.change_eur,
        _share(row.payout_eur, before.target_variable_eur),
        _share(after.payout_eur, after.target_variable_eur),
        before.capped,
        after.capped,
        before.below_threshold,
        after.below_threshold,
    ]


def comparison_tables(simulation: Simulation) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the worker table (the caller closes it)."""
    conn = duckdb.connect()
    conn.execute(WORKERS_DDL)
    rows = [_row(p.period, w) for p in simulation.periods for w in p.workers]
    if rows:
        conn.executemany(f"INSERT INTO workers VALUES ({', '.join('?' * len(rows[0]))})", rows)
    return conn


def _fetch(conn: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    cursor = conn.execute(query)
    return [d[0] for d in cursor.description], cursor.fetchall()


def folder_name(simulation: Simulation) -> str:
    plan = simulation.candidate
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{plan.plan_id}-{plan.version}")
    return f"{label}-{plan.sha256[:8]}_{simulation.first}_{simulation.last}"


def summary(simulation: Simulation, periods: tuple[list[str], list[tuple]]) -> dict:
    """What was simulated and the totals (ids and totals only: no worker figure)."""
    plan = simulation.candidate
    columns, rows = periods
    certifying = {p.certifying_plan.file: p.certifying_plan for p in simulation.periods}
    return {
        "candidate_plan": {
            "file": plan.file,
            "plan_id": plan.plan_id,
            "version": plan.version,
            "sha256": plan.sha256,
        },
        "from": simulation.first,
        "to": simulation.last,
        "periods_simulated": [
            {
                "period": p.period,
                "publication_id": p.publication_id,
                "version": p.version,
                "certified_under": p.certifying_plan.file,
                "certified_plan_sha256": p.certifying_plan.sha256,
                "would_block": p.would_block,
            }
            for p in simulation.periods
        ],
        "periods_not_certified": simulation.skipped_periods,
        "changes": {
            name: changed_numbers(plan, certified) for name, certified in certifying.items()
        },
        "warnings": simulation.warnings,
        "totals": [
            {c: (str(v) if isinstance(v, Decimal) else v) for c, v in zip(columns, r, strict=True)}
            for r in rows
        ],
    }


def write_simulation_report(simulation: Simulation, home: Path) -> Path:
    """Write the comparison folder under ``home/simulations`` and return it."""
    root = home / SIMULATIONS_DIR
    root.mkdir(parents=True, exist_ok=True)
    final = root / folder_name(simulation)
    staging = root / f".{final.name}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    conn = comparison_tables(simulation)
    try:
        for name in ("workers", "periods"):
            write_csv(conn, QUERIES[name], staging / f"{name}.csv")
        write_xlsx(conn, QUERIES, staging / "simulation.xlsx")
        results = {name: _fetch(conn, query) for name, query in QUERIES.items()}
        facts = summary(simulation, results["periods"])
        (staging / "summary.json").write_text(json.dumps(facts, indent=2) + "\n")
        (staging / "simulation.html").write_text(render_html(simulation, facts, results))
        swap_in(staging, final)
    finally:
        conn.close()
        shutil.rmtree(staging, ignore_errors=True)
    return final


# --- the page --------------------------------------------------------------------------

CERTIFIED_COLOUR = "#7f8c9a"
CANDIDATE_COLOUR = "#2e86c1"
GAIN_COLOUR = "#27ae60"
LOSS_COLOUR = "#c0392b"


def _eur(value: Decimal | int | None) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return _eur(value)
    return html.escape("" if value is None else str(value))


def _table(columns: Sequence[str], rows: Sequence[Sequence], numeric_from: int = 1) -> str:
    head = "".join(
        f"<th>{html.escape(c.replace('_eur', ' EUR').replace('_', ' '))}</th>" for c in columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i >= numeric_from else ""}">{_text(v)}</td>'
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def grouped_bars_svg(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    unit: str = "",
    width: int = 720,
    height: int = 260,
) -> str:
    """Vertical bars, one group per category, one bar per series; labels on the bars."""
    left, bottom, top = 10, 40, 24
    top_value = max([v for _, values, _ in series for v in values] + [1.0])
    plot_h = height - bottom - top
    group_w = (width - left * 2) / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    for i, category in enumerate(categories):
        x0 = left + i * group_w + group_w * 0.1
        for j, (_, values, colour) in enumerate(series):
            value = values[i]
            h = plot_h * value / top_value
            x = x0 + j * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{html.escape(series[j][0])}: {value:,.0f}{unit}'
                "</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y - 4:.1f}" font-size="10" '
                f'text-anchor="middle">{value:,.0f}</text>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle">{html.escape(category)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}" '
        'stroke="#333"/>'
    )
    legend_x = left
    for name, _, colour in series:
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11">{html.escape(name)}</text>'
        )
        legend_x += 14 + 8 * len(name) + 20
    parts.append("</svg>")
    return "".join(parts)


def change_bars_svg(labels: Sequence[str], values: Sequence[float], width: int = 720) -> str:
    """Horizontal bars of a change in EUR, gains right of the axis, losses left."""
    row_h, label_w, value_w = 22, 200, 80  # room for the names left, the figures outside
    height = row_h * max(len(labels), 1) + 10
    extent = max([abs(v) for v in values] + [1.0])
    half = (width - label_w - 2 * value_w) / 2
    axis = label_w + value_w + half
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row_h
        w = half * abs(value) / extent
        x = axis if value >= 0 else axis - w
        colour = GAIN_COLOUR if value >= 0 else LOSS_COLOUR
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">'
            f"{html.escape(label)}</text>"
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{(x + w + 4) if value >= 0 else (x - 4):.1f}" y="{y + 14}" '
            f'font-size="10" text-anchor="{"start" if value >= 0 else "end"}">'
            f"{value:+,.2f}</text>"
        )
    parts.append(f'<line x1="{axis}" y1="0" x2="{axis}" y2="{height}" stroke="#333"/></svg>')
    return "".join(parts)


STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1100px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #eef; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warning { color: #a04000; }
.note { color: #555; font-size: 13px; }
"""


def render_html(simulation: Simulation, facts: dict, results: dict) -> str:
    """The offline page: inline CSS and SVG, no script, no link out, ids only."""
    plan = simulation.candidate
    period_cols, period_rows = results["periods"]
    by_period = [dict(zip(period_cols, r, strict=True)) for r in period_rows]
    per_period = [r for r in by_period if r["period"] != "total"]
    total = next(r for r in by_period if r["period"] == "total")

    cost_chart = grouped_bars_svg(
        [r["period"] for r in per_period],
        [
            ("certified", [float(r["cost_certified_eur"]) for r in per_period], CERTIFIED_COLOUR),
            ("candidate", [float(r["cost_candidate_eur"]) for r in per_period], CANDIDATE_COLOUR),
        ],
        unit=" EUR",
    )
    dist_cols, dist_rows = results["distribution"]
    dist_total = [dict(zip(dist_cols, r, strict=True)) for r in dist_rows if r[0] == "total"]
    dist_chart = grouped_bars_svg(
        [r["share_of_target_variable"] for r in dist_total],
        [
            ("certified", [float(r["workers_certified"]) for r in dist_total], CERTIFIED_COLOUR),
            ("candidate", [float(r["workers_candidate"]) for r in dist_total], CANDIDATE_COLOUR),
        ],
        width=max(720, 90 * len(dist_total)),
    )

    def group_section(key: str, column: str, title: str) -> str:
        cols, rows = results[key]
        totals = [r for r in rows if r[0] == "total"]
        chart = change_bars_svg([str(r[1]) for r in totals], [float(r[-1]) for r in totals])
        return (
            f"<h2>{title}</h2>{chart}"
            + _table(cols[1:], [r[1:] for r in totals], numeric_from=1)
            + "<details><summary>per period</summary>"
            + _table(cols, [r for r in rows if r[0] != "total"], numeric_from=2)
            + "</details>"
        )

    change_pct = (
        f"{Decimal(total['change_eur']) * 100 / Decimal(total['cost_certified_eur']):+.2f} %"
        if total["cost_certified_eur"]
        else "n/a"
    )
    changes = sorted({c for changed in facts["changes"].values() for c in changed})
    warnings = simulation.warnings + [
        f"{p} is in the range but not certified: not simulated" for p in simulation.skipped_periods
    ]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Plan simulation {html.escape(plan.plan_id)} {html.escape(plan.version)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Plan simulation: {html.escape(plan.file)} "
        f"({html.escape(plan.plan_id)} {html.escape(plan.version)})</h1>",
        f"<p>Certified periods {html.escape(simulation.first)} to {html.escape(simulation.last)}"
        " recomputed from their certified inputs under the candidate plan, compared with what "
        "was certified (the publication in force of each period). Nothing certified was "
        "changed.</p>",
        "<h2>What the candidate changes</h2><ul>"
        + "".join(f"<li>{html.escape(c)}</li>" for c in changes)
        + ("" if changes else "<li>nothing: same plan numbers as certified</li>")
        + "</ul>",
        "".join(f"<p class='warning'>{html.escape(w)}</p>" for w in warnings),
        f"<h2>Cost</h2><p>Certified {_eur(total['cost_certified_eur'])} EUR, candidate "
        f"{_eur(total['cost_candidate_eur'])} EUR: change {_eur(total['change_eur'])} EUR "
        f"({change_pct}); {total['workers_gaining']} payouts up, "
        f"{total['workers_losing']} down.</p>",
        cost_chart,
        _table(
            [
                "period",
                "workers",
                "held certified",
                "held candidate",
                "cost certified EUR",
                "cost candidate EUR",
                "change EUR",
            ],
            [
                [
                    r["period"],
                    r["workers"],
                    r["held_certified"],
                    r["held_candidate"],
                    r["cost_certified_eur"],
                    r["cost_candidate_eur"],
                    r["change_eur"],
                ]
                for r in by_period
            ],
        ),
        "<h2>Payout as a share of target variable</h2>",
        "<p class='note'>Workers per bucket over all simulated periods (a worker counts once "
        "per period); held workers are not paid.</p>",
        dist_chart,
        _table(
            ["share of target variable", "workers certified", "workers candidate"],
            [
                [r["share_of_target_variable"], r["workers_certified"], r["workers_candidate"]]
                for r in dist_total
            ],
        ),
        "<h2>Above the cap, below the threshold</h2>",
        "<p class='note'>Paid workers with a weighted attainment (individual or team) whose "
        "accelerated factor the cap cuts, or that lies below the threshold (that component "
        "pays nothing).</p>",
        _table(
            [
                "period",
                "above cap certified",
                "above cap candidate",
                "below threshold certified",
                "below threshold candidate",
            ],
            [
                [
                    r["period"],
                    r["above_cap_certified"],
                    r["above_cap_candidate"],
                    r["below_threshold_certified"],
                    r["below_threshold_candidate"],
                ]
                for r in by_period
            ],
        ),
        group_section("by_role", "sales_role", "Change by role"),
        group_section("by_team", "team", "Change by team"),
        group_section("by_business_line", "business_line", "Change by business line"),
        "<h2>Largest gains</h2>",
        _table(*results["gainers"], numeric_from=3),
        "<h2>Largest losses</h2>",
        _table(*results["losers"], numeric_from=3),
        "<p class='note'>Workers by employee id. Every worker, every period: workers.csv and "
        "simulation.xlsx beside this page.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
