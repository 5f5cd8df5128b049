"""dbt in the close's own process, for Spark: dbt-spark's session mode must share the
SparkSession that holds the raw tables (engines/spark.py).

dagster-dbt runs dbt as a subprocess and turns its events into Dagster events; here dbt runs
through ``dbtRunner`` and its ``run_results.json`` gives the same outcome: a materialisation
per model or seed built, the tests' results, and a failure naming the nodes that failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from ..settings import DBT_PROJECT_DIR

_BUILT = ("model", "seed", "snapshot")


def build_in_process(
    context: dg.AssetExecutionContext,
    arguments: list[str],
    target_path: Path,
    asset_key_of: Any,
) -> Iterator[dg.MaterializeResult]:
    """Run ``dbt <arguments>`` here; yield a materialisation per selected node built. The
    run results and manifest are left in ``target_path`` (``artifacts``)."""
    from dbt.cli.main import dbtRunner

    run_results = target_path / "run_results.json"
    run_results.unlink(missing_ok=True)  # never the results of an earlier close
    result = dbtRunner().invoke(
        [
            *arguments,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
        ]
    )
    results, manifest = artifacts(target_path)
    selected = set(context.selected_asset_keys)
    failed = []
    for entry in results.get("results", []):
        node = manifest.get("nodes", {}).get(entry["unique_id"])
        if node is None or node["resource_type"] not in _BUILT:
            continue
        if entry["status"] == "success":
            key = asset_key_of(node)
            if key in selected:
                yield dg.MaterializeResult(asset_key=key)
        elif entry["status"] == "error":
            failed.append(node["name"])
    if failed:
        raise dg.Failure(
            description=f"dbt build failed on {len(failed)} node(s): {'; '.join(failed[:5])}",
            allow_retries=False,
        )
    if not result.success:  # dbt stopped before any node (a parse or compilation error)
        lines = str(result.exception or "see the dbt log").strip().splitlines()
        raise dg.Failure(
            description=f"dbt build did not run: {' '.join(line.strip() for line in lines[:2])}",
            allow_retries=False,
        )


def artifacts(target_path: Path) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(run_results, manifest) of the last dbt invocation in ``target_path`` (empty if none)."""

    def read(name: str) -> Mapping[str, Any]:
        path = target_path / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    return read("run_results.json"), read("manifest.json")
