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


def checked_sql(source: SourceFile, strings: str, keep: tuple[str, ...] = ()) -> str:
    """The one typing query: every parse rule of the contract, applied to ``strings``.

    ``strings`` is a SQL relation with ``_source_row`` and the contract's fields as text
    (NULL for blank). The query yields ``_source_row``, ``_reason`` ('' when every value
    parses, else the reasons joined by '; '), the typed fields, ``_record`` (the JSON of the
    strings as delivered, for quarantined rows only: for every row it would hold another
    copy of the file) and the ``keep`` columns of ``strings`` unchanged. Both readers go
    through it, whether their strings come from Arrow or straight from DuckDB's CSV reader.
    """
    names = list(source.field_names)
    typed_exprs, reason_exprs = [], []
    for f in source.fields:
        value, typed, expected = _parse_rule(f)
        typed_exprs.append(f"{typed} AS {quote_identifier(f.name)}")
        if f.required:
            reason_exprs.append(f"CASE WHEN {value} IS NULL THEN '{f.name}: missing value' END")
        if f.type is not FieldType.TEXT:
            reason_exprs.append(
                f"CASE WHEN {value} IS NOT NULL AND ({typed}) IS NULL "
                f"THEN '{f.name}: expected {expected}' END"
            )
    reasons = "concat_ws('; ', " + ", ".join(reason_exprs or ["NULL"]) + ")"
    delivered = (
        "struct_pack("
        + ", ".join(f"{quote_identifier(n)} := s.{quote_identifier(n)}" for n in names)
        + ")"
    )
    kept = "".join(f", {quote_identifier(k)}" for k in keep)
    return (
        f"SELECT _source_row, _reason, {', '.join(quote_identifier(n) for n in names)}, "
        "CASE WHEN _reason <> '' THEN to_json(_delivered)::VARCHAR END AS _record"
        f"{kept} FROM (SELECT s._source_row, {reasons} AS _reason, {', '.join(typed_exprs)}, "
        f"{delivered} AS _delivered{kept} FROM ({strings}) AS s)"
    )
