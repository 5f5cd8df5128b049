"""The publication asset: the last step of a close, and the only one that writes certified.

It runs after dbt built and tested the period's marts and after the gates; it refuses to
publish while the plan's blocking findings (``marts.incentive_blocks``) are not empty, and
a period already certified is left exactly as it is unless a restatement was asked for.
Finance reads what ``export_period`` writes (see ``consumer_copy``), never the warehouse.
"""

from pathlib import Path

import dagster as dg

from ..partitions import ONE_PERIOD_PER_RUN, monthly_partitions, period_of
from ..quality.checks import gated_mart_keys, validations_dir
from ..resources import PerfgovPaths, Warehouse
from ..transform.run_area import relation
from .certificate import build_certificate
from .home_copy import home_warehouse
from .publish import (
    CERTIFIED_TABLES,
    current_publication,
    export_period,
    exports_are_current,
    publish_period,
)

RESTATEMENT_TAG = "perfgov/restatement_reason"
PUBLICATION_KEY = dg.AssetKey(["certified", "publication"])

# The marts a publication certifies or is gated by (dbt asset keys: schema / model name).
# Depending on every mart a harmonised or certified suite judges is what makes a failed
# block-severity check (a blocking asset check) stop the publication.
CERTIFIED_MARTS = list(
    dict.fromkeys(
        [
            *(dg.AssetKey(mart.split(".")) for mart, _ in CERTIFIED_TABLES.values()),
            dg.AssetKey(["marts", "incentive_blocks"]),
            *gated_mart_keys(),
        ]
    )
)


def blocking_findings(conn, period: str, run_id: str | None) -> list[str]:
    """The plan's blocking findings of ``period`` in the run area of ``run_id``."""
    blocks = relation(conn, "marts.incentive_blocks", run_id)
    rows = conn.execute(
        f"SELECT rule, finding FROM {blocks} WHERE period = ? ORDER BY rule, finding",
        [period],
    ).fetchall()
    return [f"{rule}: {finding}" for rule, finding in rows]


@dg.asset(
    key=PUBLICATION_KEY,
    deps=CERTIFIED_MARTS,
    partitions_def=monthly_partitions,
    backfill_policy=ONE_PERIOD_PER_RUN,
    group_name="certify",
    kinds={"duckdb", "csv", "parquet"},
    description="Certifies the period: copies its payouts, holds, credit lines, bookings, "
    "revenue and reconciliation into the certified schema in one transaction with a "
    "certificate, then exports them (CSV, Parquet, one xlsx "
    "workbook, the certificate) under <home>/certified/<PERIOD>/ and replaces the read-only "
    "consumer copy <home>/certified/certified.duckdb. Refuses while a blocking finding stands.",
)
def certified_publication(
    context: dg.AssetExecutionContext, warehouse: Warehouse, paths: PerfgovPaths
) -> dg.MaterializeResult:
    period = period_of(context.partition_key)
    reason = context.run.tags.get(RESTATEMENT_TAG)
    home = Path(paths.home)
    # Judged and published in the close's engine; exported from the home's DuckDB file
    # (the same connection on DuckDB; a copy of the engine's publications on PostgreSQL).
    with warehouse.engine() as conn:
        findings = blocking_findings(conn, period, context.run.run_id)
        if findings:
            raise dg.Failure(
                description=f"period {period} is blocked, nothing certified: "
                + "; ".join(findings),
                allow_retries=False,
            )
        existing = current_publication(conn, period)
        if existing is not None and reason is None:
            # Immutable: the period stays as certified; the exports are made whole again.
            with home_warehouse(warehouse, conn) as exported_from:
                if not exports_are_current(exported_from, period, home / "certified"):
                    export_period(exported_from, period, home / "certified")
            return dg.MaterializeResult(
                metadata={"publication_id": existing.publication_id, "unchanged": True}
            )
        plan = conn.execute(
            "SELECT plan_id, plan_version, plan_file, plan_sha256 FROM raw.plan__parameters "
            "WHERE _period = ?",
            [period],
        ).fetchone()
        certificate = build_certificate(
            conn,
            period,
            context.run.run_id,
            validations_dir(home, period, context.run.run_id),
            dict(zip(("plan_id", "version", "file", "sha256"), plan, strict=True)),
        )
        # A restatement names the publication it replaces (the old one stays readable).
        certificate["supersedes"] = existing.publication_id if existing else None
        certificate["restatement_reason"] = reason
        publication = publish_period(conn, period, context.run.run_id, certificate, reason)
        with home_warehouse(warehouse, conn) as exported_from:
            folder = export_period(exported_from, period, home / "certified")
    return dg.MaterializeResult(
        metadata={
            "publication_id": publication.publication_id,
            "version": publication.version,
            "supersedes": publication.supersedes or "",
            "exports": dg.MetadataValue.path(str(folder)),
            "payouts_eur": certificate["control_totals"]["payouts_eur"],
            "held_workers": certificate["control_totals"]["held_workers"],
        }
    )
