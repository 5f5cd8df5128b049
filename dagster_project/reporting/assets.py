"""Reporting assets: what people read once a period is certified."""

from pathlib import Path

import dagster as dg

from ..certify.assets import PUBLICATION_KEY
from ..partitions import ONE_PERIOD_PER_RUN, monthly_partitions, period_of
from ..resources import PerfgovPaths, Warehouse
from .monthly_pack import pack_summary, write_monthly_pack
from .statements import write_statements


@dg.asset(
    key=["reports", "rep_statements"],
    deps=[PUBLICATION_KEY],
    partitions_def=monthly_partitions,
    backfill_policy=ONE_PERIOD_PER_RUN,
    group_name="reports",
    kinds={"html"},
    description="One statement per worker and period under <home>/statements/<PERIOD>/, "
    "from the certified tables: every credited deal, adjustment, quota, attainment, curve, "
    "weight and the payout, so that a rep can recompute it by hand.",
)
def rep_statements(
    context: dg.AssetExecutionContext, warehouse: Warehouse, paths: PerfgovPaths
) -> dg.MaterializeResult:
    period = period_of(context.partition_key)
    with warehouse.connect() as conn:
        folder = write_statements(conn, period, Path(paths.home) / "statements")
    count = len(list(folder.glob("*.html")))
    return dg.MaterializeResult(
        metadata={"statements": count, "folder": dg.MetadataValue.path(str(folder))}
    )


@dg.asset(
    key=["reports", "monthly_pack"],
    deps=[PUBLICATION_KEY],
    partitions_def=monthly_partitions,
    backfill_policy=ONE_PERIOD_PER_RUN,
    group_name="reports",
    kinds={"html", "csv", "xlsx"},
    description="The monthly pack under <home>/reports/<PERIOD>/, from the certified tables "
    "only: one offline HTML page (KPIs, benchmark charts, attainment distribution, churn "
    "risk, people, data-quality verdict linking to the auditor pack), every table of it as "
    "CSV and in one xlsx workbook, and each rep's churn-risk action list as CSV.",
)
def monthly_pack(
    context: dg.AssetExecutionContext, warehouse: Warehouse, paths: PerfgovPaths
) -> dg.MaterializeResult:
    period = period_of(context.partition_key)
    with warehouse.connect() as conn:
        folder = write_monthly_pack(conn, period, Path(paths.home) / "reports")
    return dg.MaterializeResult(
        metadata={**pack_summary(folder), "folder": dg.MetadataValue.path(str(folder))}
    )
