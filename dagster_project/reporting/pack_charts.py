"""The charts of the monthly pack, each drawn from the certified tables.

Teams, business lines and the company are named; workers are unlabelled dots (their
values against their business line's quartiles), never a name.
"""

from __future__ import annotations

import duckdb

from . import svg_charts
from .action_lists import publication_in_force
from .pack_tables import as_dicts, query_rows


def pack_charts(conn: duckdb.DuckDBPyConnection, period: str, queries: dict[str, str]) -> dict:
    """The pack's charts, each from the certified tables (worker values unlabelled)."""
    publication = publication_in_force(conn, period)
    sales = as_dicts(*query_rows(conn, queries["sales_kpis"]))
    lines = [r for r in sales if r["scope_level"] == "business_line"]
    trend = as_dicts(*query_rows(conn, queries["bookings_trend"]))
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
    benchmarks = as_dicts(
        *query_rows(
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

    distribution = as_dicts(*query_rows(conn, queries["attainment_distribution"]))
    attainments = as_dicts(
        *query_rows(
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
    churn = as_dicts(*query_rows(conn, queries["churn_risk_summary"]))
    people = as_dicts(*query_rows(conn, queries["people_kpis"]))
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
                for r in as_dicts(*query_rows(conn, queries["segment_split"]))
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
