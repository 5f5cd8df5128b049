"""Incentive assets: the plan in force for the period, as tables the calculation joins."""

import dagster as dg

from ..partitions import ONE_PERIOD_PER_RUN, monthly_partitions, period_of
from ..resources import Warehouse
from .plan import plan_in_force
from .plan_tables import write_plan_tables

PLAN_ASSET_KEYS = (
    dg.AssetKey(["raw", "plan", "parameters"]),
    dg.AssetKey(["raw", "plan", "role_weights"]),
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key, group_name="incentives", kinds={"duckdb", "yaml"}, description=description
        )
        for key, description in zip(
            PLAN_ASSET_KEYS,
            (
                "The variable-pay plan in force for the period (config/plans/*.yaml): curve, "
                "rounding, hold and block rules, plan version and file hash.",
                "Weights (qualitative, individual, collective) of each eligible role.",
            ),
            strict=True,
        )
    ],
    partitions_def=monthly_partitions,
    backfill_policy=ONE_PERIOD_PER_RUN,
)
def plan_in_force_tables(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Load the plan whose effective dates cover the period; none in force fails the close."""
    period = period_of(context.partition_key)
    plan = plan_in_force(period)
    with warehouse.connect() as conn:
        write_plan_tables(conn, period, plan)
    meta = {"plan_version": plan.version, "plan_file": plan.file, "sha256": plan.sha256}
    for key in PLAN_ASSET_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata=meta)
