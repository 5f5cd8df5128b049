"""A reviewed GX suite compiled into one SQL query, run where the table is.

Why not GX itself: GX validated pandas frames pulled out of DuckDB, about 5 s of GX machinery
per suite whatever the data, and a pull that grows with the period (over 10 GB at 10M
opportunities). GX's SQL datasource does not run on DuckDB either (see expectations/README.md,
"How the suites run"). So the suite file stays the reviewed source of the rules, and this
module turns each of its expectations into aggregate expressions over the period's rows: one
query per table, counts only. No cell value ever leaves the database, not even into this
process.

The results are GX's own: for every expectation type a suite may use
(``suites.EXPECTATION_KWARGS``) the counts and the success follow GX 1.24's SUMMARY result
on the pandas engine (which domain a row condition and ``ignore_row_if`` select, which rows
count as missing, how ``unexpected_percent`` and ``mostly`` are computed, when a check is
vacuously true). ``tests/test_suite_sql_reference.py`` proves it against GX on pandas, on the
sample periods and on bad-input variants, expectation by expectation.

Two deliberate differences, both stricter:

- regexes run in the database's engine (RE2 in DuckDB), searched like pandas'
  ``str.contains``; Python's ``$`` also matches before a final newline and ``\\d`` matches any
  Unicode digit, RE2's do not, so ``"E12\\n"`` fails ``^E\\d+$`` here and passed before;
- DECIMAL columns are compared as DECIMAL (GX compared the float64 the pull produced).

What the SQL looks like, per expectation (``c`` = its row condition, TRUE when it has none):

======================================== ==================================================
type                                     counts
======================================== ==================================================
table row count, column set              ``count(*)``; the columns from the catalogue
not null / null                          rows where ``c``; rows where ``c`` and (not) null
other column checks                      rows, nulls, and non-null rows failing the test
unique, compound unique                  rows in groups of more than one (a GROUP BY)
column pair checks                       rows, rows ignored, kept rows failing the test
======================================== ==================================================

A pandas ``row_condition`` (``weight_individual > 0``, ``status == "certified"``) is parsed
by a small grammar (comparisons of a column with a literal, ``and``, ``or``, ``not``,
parentheses) and translated with pandas' treatment of missing values (a comparison with a
missing value is False, ``!=`` is True). Anything else is refused when the suite is read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dagster_project.quality.suites import (
    TABLE_LEVEL_TYPES,
    SuiteError,
    expectation_columns,
)
from dagster_project.sql_text import quote_identifier, quote_text

# --------------------------------------------------------------------------------------
# SQL text: identifiers and literals
# --------------------------------------------------------------------------------------


def sql_literal(value: Any) -> str:
    """A suite value (text, number, boolean) as a SQL literal.

    Values are written into the query rather than bound, so that each expectation's
    expressions stand alone (see ``evaluate``); text is quoted with ``'`` doubled, numbers
    must be finite. Anything else (a date, a list) is refused: no suite uses it.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            raise SuiteError(f"value {value!r} is not a finite number")
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return quote_text(value)
    raise SuiteError(f"value {value!r} of type {type(value).__name__} cannot be compared in SQL")


def _value_list(values: Any) -> str:
    if not isinstance(values, list | tuple) or not values:
        raise SuiteError(f"value_set must be a non-empty list (got {values!r})")
    if any(v is None for v in values):
        raise SuiteError("value_set may not hold a null: missing values are judged by not-null")
    return ", ".join(sql_literal(v) for v in values)


# --------------------------------------------------------------------------------------
# Row conditions: pandas query syntax -> SQL
# --------------------------------------------------------------------------------------

_LEXEME = re.compile(
    r"""\s*(?:
        (?P<string>"[^"]*"|'[^']*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|>=|<=|>|<)
      | (?P<paren>[()])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_SQL_OPS = {"==": "=", "!=": "<>", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def _lexemes(condition: str) -> list[tuple[str, str]]:
    lexemes: list[tuple[str, str]] = []
    pos = 0
    text = condition.rstrip()
    while pos < len(text):
        match = _LEXEME.match(text, pos)
        if match is None or match.end() == pos:
            raise SuiteError(f"row_condition {condition!r}: cannot read it at {text[pos:]!r}")
        kind = match.lastgroup or ""
        lexemes.append((kind, match.group(kind)))
        pos = match.end()
    return lexemes


class _ConditionParser:
    """``or`` of ``and`` of [``not``] (comparison | parenthesised condition).

    A comparison is ``column <op> literal`` (text, number, True or False). Its SQL form
    follows pandas: a missing value makes ``==``, ``<``... False and ``!=`` True.
    """

    def __init__(self, condition: str) -> None:
        self.condition = condition
        self.lexemes = _lexemes(condition)
        self.pos = 0

    def parse(self) -> str:
        sql = self._or()
        if self.pos != len(self.lexemes):
            raise self._error("unexpected text after the condition")
        return sql

    def _error(self, why: str) -> SuiteError:
        return SuiteError(
            f"row_condition {self.condition!r}: {why} (supported: comparisons of a column "
            "with a literal, and, or, not, parentheses)"
        )

    def _peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def _take(self) -> tuple[str, str]:
        lexeme = self._peek()
        if lexeme is None:
            raise self._error("the condition ends too early")
        self.pos += 1
        return lexeme

    def _keyword(self, word: str) -> bool:
        if self._peek() == ("name", word):
            self.pos += 1
            return True
        return False

    def _or(self) -> str:
        parts = [self._and()]
        while self._keyword("or"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._not()]
        while self._keyword("and"):
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _not(self) -> str:
        if self._keyword("not"):
            return f"(NOT {self._not()})"
        if self._peek() == ("paren", "("):
            self.pos += 1
            inner = self._or()
            if self._take() != ("paren", ")"):
                raise self._error("a parenthesis is not closed")
            return inner
        return self._comparison()

    def _comparison(self) -> str:
        kind, column = self._take()
        if kind != "name" or column in {"and", "or", "not", "True", "False"}:
            raise self._error(f"expected a column name, got {column!r}")
        kind, op = self._take()
        if kind != "op":
            raise self._error(f"expected a comparison after {column!r}")
        kind, text = self._take()
        if kind == "string":
            literal = sql_literal(text[1:-1])
        elif kind == "number":
            literal = text
        elif (kind, text) in {("name", "True"), ("name", "False")}:
            literal = text.upper()
        else:
            raise self._error(f"expected a literal after {column} {op}, got {text!r}")
        missing_is = "TRUE" if op == "!=" else "FALSE"
        return f"coalesce({quote_identifier(column)} {_SQL_OPS[op]} {literal}, {missing_is})"


def row_condition_sql(condition: str | None) -> str:
    """The SQL predicate selecting the rows a pandas ``row_condition`` selects (TRUE if none)."""
    if condition is None:
        return "TRUE"
    if not isinstance(condition, str) or not condition.strip():
        raise SuiteError(f"row_condition {condition!r} must be a non-empty text")
    return _ConditionParser(condition).parse()


# --------------------------------------------------------------------------------------
# One expectation -> aggregate expressions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledExpectation:
    """The SELECT expressions of one expectation (``name -> SQL``) and how to read them.

    ``kind`` says which GX result shape the counts give: ``nullness`` (not null / null:
    no missing count), ``column`` (nulls are missing, only filled values are judged),
    ``domain`` (pairs and column lists: rows ignored by ``ignore_row_if`` are missing),
    ``row_count`` and ``column_set`` (table-level: only ``observed_value``).
    """

    index: int
    kind: str
    expressions: Mapping[str, str]
    mostly: float


def _alias(index: int, what: str) -> str:
    return f"e{index}_{what}"


def _count(where: str) -> str:
    return f"count(*) FILTER (WHERE {where})"


def _duplicated_rows(relation_sql: str, columns: Sequence[str], where: str) -> str:
    """Rows of ``relation_sql`` (restricted by ``where``) whose values of ``columns`` occur
    more than once: pandas' ``duplicated(keep=False)``, which counts every row of a repeated
    group (missing values are equal to each other there, as in a GROUP BY)."""
    keys = ", ".join(quote_identifier(c) for c in columns)
    return (
        f"(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {relation_sql} "
        f"WHERE {where} GROUP BY {keys} HAVING count(*) > 1) AS repeated)"
    )


def _not_null(column: str) -> str:
    return f"{quote_identifier(column)} IS NOT NULL"


def _column_test(etype: str, kwargs: Mapping[str, Any]) -> str:
    """The SQL test a filled value of ``kwargs['column']`` must pass (never NULL on one)."""
    col = quote_identifier(kwargs["column"])
    if etype == "expect_column_values_to_be_in_set":
        return f"{col} IN ({_value_list(kwargs['value_set'])})"
    if etype == "expect_column_values_to_not_be_in_set":
        return f"{col} NOT IN ({_value_list(kwargs['value_set'])})"
    if etype == "expect_column_values_to_match_regex":
        return f"regexp_matches(CAST({col} AS VARCHAR), {sql_literal(kwargs['regex'])})"
    if etype == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if low is None and high is None:
            raise SuiteError("min_value and max_value cannot both be None")
        if low is not None and high is not None and low > high:
            raise SuiteError("min_value cannot be greater than max_value")
        tests = []
        if low is not None:
            tests.append(f"{col} {'>' if kwargs.get('strict_min') else '>='} {sql_literal(low)}")
        if high is not None:
            tests.append(f"{col} {'<' if kwargs.get('strict_max') else '<='} {sql_literal(high)}")
        return " AND ".join(tests)
    raise SuiteError(f"{etype} is not a column value test")


_PAIR_IGNORE = {
    "both_values_are_missing": "{a} IS NULL AND {b} IS NULL",
    "either_value_is_missing": "({a} IS NULL OR {b} IS NULL)",
    "neither": "FALSE",
}
_LIST_IGNORE: dict[str, Callable[[list[str]], str]] = {
    "all_values_are_missing": lambda cols: " AND ".join(f"{c} IS NULL" for c in cols),
    "any_value_is_missing": lambda cols: "(" + " OR ".join(f"{c} IS NULL" for c in cols) + ")",
    "never": lambda cols: "FALSE",
}


def compile_expectation(
    index: int, expectation: Mapping[str, Any], relation_sql: str
) -> CompiledExpectation:
    """The aggregate expressions of one expectation whose ``$PARAMETER``s are resolved.

    ``relation_sql`` is the period's rows as a FROM item (a name or a subquery); the
    uniqueness checks read it in a subquery of their own.
    """
    etype = expectation["type"]
    kwargs = expectation["kwargs"]
    mostly = float(kwargs.get("mostly", 1.0))
    where = row_condition_sql(kwargs.get("row_condition"))
    a = lambda what: _alias(index, what)  # noqa: E731 - a short name for the aliases below

    if etype == "expect_table_row_count_to_be_between":
        return CompiledExpectation(index, "row_count", {a("rows"): "count(*)"}, mostly)
    if etype == "expect_table_columns_to_match_set":
        return CompiledExpectation(index, "column_set", {}, mostly)
    if etype in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null"):
        col = quote_identifier(kwargs["column"])
        bad = f"{col} IS NULL" if etype.endswith("not_be_null") else f"{col} IS NOT NULL"
        return CompiledExpectation(
            index,
            "nullness",
            {a("rows"): _count(where), a("unexpected"): _count(f"{where} AND {bad}")},
            mostly,
        )
    if etype.startswith("expect_column_values_to_"):
        column = kwargs["column"]
        filled = f"{where} AND {_not_null(column)}"
        if etype == "expect_column_values_to_be_unique":
            unexpected = _duplicated_rows(relation_sql, [column], filled)
        else:
            unexpected = _count(f"{filled} AND NOT coalesce({_column_test(etype, kwargs)}, FALSE)")
        return CompiledExpectation(
            index,
            "column",
            {
                a("rows"): _count(where),
                a("missing"): _count(f"{where} AND {quote_identifier(column)} IS NULL"),
                a("unexpected"): unexpected,
            },
            mostly,
        )
    if etype in (
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
    ):
        col_a, col_b = quote_identifier(kwargs["column_A"]), quote_identifier(kwargs["column_B"])
        ignore_if = kwargs.get("ignore_row_if", "both_values_are_missing")
        if ignore_if not in _PAIR_IGNORE:
            raise SuiteError(f"ignore_row_if {ignore_if!r} is not one GX knows for a pair")
        kept = f"{where} AND NOT ({_PAIR_IGNORE[ignore_if].format(a=col_a, b=col_b)})"
        if etype == "expect_column_pair_values_to_be_equal":
            test = f"{col_a} = {col_b}"
        else:
            test = f"{col_a} {'>=' if kwargs.get('or_equal') else '>'} {col_b}"
        return CompiledExpectation(
            index,
            "domain",
            {
                a("rows"): _count(where),
                a("kept"): _count(kept),
                a("unexpected"): _count(f"{kept} AND NOT coalesce({test}, FALSE)"),
            },
            mostly,
        )
    if etype == "expect_compound_columns_to_be_unique":
        columns = list(kwargs["column_list"])
        ignore_if = kwargs.get("ignore_row_if", "all_values_are_missing")
        if ignore_if not in _LIST_IGNORE:
            raise SuiteError(f"ignore_row_if {ignore_if!r} is not one GX knows for a list")
        ignored = _LIST_IGNORE[ignore_if]([quote_identifier(c) for c in columns])
        kept = f"{where} AND NOT ({ignored})"
        return CompiledExpectation(
            index,
            "domain",
            {
                a("rows"): _count(where),
                a("kept"): _count(kept),
                a("unexpected"): _duplicated_rows(relation_sql, columns, kept),
            },
            mostly,
        )
    raise SuiteError(f"expectation type {etype!r} has no SQL form")


# --------------------------------------------------------------------------------------
# Counts -> GX's SUMMARY result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """What GX's SUMMARY result holds for one expectation, values excluded."""

    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    missing_count: int | None = None
    observed_value: int | list[str] | None = None


def _mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    if considered == 0:
        return True  # GX: vacuously true
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


def map_counts(kind: str, mostly: float, values: Mapping[str, int], index: int) -> Counts:
    """GX's ``_format_map_output`` for the counts of one map expectation."""
    rows = int(values[_alias(index, "rows")])
    unexpected = int(values[_alias(index, "unexpected")])
    if kind == "nullness":  # GX has no missing count here: nulls are what is judged
        percent = unexpected / rows * 100 if rows > 0 else None
        return Counts(_mostly_success(rows, unexpected, mostly), rows, unexpected, percent)
    considered = rows - int(values[_alias(index, "missing")]) if kind == "column" else None
    if kind == "domain":
        considered = int(values[_alias(index, "kept")])
    assert considered is not None
    percent = unexpected / considered * 100 if rows > 0 and considered > 0 else None
    return Counts(
        _mostly_success(considered, unexpected, mostly),
        rows,
        unexpected,
        percent,
        rows - considered,
    )


def table_counts(expectation: Mapping[str, Any], row_count: int, columns: Sequence[str]) -> Counts:
    """GX's result of a table-level expectation: success and ``observed_value`` only."""
    kwargs = expectation["kwargs"]
    if expectation["type"] == "expect_table_row_count_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        ok = (low is None or row_count >= low) and (high is None or row_count <= high)
        return Counts(success=ok, observed_value=row_count)
    expected = set(kwargs["column_set"])
    actual = set(columns)
    ok = actual == expected if kwargs.get("exact_match", True) else expected <= actual
    return Counts(success=ok, observed_value=sorted(columns))  # GX lists them sorted


def is_table_level(expectation: Mapping[str, Any]) -> bool:
    return expectation["type"] in TABLE_LEVEL_TYPES


def missing_columns(expectation: Mapping[str, Any], table_columns: Sequence[str]) -> list[str]:
    """The columns an expectation reads that the table does not have (GX raises on them)."""
    present = set(table_columns)
    return [c for c in expectation_columns(expectation) if c not in present]
