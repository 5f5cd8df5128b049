"""The dbt vars of a close: the one place a Dagster partition becomes dbt's ``period``."""

from __future__ import annotations

import json

from ..partitions import period_of


def dbt_vars_for_partition(partition_key: str) -> dict[str, str]:
    """``2026-10-01`` -> ``{"period": "2026-10", "period_start": ..., "period_end": ...}``.

    Models filter on ``period`` (the drop) and use the first and last day for date windows;
    computing both here keeps month arithmetic out of SQL that must stay portable.
    """
    import calendar

    period = period_of(partition_key)
    year, month = int(period[:4]), int(period[5:])
    last_day = calendar.monthrange(year, month)[1]
    return {
        "period": period,
        "period_start": f"{period}-01",
        "period_end": f"{period}-{last_day:02d}",
    }


def dbt_vars_argument(partition_key: str) -> str:
    """The ``--vars`` argument, as deterministic JSON."""
    return json.dumps(dbt_vars_for_partition(partition_key), sort_keys=True)
