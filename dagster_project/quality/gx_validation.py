"""Run one reviewed suite on one period of one table, in the warehouse, and keep only counts.

Raw suites judge ``raw.<system>__<entity>``; harmonised and certified suites judge a mart
(see ``suites``). The path is the same for all three: the suite is compiled into one SQL
query over the period's rows (``suite_sql``) and run on a read-only DuckDB connection that
is closed before this returns (DuckDB allows one writer process, and dbt runs in another one
right after the raw gates). Nothing is pulled into pandas and no cell value leaves the
database: the query returns counts.

Why not GX itself any more: GX on pandas frames cost about 5 s of GX machinery per suite and
a pull that grows with the period (over 10 GB at 10M opportunities), and GX's SQL datasource
does not run on DuckDB (expectations/README.md, "How the suites run"). The suite files keep
GX's format and GX's meaning: ``tests/test_suite_sql_reference.py`` proves, expectation by
expectation, the same success and counts as GX 1.24 on pandas.

What leaves this module: expectation type, columns, severity, rule, success and counts, plus
``observed_value`` for the two table-level checks only (a row count, a list of column names).
An expectation that cannot be evaluated (a column the table lacks, a value its column cannot
be compared with) fails with ``raised_exception``, as it did in GX; the database's message,
which can quote a value, is dropped.
"""

from __future__ import annotations

import contextlib
import json
import logging
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
from typing import Any, Protocol

import duckdb

from dagster_project.engines.dialect import (
    DATABASE_ERRORS,
    column_definitions,
    engine_version,
    not_materialized,
)
from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.quality.suite_sql import (
    CompiledExpectation,
    Counts,
    compile_expectation,
    is_table_level,
    map_counts,
    missing_columns,
    sql_literal,
    table_counts,
)
from dagster_project.quality.suites import (
    LoadedSuite,
    SuiteError,
    VerdictSummary,
    decide_verdict,
    expectation_columns,
    read_suite,
)
from dagster_project.sql_text import quote_identifier

logger = logging.getLogger(__name__)

#: The GX result format whose fields the evidence keeps: counts, no partial list of values.
RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 0}

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PARAMETER_KEY = "$PARAMETER"


class WarehouseLike(Protocol):
    """Anything that opens the warehouse as a context manager (``resources.Warehouse``)."""

    def connect(
        self, read_only: bool = False
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...


class RawTableError(LookupError):
    """The table to validate is missing or has no column to select the period by."""


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
    great_expectations_version: str  # the GX whose results the compiled SQL reproduces
    read_seconds: float
    validate_seconds: float
    expectations: tuple[ExpectationOutcome, ...]
    verdict: VerdictSummary
    layer: str = "raw"
    parameters: Mapping[str, Any] | None = None  # configuration values, never data
    engine: str = "great_expectations (pandas)"  # what evaluated the suite (engine_name())

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
            "engine": self.engine,
            "read_seconds": self.read_seconds,
            "validate_seconds": self.validate_seconds,
            "result_format": dict(RESULT_FORMAT),
            "verdict": self.verdict.to_dict(),
            "expectations": [e.to_dict() for e in self.expectations],
        }


# --------------------------------------------------------------------------------------
# Evaluating a suite in the warehouse
# --------------------------------------------------------------------------------------


def engine_name(conn: Any = None) -> str:
    """What evaluated the suite, stamped on the evidence: ``duckdb 2.0.1 (suite compiled to
    SQL)``, or ``postgres 15.18 (...)`` on a PostgreSQL close."""
    engine = engine_version(conn) if conn is not None else f"duckdb {metadata.version('duckdb')}"
    return f"{engine} (suite compiled to SQL)"


def resolve_parameters(kwargs: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The kwargs with each ``{"$PARAMETER": name}`` replaced by its value for the run."""
    resolved: dict[str, Any] = {}
    for key, value in kwargs.items():
        if isinstance(value, Mapping) and set(value) == {_PARAMETER_KEY}:
            value = parameters[value[_PARAMETER_KEY]]
        resolved[key] = value
    return resolved


def table_columns(conn: duckdb.DuckDBPyConnection, table: str, period_column: str) -> list[str]:
    """The columns of ``table`` (``schema.name``) in order; RawTableError if it cannot be
    validated (no such table, no period column)."""
    schema, name = table.split(".", 1)
    columns = [c for c, _ in column_definitions(conn, schema, name)]
    if not columns:
        raise RawTableError(f"{table} does not exist in the warehouse")
    if period_column not in columns:
        raise RawTableError(f"{table} has no {period_column} column to select a period by")
    return columns


def period_rows_sql(
    table: str, period_column: str, period: str, hint: str = "NOT MATERIALIZED "
) -> str:
    """``WITH period_rows AS (...)``: the period's rows, read where they are.

    NOT MATERIALIZED: each uniqueness check scans the table again with its own columns,
    instead of DuckDB keeping a copy of every column of the period in memory.
    """
    schema, name = table.split(".", 1)
    return (
        f"WITH period_rows AS {hint}(SELECT * FROM "
        f"{quote_identifier(schema)}.{quote_identifier(name)} "
        f"WHERE {quote_identifier(period_column)} = {sql_literal(period)})"
    )


def _query_counts(
    conn: duckdb.DuckDBPyConnection, with_clause: str, compiled: Sequence[CompiledExpectation]
) -> dict[str, int]:
    """Run the SELECT of ``compiled`` (plus the row count) as one query; name -> count."""
    items = ["count(*) AS period_row_count"]
    for c in compiled:
        items += [f"{sql} AS {alias}" for alias, sql in c.expressions.items()]
    cursor = conn.execute(f"{with_clause} SELECT {', '.join(items)} FROM period_rows")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    return {n: int(v or 0) for n, v in zip(names, row, strict=True)}


def evaluate_suite(
    conn: duckdb.DuckDBPyConnection,
    suite: LoadedSuite,
    table: str,
    period: str,
    parameters: Mapping[str, Any],
) -> tuple[int, list[ExpectationOutcome]]:
    """The period's row count and every expectation's outcome, in suite order.

    One query for the whole suite. If it fails (a value the column cannot be compared
    with), each expectation is run alone, so that only the ones that cannot be evaluated
    fail, with ``raised_exception`` (GX isolated such failures the same way).
    """
    columns = table_columns(conn, table, suite.period_column)
    with_clause = period_rows_sql(table, suite.period_column, period, not_materialized(conn))
    expectations = suite.doc["expectations"]
    resolved = [{**e, "kwargs": resolve_parameters(e["kwargs"], parameters)} for e in expectations]
    raised: set[int] = set()
    compiled: list[CompiledExpectation] = []
    for i, exp in enumerate(resolved):
        if missing_columns(exp, columns):
            raised.add(i)
            continue
        try:
            compiled.append(compile_expectation(i, exp, "period_rows"))
        except SuiteError:
            raised.add(i)
    try:
        counts = _query_counts(conn, with_clause, compiled)
    except DATABASE_ERRORS:
        counts = _query_counts(conn, with_clause, [])
        for c in compiled:
            try:
                counts |= _query_counts(conn, with_clause, [c])
            except DATABASE_ERRORS:
                raised.add(c.index)
    row_count = counts["period_row_count"]
    by_index = {c.index: c for c in compiled}
    outcomes: list[ExpectationOutcome] = []
    for i, exp in enumerate(resolved):
        if i in raised:
            result = None
        elif is_table_level(exp):
            result = table_counts(exp, row_count, columns)
        else:
            result = map_counts(by_index[i].kind, by_index[i].mostly, counts, i)
        outcomes.append(_outcome(i, expectations[i], result))
    return row_count, outcomes


def _outcome(
    index: int, expectation: Mapping[str, Any], counts: Counts | None
) -> ExpectationOutcome:
    """The evidence of one expectation; ``counts`` None means it could not be evaluated."""
    meta = expectation["meta"]
    return ExpectationOutcome(
        index=index,
        expectation_type=expectation["type"],
        columns=expectation_columns(expectation),
        severity=meta["severity"],
        rule=meta["rule"],
        success=counts is not None and counts.success,
        raised_exception=counts is None,
        element_count=counts.element_count if counts else None,
        unexpected_count=counts.unexpected_count if counts else None,
        unexpected_percent=counts.unexpected_percent if counts else None,
        missing_count=counts.missing_count if counts else None,
        observed_value=counts.observed_value if counts else None,
    )


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
    a SuiteError (the expectation could not be evaluated, hiding the cause).
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
    with warehouse.connect(read_only=True) as conn:
        row_count, outcomes = evaluate_suite(conn, suite, relation or suite.table, period, used)
        engine = engine_name(conn)
    validate_seconds = time.perf_counter() - started

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
        read_seconds=0.0,
        validate_seconds=round(validate_seconds, 3),
        expectations=tuple(outcomes),
        verdict=verdict,
        layer=suite.layer,
        parameters=used,
        engine=engine,
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
