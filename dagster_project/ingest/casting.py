"""Typing: raw strings to the contract's types, in one vectorised DuckDB pass.

Each field type has one parse rule, written once here as SQL. A value that does not parse
is never turned into NULL silently: its row goes to quarantine with a reason that names the
field and the expected format (not the value, which may be personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from .contracts import Field, FieldType, SourceFile
from .readers import RawRecords

_DECIMAL_TYPES = (FieldType.DECIMAL_DOT, FieldType.DECIMAL_COMMA, FieldType.DECIMAL_LOOSE)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parse_rule(field: Field) -> tuple[str, str, str]:
    """(the value to parse, the SQL that types it or yields NULL, the expected format)."""
    v = _q(field.name)
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


def cast_records(source: SourceFile, records: RawRecords) -> TypedRecords:
    """Type every kept record; rows with any value that does not parse go to quarantine."""
    names = list(source.field_names)
    columns = {name: [row[i] for row in records.rows] for i, name in enumerate(names)}
    strings = pa.table(
        {"_source_row": pa.array(records.positions, pa.int64())}
        | {name: pa.array(values, pa.string()) for name, values in columns.items()}
    )
    return cast_strings(source, strings, records.rejected)


def cast_strings(
    source: SourceFile, strings: pa.Table, rejected_records: list[tuple[int, str, str]]
) -> TypedRecords:
    """Type a table of strings (``_source_row`` and the contract's fields, None for blank).

    ``rejected_records`` are the records the reader could not split, quarantined as they are.
    """
    names = list(source.field_names)
    typed_exprs, reason_exprs = [], []
    for f in source.fields:
        value, typed, expected = _parse_rule(f)
        typed_exprs.append(f"{typed} AS {_q(f.name)}")
        if f.required:
            reason_exprs.append(f"CASE WHEN {value} IS NULL THEN '{f.name}: missing value' END")
        if f.type is not FieldType.TEXT:
            reason_exprs.append(
                f"CASE WHEN {value} IS NOT NULL AND ({typed}) IS NULL "
                f"THEN '{f.name}: expected {expected}' END"
            )
    reasons = "concat_ws('; ', " + ", ".join(reason_exprs or ["NULL"]) + ")"
    # The record as delivered (JSON of its strings) is built for quarantined rows only, from
    # the strings: building it for every row held a third copy of the file in memory.
    record_json = "to_json(struct_pack(" + ", ".join(f"{_q(n)} := s.{_q(n)}" for n in names) + "))"
    conn = duckdb.connect()
    try:
        conn.register("strings", strings)
        conn.execute(
            f"CREATE TEMP TABLE checked AS SELECT _source_row, {reasons} AS _reason, "
            f"{', '.join(typed_exprs)} FROM strings"
        )
        rows = conn.sql(
            f"SELECT {', '.join(_q(n) for n in names)}, _source_row FROM checked "
            "WHERE _reason = '' ORDER BY _source_row"
        ).to_arrow_table()
        bad = conn.sql(
            f"SELECT c._source_row, c._reason AS reason, {record_json} AS record "
            "FROM checked AS c JOIN strings AS s USING (_source_row) "
            "WHERE c._reason <> '' ORDER BY c._source_row"
        ).to_arrow_table()
    finally:
        conn.close()
    rejected = pa.table(
        {
            "_source_row": pa.array([r[0] for r in rejected_records], pa.int64()),
            "reason": pa.array([r[1] for r in rejected_records], pa.string()),
            "record": pa.array([r[2] for r in rejected_records], pa.string()),
        }
    )
    quarantine = pa.concat_tables([rejected, bad.cast(QUARANTINE_SCHEMA)]).sort_by("_source_row")
    return TypedRecords(rows=rows, quarantine=quarantine)


def quarantine_summary(quarantine: pa.Table) -> dict[str, int]:
    """Quarantined rows counted by reason: safe for logs (reasons never carry values)."""
    counts: dict[str, int] = {}
    for reason in quarantine.column("reason").to_pylist():
        counts[reason] = counts.get(reason, 0) + 1
    return dict(sorted(counts.items()))
