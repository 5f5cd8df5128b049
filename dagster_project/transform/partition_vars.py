"""The dbt vars of a close: the one place a Dagster partition becomes dbt's ``period``."""

from __future__ import annotations

import json

from ..incentives.plan import period_bounds, plan_in_force
from ..partitions import period_of


def dbt_vars_for_partition(partition_key: str) -> dict[str, str | int]:
    """``2026-10-01`` -> the period, its first and last day, and the plan's rounding.

    Models filter on ``period`` (the drop) and use the first and last day for date windows;
    computing both here keeps month arithmetic out of SQL that must stay portable. The
    rounding decimals of the plan in force are passed too, because SQL needs them as
    constants (``round(x, n)`` takes no column); every other plan number is joined from the
    plan tables.
    """
    period = period_of(partition_key)
    first, last = period_bounds(period)
    plan = plan_in_force(period)
    return {
        "period": period,
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        "money_decimals": plan.money_decimals,
        "attainment_decimals": plan.attainment_decimals,
    }


def dbt_vars_argument(partition_key: str, run_area: str | None = None) -> str:
    """The ``--vars`` argument, as deterministic JSON; with ``run_area`` (see
    ``run_area.py``) the staging, intermediate and mart models go to that run's schemas."""
    variables: dict[str, str | int] = dict(dbt_vars_for_partition(partition_key))
    if run_area is not None:
        variables["run_area"] = run_area
    return json.dumps(variables, sort_keys=True)
