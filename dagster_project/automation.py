"""Automation for data engineers: close a period when its drop is complete, or monthly.

Both are off by default (turn them on in `dagster dev`, Automation tab): a close decides pay,
so nobody should be surprised by one. The sensor is the normal path: the sources deliver on
the first days of the following month, at different times, and the close must wait for the
last file. The schedule is the fallback that tries the previous month on the 6th.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from .ingest.landing import drop_fingerprint, drop_periods, missing_files
from .jobs import close_period_job
from .partitions import partition_key_of


@dg.sensor(
    job=close_period_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Launches the close of a period once every file of its drop has landed.",
)
def complete_drop_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    landing = Path(os.environ.get("PERFGOV_LANDING", ""))
    requests, waiting = [], []
    for period in drop_periods(landing):
        absent = missing_files(landing, period)
        if absent:
            waiting.append(f"{period} ({len(absent)} file(s) missing)")
            continue
        # The run key makes a drop launch once; a re-delivered file launches again.
        requests.append(
            dg.RunRequest(
                run_key=f"{period}:{drop_fingerprint(landing, period)}",
                partition_key=partition_key_of(period),
            )
        )
    skip = f"incomplete drops: {', '.join(waiting)}" if waiting and not requests else None
    return dg.SensorResult(run_requests=requests, skip_reason=skip)


monthly_close_schedule = dg.build_schedule_from_partitioned_job(
    close_period_job,
    day_of_month=6,
    hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Fallback: on the 6th, close the month before (the sensor usually did).",
)
