"""Typing: raw strings to the contract's types, in one vectorised DuckDB query.

Each field type has one parse rule, written once here as SQL. A value that does not parse
is never turned into NULL silently: its row goes to quarantine with a reason that names the
field and the expected format (not the value, which may be personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ..sql_text import quote_identifier
from .contracts import Field, FieldType, SourceFile

_DECIMAL_TYPES = (FieldType.DECIMAL_DOT, FieldType.DECIMAL_COMMA, FieldType.DECIMAL_LOOSE)


def _parse_rule(field: Field) -> tuple[str, str, str]:
    """(the value to parse, the SQL that types it or yields NULL, the expected format)."""
    v = quote_identifier(field.name)
    t = field.type
    if t is FieldType.TEXT:
        return v, v, "text"
    if t is FieldType.BOOL:
        return v, f"CASE {v} WHEN 'true' THEN true WHEN 'false' THEN false END", "true or false"
    if t is FieldType.DATE_ISO:
        return (
            v,
            f"CASE WHEN regexp_full_match({v}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
            f"THEN try_strptime({v}, '%Y-%m-%d')::DATE END",
            "a date YYYY-MM-DD",
        )
    if t is FieldType.DATETIME_ISO:
        return (
            v,
            f"CASE WHEN regexp_full_match({v}, "
            f"'\\d{{4}}-\\d{{2}}-\\d{{2}}T\\d{{2}}:\\d{{2}}:\\d{{2}}(\\.\\d{{1,6}})?Z') "
            f"THEN try_cast(rtrim({v}, 'Z') AS TIMESTAMP) END",
            "an ISO 8601 UTC datetime",
        )
    if t is FieldType.DATE_DMY:
        return (
            v,
            f"CASE WHEN regexp_full_match({v}, '\\d{{2}}/\\d{{2}}/\\d{{4}}') "
            f"THEN try_strptime({v}, '%d/%m/%Y')::DATE END",
            "a date DD/MM/YYYY",
        )
    if t is FieldType.PERIOD:
        return (
            f"trim({v})",
            f"CASE WHEN regexp_full_match(trim({v}), '\\d{{4}}-(0[1-9]|1[0-2])') "
            f"THEN trim({v}) END",
            "a month YYYY-MM",
        )
    if t in _DECIMAL_TYPES:
        s = field.scale
        if t is FieldType.DECIMAL_DOT:
            text, shape = v, f"-?\\d+(\\.\\d{{1,{s}}})?"
            expected = f"a number with a decimal point and at most {s} decimals"
        elif t is FieldType.DECIMAL_COMMA:
            text, shape = f"replace({v}, ',', '.')", f"-?\\d+(\\.\\d{{1,{s}}})?"
            expected = f"a number with a decimal comma and at most {s} decimals"
            # A dot is not the ERP's decimal mark: refuse it rather than read 12.5 as 12.5.
            return (
                v,
                f"CASE WHEN regexp_full_match({v}, '-?\\d+(,\\d{{1,{s}}})?') "
                f"THEN try_cast({text} AS {field.sql_type}) END",
                expected,
            )
        else:
            # Hand-typed: spaces (also non-breaking) as thousands separators, comma or dot.
            text = f"replace(regexp_replace({v}, '[\\s\\x{{00A0}}\\x{{202F}}]', '', 'g'), ',', '.')"
            shape = f"-?\\d+(\\.\\d{{1,{s}}})?"
            expected = f"a number with at most {s} decimals"
        return (
            v,
            f"CASE WHEN regexp_full_match({text}, '{shape}') "
            f"THEN try_cast({text} AS {field.sql_type}) END",
            expected,
        )
    raise ValueError(f"no parse rule for {t}")


@dataclass
class TypedRecords:
    """A file's rows typed to the contract, and its quarantined rows with their reasons."""

    rows: pa.Table  # contract fields, typed, plus _source_row
    quarantine: pa.Table  # _source_row, reason, record (JSON of the strings as delivered)


QUARANTINE_SCHEMA = pa.schema(
    [("_source_row", pa.int64()), ("reason", pa.string()), ("record", pa.string())]
)


def _typed_name(field: Field) -> str:
    """The inner column holding ``field``'s typed value (its text keeps the field's name)."""
    return quote_identifier(f"_typed_{field.name}")


def checked_sql(source: SourceFile, strings: str, keep: tuple[str, ...] = ()) -> str:
    """The one typing query: every parse rule of the contract, applied to ``strings``.

    ``strings`` is a SQL relation with ``_source_row`` and the contract's fields as text
    (NULL for blank). The query yields ``_source_row``, ``_reason`` ('' when every value
    parses, else the reasons joined by '; '), the typed fields, ``_record`` (the JSON of the
    strings as delivered, for quarantined rows only: for every row it would hold another
    copy of the file) and the ``keep`` columns of ``strings`` unchanged. Both readers go
    through it, whether their strings come from Arrow or straight from DuckDB's CSV reader.

    Three levels, so that each parse rule runs once per value: DuckDB does not share a
    sub-expression between a column and a CASE that repeats it, and the regular expressions
    were half the cost of reading a million opportunities (benchmarks/RESULTS.md).
    """
    names = list(source.field_names)
    typed_exprs, reason_exprs, out = [], [], []
    for f in source.fields:
        value, typed, expected = _parse_rule(f)
        if f.required:
            reason_exprs.append(f"CASE WHEN {value} IS NULL THEN '{f.name}: missing value' END")
        if f.type is FieldType.TEXT:
            out.append(quote_identifier(f.name))
            continue
        typed_exprs.append(f"{typed} AS {_typed_name(f)}")
        reason_exprs.append(
            f"CASE WHEN {value} IS NOT NULL AND {_typed_name(f)} IS NULL "
            f"THEN '{f.name}: expected {expected}' END"
        )
        out.append(f"{_typed_name(f)} AS {quote_identifier(f.name)}")
    reasons = "concat_ws('; ', " + ", ".join(reason_exprs or ["NULL"]) + ")"
    delivered = (
        "struct_pack("
        + ", ".join(f"{quote_identifier(n)} := {quote_identifier(n)}" for n in names)
        + ")"
    )
    kept = "".join(f", {quote_identifier(k)}" for k in keep)
    typed_columns = "".join(f", {e}" for e in typed_exprs)
    return (
        f"SELECT _source_row, _reason, {', '.join(out)}, "
        f"CASE WHEN _reason <> '' THEN to_json({delivered})::VARCHAR END AS _record{kept} "
        f"FROM (SELECT *, {reasons} AS _reason "
        f"FROM (SELECT *{typed_columns} FROM ({strings}) AS s) AS typed) AS checked"
    )
