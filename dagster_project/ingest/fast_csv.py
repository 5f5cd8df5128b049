"""A fast path for well-formed CSV files: DuckDB's reader instead of a Python loop per row.

Why: the exact reader (``readers._read_csv``) builds a Python list of strings per row and
casting transposes them into Arrow, which at a million opportunities took most of a close
and, at ten million, more memory than the machine has (benchmarks/RESULTS.md). A file that
is well formed needs none of the per-row care the exact reader gives to broken ones: here
DuckDB reads, types (``casting.checked_sql``) and stages it in one statement, and the rows
never exist in Python.

So this path only answers for files on which both readers provably agree
(``staging.stage_csv_fast`` returns ``None`` for anything else, which then goes through the
exact reader, with its messages, quarantine reasons and line numbers):

- the encoding is read the same way: UTF-8 (BOM or not) is validated by DuckDB and by the
  byte scan (the exact reader's strict decoder); a cp1252 file is read as latin-1 only when
  it has no byte in 0x80-0x9F (the only bytes where the two differ) and is not valid
  non-ASCII UTF-8 (which the exact reader refuses);
- lines end with LF or CRLF only, and every line but the header is exactly one record (the
  number of records equals the number of lines), so a record's line number is its rank + 1;
- the header is on line 1 and matches the contract (checked by the exact reader's function);
- DuckDB in strict mode accepts every record with the header's number of fields (a wrong
  number of fields, a stray quote, a field over two lines: all fall back);
- no record is blank (the exact reader skips and counts those; they fall back too).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from .contracts import FileFormat, SourceFile
from .readers import _check_header

_CHUNK = 16 << 20
# Deleting every byte but 0x80-0x9F leaves the bytes where cp1252 and latin-1 differ:
# a C loop, ten times faster than a regex search.
_ALL_BUT_CP1252_ONLY = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
# Python's str.strip() whitespace, so that "blank record" means what the exact reader means.
_BLANK = (
    r"[\s\x{000B}\x{001C}-\x{001F}\x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}"
    r"\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]*"
)


@dataclass(frozen=True)
class CsvPlan:
    """How DuckDB reads a file whose header matches the contract.

    ``sql`` (with ``params``) is a relation of the records as strings: ``_source_row``, the
    contract's fields (NULL for blank) and ``_blank`` (the record is blank). What DuckDB
    finds must then agree with the bytes (``ByteScan``): see ``bytes_allow``.
    """

    sql: str
    params: list[str]


@dataclass
class ByteScan:
    """Facts about a file's bytes, from one streamed pass, and its hash."""

    sha256: str
    newlines: int
    ends_with_newline: bool
    bare_cr: bool
    cp1252_only_bytes: bool
    ascii: bool
    utf8: bool

    @property
    def records(self) -> int:
        """The number of records after the header if every line is one record."""
        return self.newlines - 1 + (0 if self.ends_with_newline else 1)


def scan_bytes(path: Path) -> ByteScan:
    """One streamed pass over the bytes: hash, line ends and encoding facts, in C loops."""
    digest = hashlib.sha256()
    newlines = carriage_returns = crlf = 0
    cp1252_only = False
    is_ascii = True
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    previous = b""
    with open(path, "rb") as data:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            carriage_returns += chunk.count(b"\r")
            crlf += chunk.count(b"\r\n") + (previous == b"\r" and chunk[:1] == b"\n")
            cp1252_only = cp1252_only or bool(chunk.translate(None, _ALL_BUT_CP1252_ONLY))
            is_ascii = is_ascii and chunk.isascii()
            if is_utf8 and not is_ascii:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            previous = chunk[-1:]
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    return ByteScan(
        sha256=digest.hexdigest(),
        newlines=newlines,
        ends_with_newline=previous == b"\n",
        bare_cr=carriage_returns != crlf,
        cp1252_only_bytes=cp1252_only,
        ascii=is_ascii,
        utf8=is_utf8,
    )


def _header(path: Path, encoding: str, delimiter: str) -> list[str] | None:
    """The first line's fields, parsed as the exact reader parses them; None if unsure."""
    with open(path, "rb") as data:
        first = data.readline(1 << 20)
    try:
        text = first.decode("utf-8-sig" if encoding.startswith("utf-8") else "cp1252")
    except UnicodeDecodeError:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration):
        return None
    return [h.strip() for h in header]


def bytes_allow(source: SourceFile, scan: ByteScan) -> bool:
    """Whether the bytes are ones both readers read the same way (module docstring)."""
    if scan.bare_cr or scan.newlines < 2:
        return False
    if source.encoding == "cp1252":
        return not scan.cp1252_only_bytes and (scan.ascii or not scan.utf8)
    return source.encoding.startswith("utf-8") and scan.utf8


def plan_csv_fast(source: SourceFile, path: Path, file: str) -> CsvPlan | None:
    """DuckDB's reading of the file if its header allows one, else None.

    What DuckDB then finds still has to agree with the bytes (``bytes_allow``, the number of
    records, no blank record, no strict-mode error): ``staging`` checks that and falls back
    to the exact reader when they differ.
    """
    if source.format is not FileFormat.CSV or not path.is_file():
        return None
    if source.encoding == "cp1252":
        duckdb_encoding = "latin-1"  # equal to cp1252 where bytes_allow lets a file through
    elif source.encoding.startswith("utf-8"):
        duckdb_encoding = "utf-8"
    else:
        return None
    header = _header(path, source.encoding, source.delimiter)
    if header is None or not header or header[0] == "":
        return None
    try:
        order = _check_header(source, header, file, "")
    except Exception:  # the exact reader names the problem
        return None
    width = len(header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    names = source.field_names
    select = ", ".join(f'c{index} AS "{name}"' for index, name in zip(order, names, strict=True))
    # Nested CASEs: the next field is looked at only when the previous ones were blank, so
    # the check costs one regex per record, not one per field.
    blank = "true"
    for name in reversed(names):
        blank = (
            f"CASE WHEN regexp_full_match(coalesce(\"{name}\", ''), '{_BLANK}') "
            f"THEN {blank} ELSE false END"
        )
    # One sequential scan (parallel = false) in file order, numbered as it streams: the
    # header is line 1, so the record of rank i (from 1) is on line i + 1.
    sql = (
        f"SELECT row_number() OVER () + 1 AS _source_row, *, {blank} AS _blank FROM ("
        f"SELECT {select} FROM read_csv(?, columns = {columns}, header = false, skip = 1, "
        "auto_detect = false, delim = ?, quote = '\"', escape = '\"', strict_mode = true, "
        "null_padding = false, encoding = ?, all_varchar = true, parallel = false))"
    )
    return CsvPlan(sql=sql, params=[str(path), source.delimiter, duckdb_encoding])
