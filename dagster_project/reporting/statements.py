"""Rep statements: one HTML page per worker and period that explains the payout line by line.

A statement is built from the certified tables only, holds that worker's rows only (their
payout row and their own credit lines), and shows every figure a person needs to recompute
the payout by hand: each credited deal with currency, rate and split, each adjustment with
its reason, quota, attainments, the curve, the weights, the result. It opens offline (no
script, no remote resource) and prints to PDF from the browser.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ..atomic_files import replace_text
from .action_lists import action_lists

Row = Mapping[str, Any]
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CENT = Decimal("0.01")

_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto;
       max-width: 60em; color: #1d2733; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; font-size: .92em; }
th, td { border-bottom: 1px solid #d5dbe3; padding: .3em .5em; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-held { color: #a4000f; font-weight: 600; } .status-certified { color: #116329; }
.note { color: #5a6675; font-size: .9em; }
@media print { body { margin: 0; } a { color: inherit; } }
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        # Zero (0.00 and -0.00 are equal, their texts are not) and NaN skip the cache.
        return _decimal_text(value) if value and value.is_finite() else _text_of(value)
    return html.escape(str(value))


def _text_of(value: Decimal) -> str:
    """A figure to the cent with spaced thousands, or with all its decimals when it has more."""
    if value == value.quantize(_CENT):
        return f"{value:,.2f}".replace(",", " ")
    return f"{value.normalize():f}"


# Statements repeat the same rates, splits and amounts; the text of a non-zero finite value
# depends on the value only (equal Decimals such as 1.5 and 1.500 give the same text).
_decimal_text = functools.lru_cache(maxsize=1 << 16)(_text_of)


def _table(headers: list[tuple[str, bool]], rows: Iterable[list[Any]]) -> str:
    head = "".join(
        f'<th class="{"num" if num else ""}">{html.escape(h)}</th>' for h, num in headers
    )
    # Each column's opening tag is built once, not once per cell: a statement at 10M
    # opportunities lists hundreds of thousands of deals in all.
    opening = ['<td class="num">' if num else '<td class="">' for _, num in headers]
    body = "".join(
        "<tr>"
        + "".join([f"{tag}{_fmt(v)}</td>" for tag, v in zip(opening, row, strict=True)])
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _action_list_section(actions: list[Row]) -> list[str]:
    """The rep's churn-risk action list: the customers they own that are slipping."""
    if not actions:
        return [
            "<h2>6. Customers at risk (action list)</h2>",
            "<p>None of your customers is in a churn-risk tier this period.</p>",
        ]
    return [
        "<h2>6. Customers at risk (action list)</h2>",
        '<p class="note">Churn-risk score from 0 to 100: each driver that fires adds its '
        "weight (config/churn.yaml). Act on the highest scores first.</p>",
        _table(
            [
                ("Customer (ERP)", False),
                ("Account", False),
                ("Score", True),
                ("Tier", False),
                ("Why", False),
                ("Suggested next step", False),
            ],
            [
                [
                    a["erp_customer_code"],
                    a["account_id"],
                    a["score"],
                    (a["tier"] or "").replace("_", " "),
                    a["driver_details"],
                    a["suggested_next_step"],
                ]
                for a in actions
            ],
        ),
    ]


def render_statement(
    payout: Row, lines: list[Row], plan: Row, actions: list[Row] | None = None
) -> str:
    """The statement of one worker for one period (``payout`` is their certified row;
    ``actions`` their churn-risk action list, if any)."""
    period, employee = payout["period"], payout["employee_id"]
    bookings = [line for line in lines if line["line_type"] == "booking"]
    adjustments = [line for line in lines if line["line_type"] == "adjustment"]
    status = payout["status"]
    result = (
        f'<p class="status-held">Payout withheld: {html.escape(payout["hold_reason"] or "")}</p>'
        if status == "held"
        else f'<p class="status-certified">Payout certified: <strong>{_fmt(payout["payout_eur"])}'
        " EUR</strong></p>"
    )
    curve = (
        f"f(A) = 0 below {_fmt(plan['curve_threshold'])}; f(A) = A from "
        f"{_fmt(plan['curve_threshold'])} to {_fmt(plan['curve_target'])}; above, "
        f"f(A) = {_fmt(plan['curve_target'])} + {_fmt(plan['curve_accelerator_slope'])} × "
        f"(A − {_fmt(plan['curve_target'])}), capped at {_fmt(plan['curve_cap'])}."
    )
    components = [
        [
            "Qualitative (score / 100, within 0 and 1)",
            payout["weight_qualitative"],
            payout["qualitative_factor"],
        ],
        ["Individual f(IA)", payout["weight_individual"], payout["individual_factor"]],
        ["Collective f(TA)", payout["weight_collective"], payout["collective_factor"]],
    ]
    sections = [
        f"<h1>Variable pay statement, {html.escape(period)}</h1>",
        f"<p>Employee {html.escape(employee)} · {html.escape(payout['sales_role'] or '')} · "
        f"{html.escape(payout['team'] or '')} · plan {html.escape(str(payout['plan_version']))}"
        "</p>",
        result,
        "<h2>1. Target variable (TV)</h2>",
        _table(
            [
                ("Annual target variable", True),
                ("FTE", True),
                ("Days employed", True),
                ("Days in period", True),
                ("TV (EUR)", True),
            ],
            [
                [
                    payout["annual_target_variable"],
                    payout["fte"],
                    payout["days_employed"],
                    payout["days_in_period"],
                    payout["target_variable_eur"],
                ]
            ],
        ),
        f'<p class="note">TV = annual target / {_fmt(plan["months_per_year"])} × FTE × days '
        "employed / days in period, rounded half-up to the cent.</p>",
        "<h2>2. Credited bookings</h2>",
        _table(
            [
                ("Opportunity", False),
                ("Close date", False),
                ("Amount", True),
                ("Currency", False),
                ("Rate (per EUR)", True),
                ("Rate date", False),
                ("Amount EUR", True),
                ("Credit basis", False),
                ("Split %", True),
                ("Credit EUR", True),
            ],
            [
                [
                    b["opportunity_id"],
                    b["opportunity_close_date"],
                    b["amount"],
                    b["currency_code"],
                    b["fx_rate_per_eur"],
                    b["fx_rate_date"],
                    b["amount_eur"],
                    b["credit_basis"],
                    b["split_percentage"],
                    b["credit_eur"],
                ]
                for b in bookings
            ],
        ),
        '<p class="note">Amount EUR = amount / rate of the close date (or the latest earlier '
        "rate), rounded half-up to the cent; credit = split % of it, rounded half-up.</p>",
        "<h2>3. Adjustments to certified periods</h2>",
        _table(
            [
                ("Opportunity", False),
                ("Closed in", False),
                ("Reason", False),
                ("Certified EUR", True),
                ("Now EUR", True),
                ("Adjustment EUR", True),
            ],
            [
                [
                    a["opportunity_id"],
                    a["opportunity_period"],
                    a["adjustment_reason"],
                    a["certified_credit_eur"],
                    a["current_credit_eur"],
                    a["credit_eur"],
                ]
                for a in adjustments
            ],
        )
        if adjustments
        else "<p>None.</p>",
        "<h2>4. Attainment</h2>",
        _table(
            [
                ("", False),
                ("Credited EUR (adjustments included)", True),
                ("Quota EUR", True),
                ("Attainment", True),
            ],
            [
                [
                    "Individual (IA)",
                    (payout["credited_eur"] or 0) + (payout["adjustments_eur"] or 0),
                    payout["individual_quota_eur"],
                    payout["individual_attainment"],
                ],
                [
                    "Team (TA)",
                    payout["team_credited_eur"],
                    payout["team_quota_eur"],
                    payout["team_attainment"],
                ],
            ],
        ),
        f'<p class="note">{curve}</p>',
        "<h2>5. Result</h2>",
        _table([("Component", False), ("Weight", True), ("Factor", True)], components),
        f"<p>Payout = TV × Σ weight × factor = {_fmt(payout['target_variable_eur'])} × "
        f"{_fmt(payout['payout_factor'])} = <strong>{_fmt(payout['payout_eur'])}</strong> EUR, "
        "rounded half-up to the cent.</p>",
        *_action_list_section(list(actions or [])),
    ]
    title = f"Statement {html.escape(employee)} {html.escape(period)}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write_statements(conn: duckdb.DuckDBPyConnection, period: str, out_dir: Path) -> Path:
    """Write one statement per worker of the period's certified publication in force."""
    publication = conn.execute(
        "SELECT publication_id FROM certified.publication_log WHERE period = ? "
        "ORDER BY version DESC LIMIT 1",
        [period],
    ).fetchone()
    if publication is None:
        raise ValueError(f"period {period} is not certified: no statement to write")
    (publication_id,) = publication
    payouts = _dicts(
        conn.execute(
            "SELECT * FROM certified.incentive_payouts WHERE publication_id = ? "
            "ORDER BY employee_id",
            [publication_id],
        )
    )
    lines_by_worker: dict[str, list[dict]] = {}
    for line in _dicts(
        conn.execute(
            "SELECT * FROM certified.credit_lines WHERE publication_id = ? "
            "AND employee_id IS NOT NULL ORDER BY line_type DESC, opportunity_id",
            [publication_id],
        )
    ):
        lines_by_worker.setdefault(line["employee_id"], []).append(line)
    # The plan the close wrote for the period (incentives/plan_tables.py): in the home's
    # warehouse on every engine, unlike the run areas' staging models.
    plan = _dicts(conn.execute("SELECT * FROM raw.plan__parameters WHERE _period = ?", [period]))[0]
    actions = action_lists(conn, period)
    folder = out_dir / period
    folder.mkdir(parents=True, exist_ok=True)
    for payout in payouts:
        employee = payout["employee_id"]
        if not _SAFE_NAME.fullmatch(employee):  # it becomes a file name: never a path
            raise ValueError(f"employee id {employee!r} cannot name a statement file")
        text = render_statement(
            payout, lines_by_worker.get(employee, []), plan, actions.get(employee, [])
        )
        replace_text(folder / f"{employee}.html", text)
    return folder
