"""The period: a calendar month, as a Dagster monthly partition keyed ``YYYY-MM``.

Dagster's monthly partition keys are ``YYYY-MM-DD`` (the first day); perfgov speaks in
``YYYY-MM`` everywhere else, so the conversion lives here and only here.
"""

from __future__ import annotations

import os
import warnings

import dagster as dg

# The first month the UI offers; override for older history with PERFGOV_FIRST_PERIOD.
FIRST_PERIOD = os.environ.get("PERFGOV_FIRST_PERIOD", "2024-01")

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=f"{FIRST_PERIOD}-01")

# One period per run, for every asset: a close is never batched with another (adjustments
# compare with what the period before certified). Dagster flags per-asset backfill
# policies as beta; that warning is noise for every command, so it is silenced here, once.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)
ONE_PERIOD_PER_RUN = dg.BackfillPolicy.multi_run(max_partitions_per_run=1)


def period_of(partition_key: str) -> str:
    """``2026-10-01`` (Dagster's key) -> ``2026-10`` (perfgov's period)."""
    return partition_key[:7]


def partition_key_of(period: str) -> str:
    """``2026-10`` -> ``2026-10-01``."""
    return f"{period}-01"
