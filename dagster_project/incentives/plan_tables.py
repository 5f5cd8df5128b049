"""The plan in force, written into the warehouse so the dbt calculation can join it.

dbt reads the plan from ``raw.plan__parameters`` (one row per period) and
``raw.plan__role_weights`` (one row per period and eligible role): the SQL holds no number
of the plan, and every payout row can name the plan version it was computed under.
"""

from __future__ import annotations

import duckdb

from .plan import Plan

PARAMETERS_DDL = """
CREATE TABLE IF NOT EXISTS raw.plan__parameters (
    _period VARCHAR PRIMARY KEY,
    plan_id VARCHAR NOT NULL,
    plan_version VARCHAR NOT NULL,
    plan_file VARCHAR NOT NULL,
    plan_sha256 VARCHAR NOT NULL,
    effective_from DATE NOT NULL,
    currency VARCHAR NOT NULL,
    curve_threshold DECIMAL(9,4) NOT NULL,
    curve_target DECIMAL(9,4) NOT NULL,
    curve_accelerator_slope DECIMAL(9,4) NOT NULL,
    curve_cap DECIMAL(9,4) NOT NULL,
    score_scale DECIMAL(9,4) NOT NULL,
    months_per_year INTEGER NOT NULL,
    money_decimals INTEGER NOT NULL,
    attainment_decimals INTEGER NOT NULL,
    unattributed_credit_block_share DECIMAL(9,6) NOT NULL,
    hold_rules VARCHAR[] NOT NULL,
    block_rules VARCHAR[] NOT NULL
)"""

ROLE_WEIGHTS_DDL = """
CREATE TABLE IF NOT EXISTS raw.plan__role_weights (
    _period VARCHAR NOT NULL,
    sales_role VARCHAR NOT NULL,
    weight_qualitative DECIMAL(9,4) NOT NULL,
    weight_individual DECIMAL(9,4) NOT NULL,
    weight_collective DECIMAL(9,4) NOT NULL,
    PRIMARY KEY (_period, sales_role)
)"""


def write_plan_tables(conn: duckdb.DuckDBPyConnection, period: str, plan: Plan) -> None:
    """Replace the period's plan rows, in one transaction."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    conn.execute(PARAMETERS_DDL)
    conn.execute(ROLE_WEIGHTS_DDL)
    c = plan.curve
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute("DELETE FROM raw.plan__parameters WHERE _period = ?", [period])
        conn.execute("DELETE FROM raw.plan__role_weights WHERE _period = ?", [period])
        conn.execute(
            "INSERT INTO raw.plan__parameters VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                period,
                plan.plan_id,
                plan.version,
                plan.file,
                plan.sha256,
                plan.effective_from,
                plan.currency,
                c.threshold,
                c.target,
                c.accelerator_slope,
                c.cap,
                plan.score_scale,
                plan.months_per_year,
                plan.money_decimals,
                plan.attainment_decimals,
                plan.unattributed_credit_block_share,
                list(plan.holds),
                list(plan.blocks),
            ],
        )
        conn.executemany(
            "INSERT INTO raw.plan__role_weights VALUES (?, ?, ?, ?, ?)",
            [
                [period, role, w.qualitative, w.individual, w.collective]
                for role, w in sorted(plan.roles.items())
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
