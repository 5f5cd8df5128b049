"""Property-based fuzzing of the readers: whatever bytes arrive, a reader either returns
typed rows plus quarantined rows that account for every record it read, or raises the
project's own input error (``SourceFileError``, naming the file). Never another exception,
never a row lost.

Inputs: random bytes, random bytes behind a valid header, and random mutations of the
sample's own files (bytes inserted, deleted or replaced, lines repeated or swapped, fields
replaced, JSON values of any type, workbook cells of any type). Runtime is kept small
(``max_examples``), and the draws are derandomized so that a failure replays.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.ingest.contracts import SOURCES_BY_NAME, SourceFile
from dagster_project.ingest.errors import SourceFileError
from dagster_project.ingest.loader import read_source_file
from dagster_project.settings import SAMPLE_LANDING

PERIOD = "2026-10"
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CSV_SOURCES = ("crm__opportunity", "erp__facture", "sales_ops__evaluation", "hris__learning")


def _sample_bytes(source: str, lines: int | None = 40) -> bytes:
    """The start of the sample's file (its first ``lines`` lines): small, hence fast."""
    data = (SAMPLE_LANDING / SOURCES_BY_NAME[source].relative_path(PERIOD)).read_bytes()
    if lines is None:
        return data
    return b"".join(data.splitlines(keepends=True)[:lines])


def check_reader(source: SourceFile, data: bytes) -> None:
    """The property: counts that add up, or SourceFileError naming the file."""
    with tempfile.TemporaryDirectory(prefix="perfgov-fuzz-") as folder:
        path = source.path(Path(folder), PERIOD)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        try:
            typed, summary = read_source_file(source, Path(folder), PERIOD)
        except SourceFileError as refused:
            assert str(refused).startswith(source.relative_path(PERIOD) + ": ")
            assert refused.problem and "\n" not in refused.problem
            return
    assert summary.records_read == summary.rows_loaded + summary.rows_quarantined > 0
    assert typed.rows.num_rows == summary.rows_loaded
    assert typed.quarantine.num_rows == summary.rows_quarantined
    assert typed.rows.column_names == [*source.field_names, "_source_row"]
    assert all(typed.quarantine.column("reason").to_pylist())
    positions = typed.rows.column("_source_row").to_pylist()
    positions += typed.quarantine.column("_source_row").to_pylist()
    assert len(set(positions)) == len(positions), "a record was counted twice"


# --- random bytes -------------------------------------------------------------------------

NASTY = st.sampled_from(
    [b'"', b",", b";", b"\n", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xe9", b"\xc3\xa9", b"\xff",
     b"\x81", b" ", b"{", b"}", b"[", b"]", b"null", b"1e999", b"-", b"/", b"\t", b"PK\x03\x04"]
)  # fmt: skip
JUNK = st.lists(st.one_of(NASTY, st.binary(max_size=8)), max_size=60).map(b"".join)


@FUZZ
@given(source=st.sampled_from(CSV_SOURCES), data=st.one_of(st.binary(max_size=400), JUNK))
def test_random_bytes_as_a_csv_file(source: str, data: bytes) -> None:
    check_reader(SOURCES_BY_NAME[source], data)


@FUZZ
@given(source=st.sampled_from(CSV_SOURCES), body=JUNK)
def test_random_bytes_behind_a_valid_header(source: str, body: bytes) -> None:
    header = _sample_bytes(source, lines=1)
    check_reader(SOURCES_BY_NAME[source], header + body)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), JUNK))
def test_random_bytes_as_a_workday_report(data: bytes) -> None:
    check_reader(SOURCES_BY_NAME["hris__worker"], b'{"Report_Entry": [' + data)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), JUNK))
def test_random_bytes_as_a_workbook(data: bytes) -> None:
    check_reader(SOURCES_BY_NAME["sales_ops__individual_quota"], data)


# --- mutations of the sample's own files ------------------------------------------------


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with a few random edits: bytes inserted, deleted, replaced; lines repeated."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "swap"]))
        # Replacing keeps the length: in a zip (a workbook), damage then stays inside one
        # member's compressed data instead of breaking the directory.
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "insert":
            data = data[:at] + draw(NASTY) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == "replace":
            new = draw(st.binary(min_size=1, max_size=4))
            data = data[:at] + new + data[at + len(new) :]
        else:
            lines = data.splitlines(keepends=True)
            if len(lines) > 2:
                i = draw(st.integers(1, len(lines) - 1))
                j = draw(st.integers(1, len(lines) - 1))
                if kind == "repeat":
                    lines.insert(j, lines[i])
                else:
                    lines[i], lines[j] = lines[j], lines[i]
                data = b"".join(lines)
    return data


@FUZZ
@given(data=st.data(), source=st.sampled_from(CSV_SOURCES))
def test_mutations_of_a_sample_csv_file(data: st.DataObject, source: str) -> None:
    check_reader(SOURCES_BY_NAME[source], data.draw(mutated(_sample_bytes(source))))


@FUZZ
@given(data=st.data())
def test_byte_mutations_of_the_sample_workday_report(data: st.DataObject) -> None:
    report = _sample_bytes("hris__worker", lines=200)  # truncated: refused, or mutated valid
    whole = _sample_bytes("hris__worker", lines=None)
    check_reader(SOURCES_BY_NAME["hris__worker"], data.draw(mutated(data.draw(
        st.sampled_from([report, whole])))))  # fmt: skip


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_random_values_in_the_sample_workday_report(data: st.DataObject) -> None:
    source = SOURCES_BY_NAME["hris__worker"]
    document = json.loads(_sample_bytes("hris__worker", lines=None))
    entries = document["Report_Entry"][:10]
    for _ in range(data.draw(st.integers(1, 6))):
        entry = data.draw(st.sampled_from(entries))
        field = data.draw(st.sampled_from([*source.field_names, "Extra"]))
        if data.draw(st.booleans()):
            entry.pop(field, None)
        else:
            entry[field] = data.draw(JSON_VALUES)
    if data.draw(st.booleans()):
        entries.append(data.draw(JSON_VALUES))
    document["Report_Entry"] = entries
    check_reader(source, json.dumps(document, ensure_ascii=False).encode("utf-8"))


CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["2026-10", "45000 ", "42 500", "45000,00", "=1+1", " E10001 "]),
)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=12))
def test_random_cells_in_the_targets_workbook(rows: list[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    sheet = book.active
    sheet.title = "Quotas_Individuels"
    sheet.append(["Employee_ID", "Mois", "Quota_EUR"])
    for row in rows:
        try:
            sheet.append(row)
        except IllegalCharacterError:  # openpyxl itself cannot write these: no such file
            continue
    buffer = io.BytesIO()
    book.save(buffer)
    check_reader(SOURCES_BY_NAME["sales_ops__individual_quota"], buffer.getvalue())


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=3))
def test_damaged_bytes_in_the_sample_workbook(flips: list[tuple[float, int]]) -> None:
    # Bytes changed in place (a bad disk, a bad transfer): the zip's directory still opens,
    # the damage is met inside a member's compressed data when its sheet is read.
    data = bytearray(_sample_bytes("sales_ops__individual_quota", lines=None))
    for where, mask in flips:
        at = min(int(where * len(data)), len(data) - 1)
        data[at] ^= mask
    check_reader(SOURCES_BY_NAME["sales_ops__individual_quota"], bytes(data))
