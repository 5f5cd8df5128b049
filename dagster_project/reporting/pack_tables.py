"""The tables of the monthly pack: one SQL query each over the certified schema.

Each query reads the period's publication in force (``{publication}``), or for the trend
the publications in force of the last 12 periods; the page shows each table, and the
pack exports each as CSV and as a sheet of its workbook, from the same query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb


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
        "SELECT coalesce(gate->>'layer', 'raw') AS layer, gate->>'suite' AS suite, "
        "gate->>'suite_version' AS suite_version, "
        "CAST(gate->'verdict'->>'evaluated' AS INTEGER) AS rules_evaluated, "
        "CAST(gate->'verdict'->>'failed_total' AS INTEGER) AS rules_failed, "
        "gate->'verdict'->>'verdict' AS verdict FROM gates ORDER BY layer, suite",
    ),
}

REQUIRED_TABLES = ("kpi_sales", "kpi_benchmarks", "kpi_attainment_distribution", "kpi_people")


def query_rows(conn: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    cursor = conn.execute(query)
    return [d[0] for d in cursor.description], cursor.fetchall()


def as_dicts(headers: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(headers, row, strict=True)) for row in rows]
