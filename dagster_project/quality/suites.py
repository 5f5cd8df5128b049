"""The reviewed GX suites, read and checked without importing GX.

A suite is a file ``expectations/<layer>/<name>.json`` in the GX 1.x
ExpectationSuite JSON shape (``name``, ``meta``, ``expectations`` of ``type``/``kwargs``/
``meta``). Each expectation says in its ``meta`` how bad a failure is (``severity``) and, in
one human sentence, what it protects (``rule``): the verdict and the evidence are built
from those two, never from the data. Three layers gate a close, in this order:

- ``raw``: one suite per raw table (``raw.<system>__<entity>``), checked against the source
  contract, run right after the table is loaded, before dbt;
- ``harmonised``: suites on the marts of the common vocabulary and the quality control
  tables (referential integrity, FX, splits, CRM warnings, the reconciliation), run after
  ``dbt build``;
- ``certified``: suites on what a publication would certify (payouts, credit lines and
  their controls), run after ``dbt build``, before the publication.

A non-raw suite names its table (``meta.table``, ``marts.<model>``) and the column holding
the period (``meta.period_column``). Values that belong to configuration rather than to
the suite (the plan's currency and cap, the reconciliation tolerance) are written
``{"$PARAMETER": "<name>"}`` and given at run time (``suite_parameters``).

Why no GX here: ``import great_expectations`` costs seconds, while loading a suite, knowing
which columns to pull and deciding a verdict are plain data work that definitions loading,
fast tests and the report step all need. GX itself runs only in the tests, as the
reference of the SQL the gates run (``suite_sql``).

The checks done when a suite is loaded are the ones GX would not do for us: GX's
``ExpectationSuite`` silently *drops* an expectation it cannot build (it only logs), so a
typo in a type name would quietly remove a gate. Here an unknown type, a missing kwarg, a
column the contract does not have, or a value check on a personal field is an error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from dagster_project.ingest.contracts import PROVENANCE_COLUMNS, SOURCES_BY_NAME

#: Where the reviewed suites live (repo root / expectations), one folder per layer.
EXPECTATIONS_ROOT: Path = Path(__file__).resolve().parents[2] / "expectations"
RAW_SUITES_DIR: Path = EXPECTATIONS_ROOT / "raw"

#: The layers, in the order their gates run in a close.
LAYERS: tuple[str, ...] = ("raw", "harmonised", "certified")

#: Names a ``{"$PARAMETER": name}`` kwarg may use, with where their value comes from
#: (``quality/suite_parameters.py``). A closed list, so a typo fails at load, not at run.
SUITE_PARAMETERS: frozenset[str] = frozenset(
    {
        "plan_currency",  # the plan in force (config/plans): the currency pay is in
        "plan_curve_cap",  # the plan's cap of a curve factor
        "reconciliation_tolerance_percent",  # config/quality.yaml
    }
)

#: Columns of the marts that hold names or e-mails: like the raw contract's personal
#: fields, a non-raw suite may only check them for presence. Pay figures (payout, target
#: variable) may be compared, because the evidence keeps counts only (see gx_validation).
PERSONAL_MART_COLUMNS: frozenset[str] = frozenset(
    {"legal_name", "work_email", "account_name", "erp_customer_name", "course_title"}
)

_MART_TABLE = re.compile(r"^marts\.[a-z][a-z0-9_]*$")


class Severity(StrEnum):
    """How a failed expectation gates the period (see expectations/README.md)."""

    BLOCK = "block"  # nothing is published for the period
    HOLD = "hold"  # published, but the affected payouts are withheld with a reason
    WARN = "warn"  # reported, never silent, never gating


class Verdict(StrEnum):
    """The outcome of one suite on one period: the worst failed severity, or pass."""

    BLOCK = "block"
    HOLD = "hold"
    WARN = "warn"
    PASS = "pass"


#: Worst first: the verdict is the first of these with a failure.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.BLOCK, Severity.HOLD, Severity.WARN)

#: Expectations that judge the table as a whole. Only their ``observed_value`` (a row count,
#: a list of column names) may reach the evidence: it can never hold a cell value.
TABLE_LEVEL_TYPES: frozenset[str] = frozenset(
    {"expect_table_columns_to_match_set", "expect_table_row_count_to_be_between"}
)

#: Expectations that only look at whether a value is there. They are the only ones allowed
#: on personal fields, whose values the gates never read (the SQL only tests IS NULL).
NULLNESS_TYPES: frozenset[str] = frozenset(
    {"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"}
)

# The expectation types a raw suite may use, with the kwargs each one must have and the
# kwargs it may have. A closed list: GX would drop an unknown type silently, and every type
# here has been checked to give counts (never values) in its SUMMARY result.
_COLUMN = ("column",)
_MAP_OPTIONAL = frozenset({"mostly", "row_condition", "condition_parser"})
EXPECTATION_KWARGS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "expect_table_columns_to_match_set": (("column_set",), frozenset({"exact_match"})),
    "expect_table_row_count_to_be_between": ((), frozenset({"min_value", "max_value"})),
    "expect_column_values_to_not_be_null": (_COLUMN, _MAP_OPTIONAL),
    "expect_column_values_to_be_null": (_COLUMN, _MAP_OPTIONAL),
    "expect_column_values_to_be_unique": (_COLUMN, _MAP_OPTIONAL),
    "expect_compound_columns_to_be_unique": (
        ("column_list",),
        _MAP_OPTIONAL | {"ignore_row_if"},
    ),
    "expect_column_values_to_be_in_set": (("column", "value_set"), _MAP_OPTIONAL),
    "expect_column_values_to_not_be_in_set": (("column", "value_set"), _MAP_OPTIONAL),
    "expect_column_values_to_match_regex": (("column", "regex"), _MAP_OPTIONAL),
    "expect_column_values_to_be_between": (
        _COLUMN,
        _MAP_OPTIONAL | {"min_value", "max_value", "strict_min", "strict_max"},
    ),
    "expect_column_pair_values_to_be_equal": (
        ("column_A", "column_B"),
        _MAP_OPTIONAL | {"ignore_row_if"},
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": (
        ("column_A", "column_B"),
        _MAP_OPTIONAL | {"ignore_row_if", "or_equal"},
    ),
}

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class SuiteError(ValueError):
    """A suite file that cannot be trusted as a gate: named, with what is wrong."""


# --------------------------------------------------------------------------------------
# Loading and checking suite files
# --------------------------------------------------------------------------------------


def suite_path(name: str, directory: Path | None = None) -> Path:
    """The file of suite ``name`` (``<directory>/<name>.json``; raw suites by default)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SuiteError(f"suite name {name!r} is not of the form <system>__<entity>")
    return (directory or RAW_SUITES_DIR) / f"{name}.json"


def layer_dir(layer: str, root: Path | None = None) -> Path:
    """``<root>/<layer>``: the folder of one layer's suites."""
    if layer not in LAYERS:
        raise SuiteError(f"layer {layer!r} is not one of {', '.join(LAYERS)}")
    return (root or EXPECTATIONS_ROOT) / layer


def _parameter(value: Any) -> str | None:
    """The name in ``{"$PARAMETER": name}``, or None for a literal value."""
    if isinstance(value, Mapping) and set(value) == {"$PARAMETER"}:
        return value["$PARAMETER"]
    return None


def suite_names(directory: Path | None = None) -> tuple[str, ...]:
    """Names of the suite files present, sorted."""
    return tuple(sorted(p.stem for p in (directory or RAW_SUITES_DIR).glob("*.json")))


_CONDITION_WORDS = frozenset({"and", "or", "not", "in", "True", "False", "None", "isnull"})
_STRING_LITERAL = re.compile(r"\"[^\"]*\"|'[^']*'")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def condition_columns(row_condition: Any) -> tuple[str, ...]:
    """The columns a pandas ``row_condition`` reads (``weight_individual > 0``).

    They must be pulled with their values: a column the validation does not pull is a
    constant NULL, and a condition on it would select no row, so the expectation would
    pass on nothing.
    """
    if not isinstance(row_condition, str):
        return ()
    text = _STRING_LITERAL.sub(" ", row_condition)
    names = [n for n in _IDENTIFIER.findall(text) if n not in _CONDITION_WORDS]
    return tuple(dict.fromkeys(names))


def expectation_columns(expectation: Mapping[str, Any]) -> tuple[str, ...]:
    """The data columns one expectation reads, its row condition's included (not the
    names a column-set check lists)."""
    kwargs = expectation.get("kwargs", {})
    cols: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if key in kwargs:
            cols.append(kwargs[key])
    cols.extend(kwargs.get("column_list", ()))
    cols.extend(c for c in condition_columns(kwargs.get("row_condition")) if c not in cols)
    return tuple(cols)


def _check_expectation(
    where: str, exp: Any, known_columns: frozenset[str] | None, personal: frozenset[str]
) -> None:
    if not isinstance(exp, Mapping):
        raise SuiteError(f"{where}: an expectation must be an object")
    extra = set(exp) - {"type", "kwargs", "meta"}
    if extra:
        raise SuiteError(f"{where}: unexpected keys {sorted(extra)}")
    etype = exp.get("type")
    if etype not in EXPECTATION_KWARGS:
        raise SuiteError(
            f"{where}: type {etype!r} is not one the raw gates support "
            f"({', '.join(sorted(EXPECTATION_KWARGS))})"
        )
    kwargs = exp.get("kwargs")
    if not isinstance(kwargs, Mapping):
        raise SuiteError(f"{where} ({etype}): kwargs must be an object")
    required, optional = EXPECTATION_KWARGS[etype]
    missing = [k for k in required if k not in kwargs]
    if missing:
        raise SuiteError(f"{where} ({etype}): missing kwargs {missing}")
    unknown = set(kwargs) - set(required) - optional
    if unknown:
        raise SuiteError(f"{where} ({etype}): unsupported kwargs {sorted(unknown)}")
    for key, value in kwargs.items():
        name = _parameter(value)
        if name is not None and name not in SUITE_PARAMETERS:
            raise SuiteError(
                f"{where} ({etype}): kwarg {key} names unknown parameter {name!r} "
                f"(known: {', '.join(sorted(SUITE_PARAMETERS))})"
            )
    if etype == "expect_table_row_count_to_be_between" and not (
        "min_value" in kwargs or "max_value" in kwargs
    ):
        raise SuiteError(f"{where} ({etype}): needs min_value or max_value")
    if etype == "expect_column_values_to_match_regex":
        try:
            re.compile(kwargs["regex"])
        except (re.error, TypeError) as exc:
            raise SuiteError(f"{where} ({etype}): regex does not compile: {exc}") from exc
    for list_key in ("column_list", "column_set", "value_set"):
        if list_key in kwargs and _parameter(kwargs[list_key]) is not None:
            continue
        if list_key in kwargs and not (isinstance(kwargs[list_key], list) and kwargs[list_key]):
            raise SuiteError(f"{where} ({etype}): {list_key} must be a non-empty list")

    meta = exp.get("meta")
    if not isinstance(meta, Mapping):
        raise SuiteError(f"{where} ({etype}): meta with severity and rule is required")
    if meta.get("severity") not in {s.value for s in Severity}:
        raise SuiteError(
            f"{where} ({etype}): meta.severity must be one of block, hold, warn "
            f"(got {meta.get('severity')!r})"
        )
    rule = meta.get("rule")
    if not isinstance(rule, str) or len(rule.strip()) < 10:
        raise SuiteError(f"{where} ({etype}): meta.rule must be a sentence")

    columns = expectation_columns(exp)
    if known_columns is not None:
        named = set(columns) | set(kwargs.get("column_set", ()))
        strangers = sorted(named - known_columns)
        if strangers:
            raise SuiteError(f"{where} ({etype}): columns not in the contract: {strangers}")
    value_reads = set(condition_columns(kwargs.get("row_condition")))
    if etype not in NULLNESS_TYPES:
        value_reads |= set(columns)
    touched = sorted(value_reads & personal)
    if touched:
        raise SuiteError(
            f"{where} ({etype}): personal fields {touched} may only be checked for presence"
        )
    if kwargs.get("row_condition") is not None:
        # The gates translate the condition to SQL: one they cannot read fails here, at
        # load, not in a close. (Imported here: suite_sql imports this module.)
        from dagster_project.quality.suite_sql import row_condition_sql

        if kwargs.get("condition_parser") != "pandas":
            raise SuiteError(f"{where} ({etype}): a row_condition needs condition_parser pandas")
        row_condition_sql(kwargs["row_condition"])


def check_suite(doc: Any, name: str, layer: str = "raw") -> None:
    """Raise SuiteError unless ``doc`` is a usable suite named ``name`` of ``layer``.

    When ``name`` is a contract source, every column must exist in the raw table and
    personal fields may only be checked for null-ness: the contract is the reference. A
    harmonised or certified suite must name its mart and period column; its columns are
    checked against the table when it runs (a missing column fails the gate).
    """
    if not isinstance(doc, Mapping):
        raise SuiteError(f"suite {name}: the file must hold a JSON object")
    if doc.get("name") != name:
        raise SuiteError(f"suite {name}: its name is {doc.get('name')!r}, not its file's name")
    meta = doc.get("meta")
    if not isinstance(meta, Mapping) or "version" not in meta:
        raise SuiteError(f"suite {name}: meta.version is required")
    version = meta["version"]
    if isinstance(version, bool) or not (
        (isinstance(version, int) and version >= 1)
        or (isinstance(version, str) and _SEMVER.match(version))
    ):
        raise SuiteError(f"suite {name}: meta.version must be an integer >= 1 or x.y.z")
    expectations = doc.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise SuiteError(f"suite {name}: expectations must be a non-empty list")

    if layer == "raw":
        source = SOURCES_BY_NAME.get(name)
        known = (
            frozenset(source.field_names) | {c for c, _ in PROVENANCE_COLUMNS}
            if source is not None
            else None
        )
        personal = source.personal_fields if source is not None else frozenset()
    else:
        table = meta.get("table")
        if not isinstance(table, str) or not _MART_TABLE.match(table):
            raise SuiteError(f"suite {name}: meta.table must name a mart, marts.<model>")
        if table != f"marts.{name}":
            raise SuiteError(f"suite {name}: meta.table {table!r} is not marts.{name}")
        period_column = meta.get("period_column")
        if not isinstance(period_column, str) or not period_column:
            raise SuiteError(f"suite {name}: meta.period_column is required")
        known = None
        personal = PERSONAL_MART_COLUMNS
    rules: set[str] = set()
    for i, exp in enumerate(expectations):
        where = f"suite {name}, expectation {i}"
        _check_expectation(where, exp, known, personal)
        rule = exp["meta"]["rule"]
        if rule in rules:
            raise SuiteError(f"{where}: rule {rule!r} is used twice; a rule names one check")
        rules.add(rule)


@dataclass(frozen=True)
class LoadedSuite:
    """A checked suite with the version and hash of the very bytes it was parsed from.

    Reading once and carrying all three keeps the evidence honest if the file is edited
    while a validation runs.
    """

    name: str
    doc: dict[str, Any]
    sha256: str
    layer: str = "raw"

    @property
    def version(self) -> str:
        return str(self.doc["meta"]["version"])

    @property
    def table(self) -> str:
        """``raw.<name>`` or the mart a non-raw suite names."""
        return self.doc["meta"]["table"] if self.layer != "raw" else f"raw.{self.name}"

    @property
    def period_column(self) -> str:
        return self.doc["meta"]["period_column"] if self.layer != "raw" else "_period"

    @property
    def parameters(self) -> tuple[str, ...]:
        """The ``$PARAMETER`` names its expectations use, sorted."""
        return tuple(
            sorted(
                {
                    name
                    for exp in self.doc["expectations"]
                    for value in exp["kwargs"].values()
                    if (name := _parameter(value)) is not None
                }
            )
        )


def read_suite(name: str, directory: Path | None = None, layer: str = "raw") -> LoadedSuite:
    """Read and check suite ``name``; raise SuiteError naming the file and the problem."""
    path = suite_path(name, directory or layer_dir(layer))
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SuiteError(f"suite {name}: no file {path}") from exc
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SuiteError(f"suite {name}: {path} is not valid JSON ({exc})") from exc
    check_suite(doc, name, layer)
    return LoadedSuite(name=name, doc=doc, sha256=hashlib.sha256(data).hexdigest(), layer=layer)


def read_layer(layer: str, root: Path | None = None) -> tuple[LoadedSuite, ...]:
    """Every suite of ``layer``, checked, in name order."""
    directory = layer_dir(layer, root)
    return tuple(read_suite(name, directory, layer) for name in suite_names(directory))


def load_suite(name: str, directory: Path | None = None) -> dict[str, Any]:
    """The checked suite ``name`` as a dict (a fresh copy: callers may mutate it)."""
    return read_suite(name, directory).doc


def suite_version(name: str, directory: Path | None = None) -> str:
    """The suite's reviewed version (``meta.version``), as text for metadata and evidence."""
    return read_suite(name, directory).version


def suite_sha256(name: str, directory: Path | None = None) -> str:
    """Hash of the suite file's bytes: the evidence names exactly the rules that ran."""
    return read_suite(name, directory).sha256


def needed_columns(suite: Mapping[str, Any]) -> tuple[str, ...]:
    """Columns whose values the suite reads, in first-use order: the only ones to pull."""
    seen: dict[str, None] = {}
    for exp in suite["expectations"]:
        for col in expectation_columns(exp):
            seen.setdefault(col, None)
    return tuple(seen)


def nullness_only_columns(suite: Mapping[str, Any]) -> tuple[str, ...]:
    """Columns that only null-ness expectations read: their values need never be pulled."""
    by_value: set[str] = set()
    by_nullness: dict[str, None] = {}
    for exp in suite["expectations"]:
        # A row condition compares values, whatever the expectation checks.
        by_value.update(condition_columns(exp.get("kwargs", {}).get("row_condition")))
        target = by_nullness if exp["type"] in NULLNESS_TYPES else None
        for col in expectation_columns(exp):
            if target is None:
                by_value.add(col)
            else:
                target.setdefault(col, None)
    return tuple(c for c in by_nullness if c not in by_value)


def expected_column_set(suite: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The exact column set the suite demands, or None when it has no column-set check."""
    for exp in suite["expectations"]:
        if exp["type"] == "expect_table_columns_to_match_set":
            return tuple(exp["kwargs"]["column_set"])
    return None


# --------------------------------------------------------------------------------------
# The verdict: a pure function of sanitized results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictSummary:
    """What one suite run means for the period, with no data in it.

    ``failed`` counts failed expectations per severity (all three keys always present);
    ``top_failing_rule`` is the rule of the first failed expectation, in suite order, of
    the worst failed severity: suites list structure before keys before values, so it
    points at the cause rather than its echoes.
    """

    verdict: Verdict
    evaluated: int
    failed: dict[str, int] = field(default_factory=dict)
    failed_total: int = 0
    top_failing_rule: str | None = None
    top_failing_expectation: str | None = None
    failing_rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "evaluated": self.evaluated,
            "failed": dict(self.failed),
            "failed_total": self.failed_total,
            "top_failing_rule": self.top_failing_rule,
            "top_failing_expectation": self.top_failing_expectation,
            "failing_rules": list(self.failing_rules),
        }


def decide_verdict(results: Sequence[Mapping[str, Any]]) -> VerdictSummary:
    """Turn sanitized per-expectation results (in suite order) into the period's verdict.

    Each result needs ``success`` (bool), ``severity`` (block/hold/warn) and ``rule``; an
    expectation that raised counts as failed (``success`` is False then). ``block`` if any
    block-severity expectation failed, else ``hold``, else ``warn``, else ``pass``.
    """
    failed: dict[str, list[Mapping[str, Any]]] = {s.value: [] for s in SEVERITY_ORDER}
    for r in results:
        severity = r.get("severity")
        if severity not in failed:
            raise SuiteError(f"result with unknown severity {severity!r}: {r.get('rule')!r}")
        if r.get("success") is not True:
            failed[severity].append(r)
    counts = {s: len(v) for s, v in failed.items()}
    for severity in SEVERITY_ORDER:
        if failed[severity.value]:
            top = failed[severity.value][0]
            ordered = [r for s in SEVERITY_ORDER for r in failed[s.value]]
            return VerdictSummary(
                verdict=Verdict(severity.value),
                evaluated=len(results),
                failed=counts,
                failed_total=sum(counts.values()),
                top_failing_rule=top.get("rule"),
                top_failing_expectation=top.get("expectation_type"),
                failing_rules=tuple(r.get("rule", "") for r in ordered),
            )
    return VerdictSummary(verdict=Verdict.PASS, evaluated=len(results), failed=counts)
