"""GX 1.24 on pandas, as the gates ran it before they were compiled to SQL: the reference.

``tests/test_suite_sql_reference.py`` runs every suite both ways and requires the same
success and counts, expectation by expectation. This is the former production path of
``dagster_project/quality/gx_validation.py``, kept whole (the pull minimised for the suite,
GX in an ephemeral context, the sanitizer), so the comparison is with what the gates
actually did.

GX is imported inside the functions: the import costs seconds, and the fast tests of the
sanitizer and the pull do not need it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd

from dagster_project.quality.gx_validation import RESULT_FORMAT, ExpectationOutcome
from dagster_project.quality.suites import (
    TABLE_LEVEL_TYPES,
    LoadedSuite,
    SuiteError,
    expectation_columns,
    needed_columns,
    nullness_only_columns,
)

_INDEX_KEY = "perfgov_index"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_list(table_columns: Sequence[tuple[str, str]], suite: Mapping[str, Any]) -> list[str]:
    """The SELECT expressions that pull a period for ``suite`` (see the module docstring)."""
    needed = set(needed_columns(suite))
    presence_only = set(nullness_only_columns(suite))
    exprs: list[str] = []
    for name, data_type in table_columns:
        q = _q(name)
        if name not in needed:
            exprs.append(f"NULL AS {q}")
        elif name in presence_only:
            exprs.append(f"CASE WHEN {q} IS NULL THEN NULL ELSE TRUE END AS {q}")
        elif data_type.upper().startswith("DECIMAL"):
            exprs.append(f"CAST({q} AS DOUBLE) AS {q}")
        else:
            exprs.append(q)
    return exprs


def read_table_period(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    period_column: str,
    suite: Mapping[str, Any],
    period: str,
) -> pd.DataFrame:
    """The rows of ``table`` whose ``period_column`` is ``period``, minimised for ``suite``."""
    schema, name = table.split(".", 1)
    table_columns = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = ? "
        "AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    sql = (
        f"SELECT {', '.join(select_list(table_columns, suite))} "
        f"FROM {_q(schema)}.{_q(name)} WHERE {_q(period_column)} = ?"
    )
    return conn.sql(sql, params=[period]).to_arrow_table().to_pandas()


def _as_int(value: Any) -> int | None:
    """An integer count, or None: numpy integers count, booleans and text never do."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def _as_float(value: Any) -> float | None:
    """A finite number, or None (JSON has no NaN)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _raised(exception_info: Any) -> bool:
    """Whether GX caught an exception; its message and traceback are deliberately dropped."""
    if not isinstance(exception_info, Mapping):
        return False
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    # GX >= 1.0 keys the info by metric when a metric failed to resolve.
    return any(
        isinstance(v, Mapping) and bool(v.get("raised_exception")) for v in exception_info.values()
    )


def _observed(expectation_type: str, value: Any) -> int | list[str] | None:
    """``observed_value`` for table-level checks only, and only of the expected shape."""
    if expectation_type == "expect_table_row_count_to_be_between":
        return _as_int(value)
    if (
        expectation_type == "expect_table_columns_to_match_set"
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        return list(value)
    return None


def sanitize_result(
    index: int, expectation: Mapping[str, Any], gx_result: Mapping[str, Any]
) -> ExpectationOutcome:
    """Keep from one GX result only what may be shown to anyone: never a cell value."""
    etype = expectation["type"]
    result = gx_result.get("result") or {}
    raised = _raised(gx_result.get("exception_info"))
    return ExpectationOutcome(
        index=index,
        expectation_type=etype,
        columns=expectation_columns(expectation),
        severity=expectation["meta"]["severity"],
        rule=expectation["meta"]["rule"],
        success=gx_result.get("success") is True and not raised,
        raised_exception=raised,
        element_count=_as_int(result.get("element_count")),
        unexpected_count=_as_int(result.get("unexpected_count")),
        unexpected_percent=_as_float(result.get("unexpected_percent")),
        missing_count=_as_int(result.get("missing_count")),
        observed_value=_observed(etype, result.get("observed_value"))
        if etype in TABLE_LEVEL_TYPES
        else None,
    )


def gx_context_config() -> Any:
    """An in-memory GX project: no Data Docs site, progress bars off, analytics off.

    ``progress_bars`` is read by GX's validator (``Validator._determine_progress_bars``);
    without it every validation draws tqdm bars on stderr. ``analytics_enabled`` is inert
    in GX 1.24.1 (its PostHog analytics module is gone), set anyway so an upgrade that
    brings telemetry back starts disabled. No Data Docs site means nothing is rendered to
    disk, so no page can ever show a value.
    """
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )


def _run_gx(
    frame: pd.DataFrame, suite: LoadedSuite, parameters: Mapping[str, Any] | None = None
) -> list[ExpectationOutcome]:
    """Validate ``frame`` with ``suite`` in a fresh ephemeral context; return sanitized results.

    The GX suite gets each expectation with only an index in its meta, to map results back:
    GX returns results in its own order, not the suite's.
    """
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral", project_config=gx_context_config())
    batch = (
        context.data_sources.add_pandas(name=f"raw__{suite.name}")
        .add_dataframe_asset(name=suite.name)
        .add_batch_definition_whole_dataframe(name="period")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    expectations = suite.doc["expectations"]
    gx_suite = gx.ExpectationSuite(
        name=suite.name,
        expectations=[
            {"type": e["type"], "kwargs": dict(e["kwargs"]), "meta": {_INDEX_KEY: i}}
            for i, e in enumerate(expectations)
        ],
    )
    # GX drops (and only logs) an expectation it cannot build: never let a gate vanish.
    if len(gx_suite.expectations) != len(expectations):
        raise SuiteError(
            f"suite {suite.name}: GX accepted {len(gx_suite.expectations)} of "
            f"{len(expectations)} expectations"
        )
    validation = batch.validate(
        gx_suite, result_format=RESULT_FORMAT, expectation_parameters=dict(parameters or {})
    )
    by_index: dict[int, ExpectationOutcome] = {}
    for gx_result in validation.results:
        raw = gx_result.to_json_dict()
        index = (raw.get("expectation_config") or {}).get("meta", {}).get(_INDEX_KEY)
        if not isinstance(index, int) or not 0 <= index < len(expectations):
            raise SuiteError(f"suite {suite.name}: GX returned a result for no expectation")
        by_index[index] = sanitize_result(index, expectations[index], raw)
    if len(by_index) != len(expectations):
        raise SuiteError(f"suite {suite.name}: GX returned {len(by_index)} results")
    return [by_index[i] for i in range(len(expectations))]


def reference_outcomes(
    conn: duckdb.DuckDBPyConnection,
    suite: LoadedSuite,
    table: str,
    period: str,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[int, list[ExpectationOutcome]]:
    """GX on pandas: the period's row count and the sanitized outcome of every expectation."""
    frame = read_table_period(conn, table, suite.period_column, suite.doc, period)
    used = {name: (parameters or {})[name] for name in suite.parameters}
    return len(frame), _run_gx(frame, suite, used)
