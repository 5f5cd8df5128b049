"""Blocking Dagster asset checks that gate a close with the reviewed GX suites.

One ``@asset_check(blocking=True)`` per suite: per raw table (on the ingest asset that loads
it, before dbt) and per harmonised or certified suite (on the dbt mart it judges, after
``dbt build`` and before the publication, which depends on every gated mart). Each check
validates the partition's period of its table, writes the sanitized evidence under
``<home>/audit/<period>/validations/<run_id>/`` and maps the verdict onto Dagster's check
outcome:

======== ============================================ =====================================
verdict  AssetCheckResult                             effect
======== ============================================ =====================================
block    passed=False, severity=ERROR                 downstream assets of the run do not
                                                      execute (Dagster's blocking checks)
hold     passed=False, severity=WARN                  downstream runs; shown as a warning,
                                                      ``verdict`` says payouts are at stake
warn     passed=False, severity=WARN                  downstream runs; reported, not silent
pass     passed=True                                  nothing to report
======== ============================================ =====================================

Why hold and warn are *failed* WARN checks rather than passed ones with metadata: a passed
check is green in the UI and in every "did the checks pass" query, which would make them
silent; a WARN failure is visible everywhere yet does not stop the run. ``verdict`` in the
metadata tells hold from warn.

How the check knows its period: Dagster runs the check in the same run as the asset, with
the run's partition key (tag ``dagster/partition``), which
``AssetCheckExecutionContext.partition_key`` exposes even for a check without its own
``partitions_def``. Giving the check the asset's ``partitions_def`` (a preview feature in
Dagster 1.13) additionally records the evaluation per partition in the UI.

GX is not imported: the suites run as SQL in the warehouse (``gx_validation``, ``suite_sql``).
"""

# No ``from __future__ import annotations`` here: Dagster reads the check function's
# annotations at definition time (context type, resource parameters) and refuses strings.
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.partitions import period_of
from dagster_project.quality.gx_validation import (
    RawValidationResult,
    validate_raw_table,
    validate_table,
    write_validation_json,
)
from dagster_project.quality.suite_parameters import suite_parameters
from dagster_project.quality.suites import LoadedSuite, Verdict, read_layer, read_suite
from dagster_project.resources import PerfgovPaths, Warehouse
from dagster_project.transform.run_area import relation


def validations_dir(home: str | Path, period: str, run_id: str | None = None) -> Path:
    """``<home>/audit/<period>/validations[/<run_id>]``: the evidence of a period's runs.

    One folder per Dagster run: every run's evidence is kept side by side, and the
    certificate of a publication cites exactly the results of the run that published.
    """
    base = Path(home) / "audit" / period / "validations"
    return base / run_id if run_id else base


def check_name(source_name: str, layer: str = "raw") -> str:
    """The check's name, e.g. ``gx_crm__opportunity`` or ``gx_certified__payouts``: a
    blocked run names the layer and the table."""
    return f"gx_{source_name}" if layer == "raw" else f"gx_{layer}__{source_name}"


def check_result_from_validation(
    result: RawValidationResult, evidence_path: Path | str
) -> dg.AssetCheckResult:
    """The Dagster outcome of a validation (see the module table); metadata holds no values."""
    summary = result.verdict
    failed = summary.failed
    metadata: dict[str, Any] = {
        "verdict": summary.verdict.value,
        "period": result.period,
        "row_count": result.row_count,
        "evaluated_expectations": summary.evaluated,
        "failed_expectations": summary.failed_total,
        "failed_block": failed.get("block", 0),
        "failed_hold": failed.get("hold", 0),
        "failed_warn": failed.get("warn", 0),
        "top_failing_rule": summary.top_failing_rule or "",
        "layer": result.layer,
        "suite": result.suite,
        "suite_version": result.suite_version,
        "suite_sha256": result.suite_sha256,
        "result_id": result.result_id,
        "evidence_path": dg.MetadataValue.path(str(evidence_path)),
    }
    verdict = summary.verdict
    if verdict is Verdict.PASS:
        return dg.AssetCheckResult(
            passed=True,
            metadata=metadata,
            description=f"{result.table} {result.period}: every expectation holds.",
        )
    description = (
        f"{verdict.value}: {summary.top_failing_rule} "
        f"({summary.failed_total} failed expectation(s) in {result.table} {result.period})"
    )
    severity = (
        dg.AssetCheckSeverity.ERROR if verdict is Verdict.BLOCK else dg.AssetCheckSeverity.WARN
    )
    return dg.AssetCheckResult(
        passed=False, severity=severity, metadata=metadata, description=description
    )


def _record(
    context: dg.AssetCheckExecutionContext, paths: PerfgovPaths, result: RawValidationResult
) -> dg.AssetCheckResult:
    """Write a gate's evidence into its run's folder, log one line, and give the outcome."""
    folder = validations_dir(paths.home, result.period, context.op_execution_context.run_id)
    evidence = write_validation_json(result, folder)
    context.log.info(
        f"{result.table} {result.period}: {result.verdict.verdict.value} "
        f"({result.verdict.failed_total} failed; evidence {evidence.name})"
    )
    return check_result_from_validation(result, evidence)


def _period_of(context: dg.AssetCheckExecutionContext) -> str:
    """The run's period; validate_raw_table refuses anything that is not ``YYYY-MM``."""
    if not context.has_partition_key:
        raise dg.Failure(
            "a raw-table gate validates one period: run it with a monthly partition key"
        )
    return period_of(context.partition_key)


def _build_check(
    source_name: str,
    asset_key: dg.AssetKey,
    partitions_def: dg.PartitionsDefinition | None,
    suites_dir: Path | None,
) -> dg.AssetChecksDefinition:
    suite = read_suite(source_name, suites_dir)  # a broken suite fails at definitions load
    table = SOURCES_BY_NAME[source_name].raw_table
    description = (
        f"GX suite {source_name} v{suite.version} on {table}: "
        f"{suite.doc['meta'].get('description', '')} "
        "block stops downstream assets; hold and warn are reported as WARN failures."
    )

    @dg.asset_check(
        asset=asset_key,
        name=check_name(source_name),
        description=description,
        blocking=True,
        partitions_def=partitions_def,
        metadata={"suite": source_name, "table": table},
    )
    def _gate(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse, paths: PerfgovPaths
    ) -> dg.AssetCheckResult:
        period = _period_of(context)
        result = validate_raw_table(warehouse, source_name, period, suites_dir=suites_dir)
        return _record(context, paths, result)

    return _gate


def build_raw_source_checks(
    asset_keys: Mapping[str, dg.AssetKey],
    *,
    partitions_def: dg.PartitionsDefinition | None = None,
    suites_dir: Path | None = None,
) -> list[dg.AssetChecksDefinition]:
    """One blocking GX check per raw table, on the asset that loads it.

    ``asset_keys`` maps a source name (``crm__opportunity``) to the key of the asset that
    loads ``raw.crm__opportunity``. The checks need the resources ``warehouse``
    (``resources.Warehouse``) and ``paths`` (``resources.PerfgovPaths``, for its ``home``).
    Pass the assets' ``partitions_def`` to have evaluations recorded per partition (a
    Dagster preview feature); the check finds its period from the run's partition key
    either way.
    """
    unknown = sorted(set(asset_keys) - set(SOURCES_BY_NAME))
    if unknown:
        raise ValueError(f"not sources of the contract: {unknown}")
    return [
        _build_check(name, dg.AssetKey.from_coercible(key), partitions_def, suites_dir)
        for name, key in sorted(asset_keys.items())
    ]


#: The mart suites' layers, in the order their evidence is listed.
MART_LAYERS: tuple[str, ...] = ("harmonised", "certified")


def mart_asset_key(suite: LoadedSuite) -> dg.AssetKey:
    """The dbt asset a mart suite judges: ``marts.payouts`` -> ``marts/payouts``."""
    return dg.AssetKey(suite.table.split("."))


def mart_suites(root: Path | None = None) -> tuple[LoadedSuite, ...]:
    """Every harmonised and certified suite, checked (a broken one fails definitions load)."""
    return tuple(suite for layer in MART_LAYERS for suite in read_layer(layer, root))


def _build_mart_check(
    suite: LoadedSuite, partitions_def: dg.PartitionsDefinition | None
) -> dg.AssetChecksDefinition:
    description = (
        f"GX {suite.layer} suite {suite.name} v{suite.version} on {suite.table}: "
        f"{suite.doc['meta'].get('description', '')} "
        "block stops the publication; hold and warn are reported as WARN failures."
    )

    @dg.asset_check(
        asset=mart_asset_key(suite),
        name=check_name(suite.name, suite.layer),
        description=description,
        blocking=True,
        partitions_def=partitions_def,
        metadata={"suite": suite.name, "layer": suite.layer, "table": suite.table},
    )
    def _gate(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse, paths: PerfgovPaths
    ) -> dg.AssetCheckResult:
        period = _period_of(context)
        run_id = context.op_execution_context.run_id
        # The marts are in the close's engine (DuckDB, or PostgreSQL: engines/).
        with warehouse.engine(read_only=True) as conn:
            parameters = suite_parameters(conn, period)
            where = relation(conn, suite.table, run_id)  # the run's own area
        result = validate_table(warehouse.on_engine(), suite, period, parameters, relation=where)
        return _record(context, paths, result)

    return _gate


def build_mart_checks(
    *, partitions_def: dg.PartitionsDefinition | None = None, root: Path | None = None
) -> list[dg.AssetChecksDefinition]:
    """One blocking GX check per harmonised and certified suite, on the mart it judges.

    The marts are dbt assets; the publication asset must depend on each of them
    (``gated_mart_keys``) for a block to stop it.
    """
    return [_build_mart_check(suite, partitions_def) for suite in mart_suites(root)]


def gated_mart_keys(root: Path | None = None) -> list[dg.AssetKey]:
    """The marts a harmonised or certified suite judges, in suite order, once each."""
    return list(dict.fromkeys(mart_asset_key(suite) for suite in mart_suites(root)))
