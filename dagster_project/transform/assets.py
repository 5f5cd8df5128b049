"""dbt models as Dagster assets: one ``dbt build`` per close, for the close's period.

``dbt build`` runs models and their tests in dependency order in one invocation (each dbt
start-up costs seconds). dbt sources map to the ingest assets' keys (``raw/<system>/<entity>``)
so the lineage from file to model is one graph in the UI.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ..partitions import ONE_PERIOD_PER_RUN, monthly_partitions, period_of
from ..resources import Warehouse
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


@dbt_assets(
    manifest=perfgov_dbt_project().manifest_path,
    project=perfgov_dbt_project(),
    partitions_def=monthly_partitions,
    dagster_dbt_translator=PerfgovDbtTranslator(),
    backfill_policy=ONE_PERIOD_PER_RUN,
)
def perfgov_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """Build and test every dbt model for the partition's period, in the run's own area.

    dbt unit tests check the SQL, not the data: they run in the test suite
    (tests/test_dbt_unit.py), not in every close.
    """
    period = period_of(context.partition_key)
    with warehouse.connect() as conn:
        area = register_run_area(conn, context.run.run_id, period, full_build=not context.is_subset)
        dropped = drop_old_areas(conn)
    context.log.info(f"dbt builds into run area {area}; older areas dropped: {dropped or 'none'}")
    try:
        yield from dbt.cli(
            [
                "build",
                "--vars",
                dbt_vars_argument(context.partition_key, run_area=area),
                "--exclude-resource-type",
                "unit_test",
            ],
            context=context,
        ).stream()
    finally:
        # Whatever dbt's outcome, the plain schemas show this run's area (dbt has exited:
        # the warehouse is free).
        with warehouse.connect() as conn:
            point_latest_views(conn, area)
