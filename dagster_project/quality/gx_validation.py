"""Run one reviewed suite on one period of one table with GX 1.x, and keep only counts.

Raw suites judge ``raw.<system>__<entity>``; harmonised and certified suites judge a mart
(see ``suites``). The path is the same for all three.

Why this path and not GX's SQL datasource: on DuckDB every metric of a GX SQL datasource
fails with "list index out of range" (GX issues #10738 and #11579). So the period's rows are
read from DuckDB into pandas through Arrow, the DuckDB connection is closed at once (DuckDB
allows one writer process, and dbt runs in another one right after us), and GX validates the
frame with an ephemeral, in-memory context.

What is pulled is minimised before GX sees it:

- only the columns the suite reads are pulled with their values;
- columns read only by null-ness checks (every personal field is one, by rule) are pulled
  as a presence flag (TRUE or NULL): their values never leave DuckDB;
- every other column of the table is a constant NULL, so the column-set check still sees
  the table's real column names;
- DECIMAL columns are read as DOUBLE: range checks only need the magnitude, and float64
  columns are far cheaper in pandas than ``decimal.Decimal`` objects.

What leaves this module is sanitized: expectation type, columns, severity, rule, success
and counts, plus ``observed_value`` for the two table-level checks only (a row count, a list
of column names). GX's partial lists, exception messages and tracebacks, which can quote
cell values, are dropped inside ``_run_gx`` and never returned.

GX is imported inside the functions that need it: the import costs several seconds and
neither definitions loading nor the fast tests need it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import numbers
import os
import re
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dagster_project.ingest.contracts import SOURCES_BY_NAME, SourceFile
from dagster_project.quality.suites import (
    TABLE_LEVEL_TYPES,
    LoadedSuite,
    SuiteError,
    VerdictSummary,
    decide_verdict,
    expectation_columns,
    needed_columns,
    nullness_only_columns,
    read_suite,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

logger = logging.getLogger(__name__)

#: Counts only: SUMMARY with no partial list of unexpected values (GX's default is 20 values).
RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 0}

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_INDEX_KEY = "perfgov_index"


class WarehouseLike(Protocol):
    """Anything that opens the warehouse as a context manager (``resources.Warehouse``)."""

    def connect(
        self, read_only: bool = False
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...


class RawTableError(LookupError):
    """The raw table to validate is missing or is not a raw table (no ``_period``)."""


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's sanitized result: what was checked and how many rows failed it."""

    index: int
    expectation_type: str
    columns: tuple[str, ...]
    severity: str
    rule: str
    success: bool
    raised_exception: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    missing_count: int | None
    observed_value: int | list[str] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "expectation_type": self.expectation_type,
            "columns": list(self.columns),
            "severity": self.severity,
            "rule": self.rule,
            "success": self.success,
            "raised_exception": self.raised_exception,
            "element_count": self.element_count,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "missing_count": self.missing_count,
            "observed_value": self.observed_value,
        }


@dataclass(frozen=True)
class RawValidationResult:
    """The evidence of one suite run on one period: JSON-serialisable, free of cell values."""

    suite: str
    suite_version: str
    suite_sha256: str
    table: str
    period: str
    result_id: str
    run_at: str
    row_count: int
    great_expectations_version: str
    read_seconds: float
    validate_seconds: float
    expectations: tuple[ExpectationOutcome, ...]
    verdict: VerdictSummary
    layer: str = "raw"
    parameters: Mapping[str, Any] | None = None  # configuration values, never data

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "parameters": dict(self.parameters or {}),
            "suite": self.suite,
            "suite_version": self.suite_version,
            "suite_sha256": self.suite_sha256,
            "table": self.table,
            "period": self.period,
            "result_id": self.result_id,
            "run_at": self.run_at,
            "row_count": self.row_count,
            "great_expectations_version": self.great_expectations_version,
            "read_seconds": self.read_seconds,
            "validate_seconds": self.validate_seconds,
            "result_format": dict(RESULT_FORMAT),
            "verdict": self.verdict.to_dict(),
            "expectations": [e.to_dict() for e in self.expectations],
        }


# --------------------------------------------------------------------------------------
# Reading the period from DuckDB
# --------------------------------------------------------------------------------------


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


def read_period_frame(
    warehouse: WarehouseLike, source: SourceFile, suite: Mapping[str, Any], period: str
) -> pd.DataFrame:
    """The period's rows of ``raw.<source>``, minimised for ``suite``, as a pandas frame."""
    return read_table_period(warehouse, source.raw_table, "_period", suite, period)


def read_table_period(
    warehouse: WarehouseLike,
    table: str,
    period_column: str,
    suite: Mapping[str, Any],
    period: str,
) -> pd.DataFrame:
    """The rows of ``table`` (``schema.name``) whose ``period_column`` is ``period``,
    minimised for ``suite``, as a pandas frame.

    The connection is read-only and closed before this returns: the frame is built from
    a fully materialised Arrow table, so no DuckDB handle (and no file lock) outlives it.
    """
    schema, name = table.split(".", 1)
    with warehouse.connect(read_only=True) as conn:
        table_columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
        if not table_columns:
            raise RawTableError(f"{table} does not exist in the warehouse")
        if period_column not in {c for c, _ in table_columns}:
            raise RawTableError(f"{table} has no {period_column} column to select a period by")
        sql = (
            f"SELECT {', '.join(select_list(table_columns, suite))} "
            f"FROM {_q(schema)}.{_q(name)} WHERE {_q(period_column)} = ?"
        )
        # A relation, not a DB-API cursor: DuckDB 2 copies cursor results once more to Arrow.
        arrow_table = conn.sql(sql, params=[period]).to_arrow_table()
    return arrow_table.to_pandas()


# --------------------------------------------------------------------------------------
# GX and the sanitizer
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# The entry points
# --------------------------------------------------------------------------------------


def validate_raw_table(
    warehouse: WarehouseLike,
    source_name: str,
    period: str,
    *,
    suites_dir: Path | None = None,
) -> RawValidationResult:
    """Run the suite of ``raw.<source_name>`` on the rows of ``period`` (``YYYY-MM``).

    Returns sanitized evidence whose ``verdict`` gates the period. Raises SuiteError for a
    suite that cannot be trusted and RawTableError for a missing raw table: those are
    failures of the pipeline, not verdicts on the data.
    """
    if source_name not in SOURCES_BY_NAME:
        raise SuiteError(f"{source_name!r} is not a source of the contract")
    return validate_table(warehouse, read_suite(source_name, suites_dir), period)


def validate_table(
    warehouse: WarehouseLike,
    suite: LoadedSuite,
    period: str,
    parameters: Mapping[str, Any] | None = None,
    relation: str | None = None,
) -> RawValidationResult:
    """Run ``suite`` (any layer) on the rows of ``period`` of the table it names.

    ``parameters`` gives the values of the suite's ``$PARAMETER`` kwargs; a missing one is
    a SuiteError (GX would fail the expectation with an exception, hiding the cause).
    ``relation`` is where that table is for this run (a run area's ``marts__<area>.payouts``
    for ``marts.payouts``); the evidence names the suite's table either way.
    """
    if not _PERIOD.match(period):
        raise ValueError(f"period {period!r} is not a month YYYY-MM")
    missing = sorted(set(suite.parameters) - set(parameters or {}))
    if missing:
        raise SuiteError(f"suite {suite.name}: no value for parameter(s) {missing}")
    used = {name: (parameters or {})[name] for name in suite.parameters}
    run_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    started = time.perf_counter()
    frame = read_table_period(
        warehouse, relation or suite.table, suite.period_column, suite.doc, period
    )
    read_seconds = time.perf_counter() - started

    started = time.perf_counter()
    outcomes = _run_gx(frame, suite, used)
    validate_seconds = time.perf_counter() - started
    row_count = len(frame)
    del frame

    verdict = decide_verdict([o.to_dict() for o in outcomes])
    result = RawValidationResult(
        suite=suite.name,
        suite_version=suite.version,
        suite_sha256=suite.sha256,
        table=suite.table,
        period=period,
        result_id=str(uuid.uuid4()),
        run_at=run_at,
        row_count=row_count,
        great_expectations_version=metadata.version("great_expectations"),
        read_seconds=round(read_seconds, 3),
        validate_seconds=round(validate_seconds, 3),
        expectations=tuple(outcomes),
        verdict=verdict,
        layer=suite.layer,
        parameters=used,
    )
    logger.info(
        "%s %s: %s (%d rows, %d failed, suite v%s)",
        result.table,
        period,
        verdict.verdict.value,
        row_count,
        verdict.failed_total,
        suite.version,
    )
    return result


def evidence_filename(result: RawValidationResult) -> str:
    """``<suite>__<result_id>.json``: unique per run, so evidence is only ever added."""
    return f"{result.suite}__{result.result_id}.json"


def write_validation_json(result: RawValidationResult, directory: str | os.PathLike[str]) -> Path:
    """Write the evidence to ``<directory>/<suite>__<result_id>.json``, atomically, never over.

    The JSON goes to a temporary file in the same directory, is flushed to disk, and is
    then hard-linked to its final name: the link is atomic and fails if the name exists,
    so a reader never sees half a file and an existing evidence file is never replaced.
    """
    target_dir = Path(directory)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / evidence_filename(result)
    if target.exists():
        raise FileExistsError(f"evidence {target} already exists; it is never overwritten")
    payload = json.dumps(result.to_dict(), indent=2, sort_keys=True, allow_nan=False) + "\n"
    fd, tmp_name = tempfile.mkstemp(dir=target_dir, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:
            # A filesystem without hard links: rename after a last check.
            if target.exists():
                raise FileExistsError(f"evidence {target} already exists") from None
            os.rename(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_directory(target_dir)
    return target


def _fsync_directory(directory: Path) -> None:
    """Make the new directory entry durable (POSIX only; a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
