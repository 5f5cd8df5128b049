"""Readers: turn one delivered file into rows of raw strings, exactly as its format says.

A reader does three things and nothing more: decode the bytes with the encoding the source
system uses, split them into records with the source's own syntax (Salesforce CSV, French
ERP CSV, Workday JSON, a hand-edited workbook sheet), and check the file's shape against its
contract. A file that cannot be read as a whole raises ``SourceFileError``; a record that
cannot be read on its own (wrong number of fields, a non-string JSON value) is returned as a
quarantined record with its reason. Typing the strings is ``casting``'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import ParseError

from .contracts import SOURCES, FieldType, FileFormat, SourceFile
from .errors import SourceFileError

# A field of a record as delivered: a string, or None when absent or blank.
RawValue = str | None


@dataclass
class RawRecords:
    """The records of one file as strings, in file order, before typing.

    ``rows`` are aligned with the contract's fields; ``positions`` give each row's place in
    the file (CSV line, sheet row, or Report_Entry index, 1-based) so that every error and
    every raw row can be traced back to where a person finds it.
    """

    file: str
    sha256: str
    field_names: tuple[str, ...]
    rows: list[list[RawValue]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (position, reason, record)
    blank_rows_skipped: int = 0

    @property
    def records_read(self) -> int:
        """Every non-blank record the file holds: kept and rejected."""
        return len(self.rows) + len(self.rejected)


def read_records(source: SourceFile, path: Path, file: str) -> RawRecords:
    """Read ``path`` (named ``file`` in messages) as the contract ``source`` describes."""
    data = _read_bytes(path, file)
    sha256 = hashlib.sha256(data).hexdigest()
    if source.format is FileFormat.CSV:
        records = _read_csv(source, data, file)
    elif source.format is FileFormat.WORKDAY_JSON:
        records = _read_workday_json(source, data, file)
    else:
        records = _read_xlsx_sheet(source, path, data, sha256, file)
    records.sha256 = sha256
    if records.records_read == 0:
        raise SourceFileError(file, "has a header but no data rows")
    return records


def _read_bytes(path: Path, file: str) -> bytes:
    if not path.exists():
        raise SourceFileError(file, "file is missing")
    if not path.is_file():
        raise SourceFileError(file, "is not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(file, f"cannot be read ({exc.strerror})") from exc
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise SourceFileError(file, "file is empty")
    return data


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, encoding: str, file: str) -> str:
    """Decode strictly with the source's encoding; a wrong encoding is named, never guessed.

    The ERP sends Windows-1252, in which almost any byte sequence decodes: a file that is
    valid UTF-8 with non-ASCII characters was re-saved as UTF-8, and reading it as cp1252
    would silently turn 'é' into 'Ã©', so it is refused.
    """
    looks_utf8 = data.startswith(b"\xef\xbb\xbf") or (not data.isascii() and _is_utf8(data))
    if encoding == "cp1252" and looks_utf8:
        raise SourceFileError(
            file, "is encoded in UTF-8; the ERP export must be Windows-1252 (cp1252)"
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise SourceFileError(
            file,
            f"is not valid {label} at line {_line_of(data, exc.start)} "
            f"(byte 0x{data[exc.start]:02X})",
        ) from exc


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _shown(name: str) -> str:
    """A column or sheet name as a message shows it: on one line, control characters escaped
    (a stray quote can pull a line break into a header)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _check_header(source: SourceFile, header: list[str], file: str, where: str) -> list[int]:
    """Match a header to the contract; return, for each contract field, its column index."""
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in seen:
            raise SourceFileError(file, f"{where}has the column {_shown(name)} twice")
        seen[name] = index
    expected = source.field_names
    missing = [name for name in expected if name not in seen]
    unexpected = [name for name in header if name not in expected]
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected column(s) " + ", ".join(map(_shown, unexpected)))
    if problems:
        hint = ""
        if len(header) == 1 and source.format is FileFormat.CSV:
            hint = f" (the header has a single field: the separator must be '{source.delimiter}')"
        raise SourceFileError(file, f"{where}" + "; ".join(problems) + hint)
    return [seen[name] for name in expected]


def _read_csv(source: SourceFile, data: bytes, file: str) -> RawRecords:
    text = decode(data, source.encoding, file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter, strict=True)
    records = RawRecords(file=file, sha256="", field_names=source.field_names)
    try:
        header = next(reader)
        order = _check_header(source, [h.strip() for h in header], file, "")
        width = len(header)
        line = reader.line_num + 1
        for row in reader:
            if not row or all(not value.strip() for value in row):
                records.blank_rows_skipped += 1
            elif len(row) != width:
                records.rejected.append(
                    (
                        line,
                        f"expected {width} fields, found {len(row)}",
                        json.dumps(row, ensure_ascii=False),
                    )
                )
            else:
                records.rows.append([row[i] if row[i] != "" else None for i in order])
                records.positions.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        problem = f"malformed CSV at line {reader.line_num}: {exc}"
        if reader.line_num <= 1:
            problem += _separator_hint(text, source.delimiter)
        raise SourceFileError(file, problem) from exc
    return records


def _separator_hint(text: str, delimiter: str) -> str:
    first_line = text.split("\n", 1)[0]
    found = [sep for sep in ",;\t|" if sep != delimiter and sep in first_line]
    if delimiter not in first_line and found:
        return f" (the header has no '{delimiter}': the separator must be '{delimiter}')"
    return ""


def _read_workday_json(source: SourceFile, data: bytes, file: str) -> RawRecords:
    text = decode(data, "utf-8-sig", file)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(
            file, f"is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("Report_Entry"), list):
        raise SourceFileError(file, 'is not a Workday report: expected {"Report_Entry": [...]}')
    names = source.field_names
    records = RawRecords(file=file, sha256="", field_names=names)
    for index, entry in enumerate(document["Report_Entry"], start=1):
        if not isinstance(entry, dict):
            records.rejected.append(
                (index, "entry is not an object", json.dumps(entry, ensure_ascii=False))
            )
            continue
        unexpected = sorted(set(entry) - set(names))
        if unexpected:
            raise SourceFileError(
                file,
                f"Report_Entry {index} has unexpected field(s) "
                + ", ".join(map(_shown, unexpected)),
            )
        not_strings = [k for k, v in entry.items() if v is not None and not isinstance(v, str)]
        if not_strings:
            reason = "value(s) not sent as strings: " + ", ".join(sorted(not_strings))
            records.rejected.append(
                (index, reason, json.dumps(entry, default=str, ensure_ascii=False))
            )
            continue
        records.rows.append([entry.get(name) or None for name in names])
        records.positions.append(index)
    return records


def _cell_to_string(value: object, field_type: FieldType) -> RawValue:
    """A workbook cell as the string it would be in a text export.

    People type numbers as text (with trailing spaces) and Excel turns ``2026-04`` into a
    date: both are brought back to the text a CSV would carry, typing happens later.
    """
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        if field_type is FieldType.PERIOD:
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


# What a damaged workbook raises while a sheet is read: a bad checksum or a truncated
# stream in the zip, XML that is not well-formed, or (openpyxl parsing a cell of damaged
# XML that still parses) a number or a date that is not one. Found by tests/test_reader_fuzz.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, ValueError)


@dataclass
class _SheetRows:
    """A sheet's rows as openpyxl gave them, up to the damage that stopped the reading."""

    rows: list[tuple]
    damage: Exception | None = None

    def __iter__(self):
        yield from self.rows
        if self.damage is not None:
            raise self.damage


@dataclass
class _Workbook:
    key: tuple[str, str]  # the resolved path and the sha256 of the bytes parsed
    sheetnames: list[str]
    sheets: dict[str, _SheetRows]  # the contract's sheets of this file not yet handed out


# The last workbook parsed: its two contract sheets are two assets (two reads), and parsing
# the zip and its XML is the cost, so one parse serves both. A sheet is dropped once handed
# out, and the key carries the sha256, so a changed file is parsed again.
_last_workbook: _Workbook | None = None


def _read_xlsx_sheet(
    source: SourceFile, path: Path, data: bytes, sha256: str, file: str
) -> RawRecords:
    global _last_workbook
    key = (str(path.resolve()), sha256)
    cached = _last_workbook
    if cached is None or cached.key != key or source.sheet not in cached.sheets:
        cached = _last_workbook = _parse_workbook(source, data, key, file)
    sheet = cached.sheets.pop(source.sheet, None)
    try:
        return _read_sheet(source, cached.sheetnames, sheet, file)
    except _DAMAGED as exc:
        # read_only mode reads a sheet only when its rows are iterated: damage inside the
        # sheet's compressed XML shows here, not when the workbook is opened.
        raise SourceFileError(
            file, f"is a damaged .xlsx workbook: sheet {source.sheet} cannot be read"
        ) from exc


def _parse_workbook(source: SourceFile, data: bytes, key: tuple[str, str], file: str) -> _Workbook:
    """Every contract sheet of the file, parsed from the bytes already read for the hash."""
    from openpyxl import load_workbook  # only the targets workbook needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, *_DAMAGED) as exc:
        raise SourceFileError(file, "is not a readable .xlsx workbook") from exc
    try:
        parsed = _Workbook(key=key, sheetnames=list(workbook.sheetnames), sheets={})
        for name in _contract_sheets(source):
            if name not in parsed.sheetnames:
                continue
            sheet = parsed.sheets[name] = _SheetRows(rows=[])
            try:
                for row in workbook[name].iter_rows(values_only=True):
                    sheet.rows.append(row)
            except _DAMAGED as exc:
                sheet.damage = exc
    finally:
        workbook.close()
    return parsed


def _contract_sheets(source: SourceFile) -> list[str]:
    return [
        s.sheet
        for s in SOURCES
        if s.format is FileFormat.XLSX_SHEET and s.path_template == source.path_template
    ] or [source.sheet]


def _read_sheet(
    source: SourceFile, sheetnames: list[str], sheet: _SheetRows | None, file: str
) -> RawRecords:
    """The contract's sheet of a parsed workbook, as raw records."""
    if source.sheet not in sheetnames or sheet is None:
        raise SourceFileError(
            file,
            f"sheet {source.sheet} is missing (sheets found: " + ", ".join(sheetnames) + ")",
        )
    where = f"sheet {source.sheet}: "
    records = RawRecords(file=file, sha256="", field_names=source.field_names)
    types = [f.type for f in source.fields]
    order: list[int] | None = None
    for row_number, row in enumerate(sheet, start=1):
        cells = list(row)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            if order is not None:
                records.blank_rows_skipped += 1
            continue
        if order is None:
            header = [str(c).strip() if c is not None else "" for c in cells]
            while header and header[-1] == "":
                header.pop()  # formatted but empty columns to the right
            order = _check_header(source, header, file, where)
            width = len(header)
            continue
        extra = [c for c in cells[width:] if c is not None and str(c).strip()]
        if extra:
            records.rejected.append(
                (
                    row_number,
                    "values beyond the last column",
                    json.dumps(cells, default=str, ensure_ascii=False),
                )
            )
            continue
        cells += [None] * (width - len(cells))
        records.rows.append(
            [_cell_to_string(cells[i], t) for i, t in zip(order, types, strict=True)]
        )
        records.positions.append(row_number)
    if order is None:
        raise SourceFileError(file, f"{where}is empty")
    return records
