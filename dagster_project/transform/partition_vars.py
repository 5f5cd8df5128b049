"""The dbt vars of a close: the one place a Dagster partition becomes dbt's ``period``."""

from __future__ import annotations

import json

from ..incentives.plan import period_bounds, plan_in_force
from ..partitions import period_of
from ..reporting.churn_config import load_churn_config


def shift_period(period: str, months: int) -> str:
    """``2026-01`` shifted by -2 months -> ``2025-11``."""
    year, month = divmod(int(period[:4]) * 12 + int(period[5:]) - 1 + months, 12)
    return f"{year:04d}-{month + 1:02d}"


def dbt_vars_for_partition(partition_key: str) -> dict[str, str | int]:
    """``2026-10-01`` -> the period, its first and last day, and the plan's rounding.

    Models filter on ``period`` (the drop) and use the first and last day for date windows;
    computing both here keeps month arithmetic out of SQL that must stay portable. The
    rounding decimals of the plan in force are passed too, because SQL needs them as
    constants (``round(x, n)`` takes no column); every other plan number is joined from the
    plan tables. The churn-risk weights, thresholds and tiers (config/churn.yaml) come as
    ``churn_*`` vars: the score's SQL holds no business number.
    """
    period = period_of(partition_key)
    first, last = period_bounds(period)
    plan = plan_in_force(period)
    next_first, next_last = period_bounds(shift_period(period, 1))
    return {
        "period": period,
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        # Reporting windows: the next period (pipeline coverage) and the first period of
        # the last 3, 6 and 12 (trends, churn windows), so SQL compares 'YYYY-MM' strings.
        "next_period_start": next_first.isoformat(),
        "next_period_end": next_last.isoformat(),
        "last_3_periods_from": shift_period(period, -2),
        "last_6_periods_from": shift_period(period, -5),
        "last_12_periods_from": shift_period(period, -11),
        "money_decimals": plan.money_decimals,
        "attainment_decimals": plan.attainment_decimals,
        **load_churn_config().dbt_vars(),
    }


def dbt_vars_argument(partition_key: str, run_area: str | None = None) -> str:
    """The ``--vars`` argument, as deterministic JSON; with ``run_area`` (see
    ``run_area.py``) the staging, intermediate and mart models go to that run's schemas."""
    variables: dict[str, str | int] = dict(dbt_vars_for_partition(partition_key))
    if run_area is not None:
        variables["run_area"] = run_area
    return json.dumps(variables, sort_keys=True)
