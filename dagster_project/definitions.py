"""The Dagster code location: what `dagster dev` and `perfgov close` load.

Loading it imports dagster-dbt and parses the manifest (seconds): commands that do not
close a period (`perfgov --help`, the readers' tests) never import this module.
"""

from __future__ import annotations

import dagster as dg

from .automation import complete_drop_sensor, monthly_close_schedule
from .certify.assets import certified_publication
from .incentives.assets import plan_in_force_tables
from .ingest.assets import INGEST_ASSET_KEYS, ingest_assets
from .jobs import close_period_job
from .quality.checks import build_mart_checks, build_raw_source_checks
from .reporting.assets import monthly_pack, rep_statements
from .resources import PerfgovPaths, Warehouse
from .settings import Settings
from .transform.assets import perfgov_dbt_models
from .transform.project import dbt_cli


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location for one perfgov home and landing zone.

    Built per call, never cached: a process that closes periods of two homes in turn (the
    tests do) must bind each close to its own warehouse.
    """
    settings.export_environment()  # dbt runs in a subprocess and reads these
    return dg.Definitions(
        assets=[
            *ingest_assets,
            plan_in_force_tables,
            perfgov_dbt_models,
            certified_publication,
            rep_statements,
            monthly_pack,
        ],
        asset_checks=[*build_raw_source_checks(INGEST_ASSET_KEYS), *build_mart_checks()],
        jobs=[close_period_job],
        sensors=[complete_drop_sensor],
        schedules=[monthly_close_schedule],
        resources={
            "warehouse": Warehouse(path=str(settings.warehouse), target=settings.target),
            "paths": PerfgovPaths(landing=str(settings.landing), home=str(settings.home)),
            "dbt": dbt_cli(),
        },
        executor=dg.in_process_executor,
    )


# What `dagster dev` loads: the home and landing of the environment (see settings.py).
defs = build_definitions(Settings.resolve())
