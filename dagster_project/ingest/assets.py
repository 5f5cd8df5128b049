"""Ingest assets: one Dagster asset per source file, one partition per monthly drop.

Each asset reads its file exactly as the source system sends it (see ``readers``), types it
(``casting``) and replaces the period's rows of its raw table (``loader``). A file that is
missing or wrongly shaped fails the asset with a message naming the file and the problem.
"""

from pathlib import Path

import dagster as dg

from ..partitions import ONE_PERIOD_PER_RUN, monthly_partitions, period_of
from ..resources import PerfgovPaths, Warehouse
from .contracts import SOURCES, FileFormat, SourceFile
from .duckdb_settings import configure_ingest_connection
from .loader import load_source_file

_KINDS = {FileFormat.CSV: "csv", FileFormat.WORKDAY_JSON: "json", FileFormat.XLSX_SHEET: "excel"}


def ingest_asset_key(source: SourceFile) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.system, source.entity])


def build_ingest_asset(source: SourceFile) -> dg.AssetsDefinition:
    @dg.asset(
        key=ingest_asset_key(source),
        partitions_def=monthly_partitions,
        backfill_policy=ONE_PERIOD_PER_RUN,
        group_name=f"ingest_{source.system}",
        kinds={"duckdb", _KINDS[source.format]},
        description=f"{source.description} Loaded from `{source.path_template}` into "
        f"`{source.raw_table}` with provenance columns; unreadable rows go to `raw.quarantine`.",
        metadata={"source_file": source.path_template, "raw_table": source.raw_table},
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: Warehouse, paths: PerfgovPaths
    ) -> dg.MaterializeResult:
        period = period_of(context.partition_key)
        with warehouse.connect() as conn:
            configure_ingest_connection(conn, Path(paths.home))
            summary = load_source_file(conn, source, Path(paths.landing), period)
        if summary.rows_quarantined:
            context.log.warning(
                f"{summary.file}: {summary.rows_quarantined} row(s) quarantined: "
                + "; ".join(f"{n} x {r}" for r, n in summary.quarantine_reasons.items())
            )
        return dg.MaterializeResult(
            metadata={
                "file": summary.file,
                "sha256": summary.sha256,
                "file_bytes": summary.file_bytes,
                "records_read": summary.records_read,
                "dagster/row_count": summary.rows_loaded,
                "rows_quarantined": summary.rows_quarantined,
                "blank_rows_skipped": summary.blank_rows_skipped,
                "read_by": "duckdb csv reader" if summary.fast_path else "exact reader",
                "quarantine_reasons": dg.MetadataValue.json(summary.quarantine_reasons),
            },
            data_version=dg.DataVersion(summary.sha256),
        )

    return _ingest


ingest_assets = [build_ingest_asset(source) for source in SOURCES]
INGEST_ASSET_KEYS = {source.name: ingest_asset_key(source) for source in SOURCES}

__all__ = ["INGEST_ASSET_KEYS", "build_ingest_asset", "ingest_asset_key", "ingest_assets"]
