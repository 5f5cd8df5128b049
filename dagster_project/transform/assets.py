"""dbt models as Dagster assets: one ``dbt build`` per close, for the close's period.

``dbt build`` runs models and their tests in dependency order in one invocation (each dbt
start-up costs seconds). dbt sources map to the ingest assets' keys (``raw/<system>/<entity>``)
so the lineage from file to model is one graph in the UI.

dbt tests are not Dagster asset checks here: each would cost the close's event log several
SQLite commits; their results go to the warehouse in one write (``dbt_tests.py``).
"""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)
from dagster_dbt.asset_utils import get_asset_check_key_for_test

from ..engines import copy_schema_to_engine
from ..partitions import ONE_PERIOD_PER_RUN, monthly_partitions, period_of
from ..resources import PerfgovPaths, Warehouse
from .dbt_tests import checks_from_run_results, record_checks
from .in_process import artifacts, build_in_process
from .partition_vars import dbt_vars_argument
from .project import perfgov_dbt_project
from .run_area import drop_old_areas, point_latest_views, register_run_area


class PerfgovDbtTranslator(DagsterDbtTranslator):
    """Names dbt nodes the way the rest of perfgov names its assets."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # A dbt source `crm.crm__opportunity` is the ingest asset raw/crm/opportunity;
        # sources outside `raw` (the certified history) keep their schema as prefix.
        if dbt_resource_props["resource_type"] == "source":
            system = dbt_resource_props["source_name"]
            table = dbt_resource_props["name"]
            schema = dbt_resource_props.get("schema", "raw")
            if schema != "raw":
                return dg.AssetKey([schema, table])
            return dg.AssetKey(["raw", system, table.removeprefix(f"{system}__")])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # The dbt folder (staging, intermediate, marts) is the group: the layer is visible.
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


#: dbt's target folder, inside the perfgov home.
DBT_TARGET_FOLDER = "dbt-target"

#: Without asset checks for dbt tests: see the module's docstring.
DBT_TRANSLATOR = PerfgovDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)
)


@dbt_assets(
    manifest=perfgov_dbt_project().manifest_path,
    project=perfgov_dbt_project(),
    partitions_def=monthly_partitions,
    dagster_dbt_translator=DBT_TRANSLATOR,
    backfill_policy=ONE_PERIOD_PER_RUN,
)
def perfgov_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    paths: PerfgovPaths,
) -> Iterator[Any]:
    """Build and test every dbt model for the partition's period, in the run's own area.

    dbt unit tests check the SQL, not the data: they run in the test suite
    (tests/test_dbt_unit.py), not in every close.
    """
    period = period_of(context.partition_key)
    home = Path(paths.home)
    with warehouse.engine() as engine:
        if warehouse.copies_to_engine:
            # dbt reads the raw tables where it builds: the home's DuckDB copy goes over.
            with warehouse.connect(read_only=True) as duck:
                copied = copy_schema_to_engine(warehouse.target, duck, engine, "raw", home)
            context.log.info(
                f"raw tables copied to {warehouse.target}: {len(copied)} tables, "
                f"{sum(copied.values())} rows"
            )
        area = register_run_area(
            engine, context.run.run_id, period, full_build=not context.is_subset
        )
        dropped = drop_old_areas(engine)
    context.log.info(
        f"dbt builds into run area {area} on {warehouse.target}; "
        f"older areas dropped: {dropped or 'none'}"
    )
    arguments = [
        "build",
        "--vars",
        dbt_vars_argument(context.partition_key, run_area=area),
        "--exclude-resource-type",
        "unit_test",
    ]
    # One target folder per home, reused by each close: dbt's artifacts of the last build
    # (compiled SQL, run_results.json, partial_parse.msgpack) sit with the warehouse they
    # describe, instead of a new folder per close in the repository.
    target_path = home / DBT_TARGET_FOLDER
    invocation: DbtCliInvocation | None = None
    try:
        if warehouse.target == "spark":
            # Session mode: dbt must run in this process, on the session holding raw.
            yield from build_in_process(
                context,
                [*arguments, "--target", "spark"],
                target_path,
                DBT_TRANSLATOR.get_asset_key,
            )
        else:
            invocation = dbt.cli(arguments, context=context, target_path=target_path)
            for event in invocation.stream():
                # A test's result comes as an observation of its model: recorded below.
                if not isinstance(event, dg.AssetObservation):
                    yield event
    finally:
        # Whatever dbt's outcome, its tests are recorded and the plain schemas show this
        # run's area (dbt has exited: the warehouse is free).
        tests = _tests_in(target_path) if warehouse.target == "spark" else _tests_of(invocation)
        with warehouse.connect() as conn:
            record_checks(conn, context.run.run_id, tests)
        with warehouse.engine() as engine:
            point_latest_views(engine, area)
        failed = sum(not t["passed"] for t in tests)
        context.log.info(f"dbt tests: {len(tests)} run, {failed} not passed")


def _tests_in(target_path: Path) -> list[dict[str, Any]]:
    """The data tests of the in-process dbt build whose artifacts are in ``target_path``."""
    run_results, manifest = artifacts(target_path)
    if not run_results or not manifest:
        return []

    def check_of(unique_id: str) -> str | None:
        key = get_asset_check_key_for_test(
            manifest, DBT_TRANSLATOR, unique_id, project=perfgov_dbt_project()
        )
        return None if key is None else f"{key.asset_key.to_user_string()}:{key.name}"

    return checks_from_run_results(run_results, check_of)


def _tests_of(invocation: DbtCliInvocation | None) -> list[dict[str, Any]]:
    """The data tests of a dbt invocation, from its run_results.json (none if dbt did not
    start, or stopped before writing it)."""
    if invocation is None:
        return []
    try:
        run_results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        return []

    def check_of(unique_id: str) -> str | None:
        # The name dagster-dbt gives the test's asset check.
        key = get_asset_check_key_for_test(
            invocation.manifest, DBT_TRANSLATOR, unique_id, project=perfgov_dbt_project()
        )
        return None if key is None else f"{key.asset_key.to_user_string()}:{key.name}"

    return checks_from_run_results(run_results, check_of)
