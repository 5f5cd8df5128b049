"""The fast CSV path answers only for well-formed files, and then exactly as the exact reader.

The fast path reads, types and stages a file inside DuckDB; the exact reader parses it in
Python. Loaded into a warehouse, both must give the same raw rows, quarantine (reasons,
JSON of the record, line numbers), provenance and file log, value for value. Every case the
fast path is unsure about must come back as None, so that the exact reader (its error
messages, quarantine reasons and line numbers) handles it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.contracts import SOURCES, SOURCES_BY_NAME, FileFormat, SourceFile
from dagster_project.ingest.loader import load_source_file, read_source_file
from dagster_project.ingest.staging import STAGED_ROWS, stage_csv_fast

CSV_SOURCES = [s for s in SOURCES if s.format is FileFormat.CSV]
LOADED_AT = dt.datetime(2026, 11, 2, 6, 0)
TABLES = ("{raw}", "raw.quarantine", "raw.source_file_log")


def _load_both_ways(
    tmp_path: Path, source: SourceFile, landing: Path, period: str
) -> dict[str, list[list[tuple]]]:
    """Each table after a load by the fast path, then by the exact reader (rows sorted)."""
    tmp_path.mkdir(exist_ok=True)
    found: dict[str, list[list[tuple]]] = {t: [] for t in TABLES}
    for fast in (True, False):
        conn = duckdb.connect(str(tmp_path / f"fast-{fast}.duckdb"))
        try:
            summary = load_source_file(conn, source, landing, period, LOADED_AT, fast=fast)
            assert summary.fast_path is fast
            for table in TABLES:
                name = table.format(raw=source.raw_table)
                found[table].append(conn.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall())
        finally:
            conn.close()
    return found


@pytest.mark.parametrize("period", ["2025-11", "2026-10"])
@pytest.mark.parametrize("source", CSV_SOURCES, ids=lambda s: s.name)
def test_same_rows_quarantine_and_provenance_as_the_exact_reader(
    tmp_path, sample_landing, source, period
):
    path, file = source.path(sample_landing, period), source.relative_path(period)
    if stage_csv_fast(duckdb.connect(), source, path, file) is None:
        # the one sample file the fast path leaves to the exact reader: cp1252-only bytes
        assert source.encoding == "cp1252" and any(0x80 <= b <= 0x9F for b in path.read_bytes())
        return
    found = _load_both_ways(tmp_path, source, sample_landing, period)
    for table, (fast, exact) in found.items():
        assert fast == exact, table
    assert found["{raw}"][0], "no rows loaded"


OPPORTUNITY = SOURCES_BY_NAME["crm__opportunity"]
INVOICES = SOURCES_BY_NAME["erp__facture"]


def _opportunity_file(tmp_path: Path, sample_landing: Path, edit) -> Path:
    lines = OPPORTUNITY.path(sample_landing, "2026-10").read_bytes().split(b"\r\n")
    path = tmp_path / "crm" / "2026-10" / "Opportunity.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\r\n".join(edit(lines)))
    return path


def _with_bad_values(lines: list[bytes]) -> list[bytes]:
    """Values that do not parse, a missing required one, text that needs quoting, accents."""
    edited = list(lines)
    edited[1] = edited[1].replace(b'"32500.00"', b'"32 500,00"')  # not a decimal point
    edited[5] = edited[5].replace(b'"2025-', b'"25/', 1)  # a date in the wrong format
    edited[7] = b'""' + edited[7][edited[7].index(b",") :]  # the Id missing
    edited[9] = edited[9].replace(b'"true"', b'"yes"', 1)  # not a Salesforce boolean
    edited[11] = edited[11].replace(b'","', b'","Soci\xc3\xa9t\xc3\xa9 ""A"", B ', 3)
    edited[13] = edited[13].replace(b'"100"', b'"  "', 1).replace(b'"USD"', b'""', 1)
    return edited


def test_quarantined_rows_are_identical_on_both_paths(tmp_path, sample_landing):
    _opportunity_file(tmp_path, sample_landing, _with_bad_values)
    found = _load_both_ways(tmp_path / "db", OPPORTUNITY, tmp_path, "2026-10")
    for table, (fast, exact) in found.items():
        assert fast == exact, table
    quarantine = found["raw.quarantine"][0]
    assert [(row[4], row[5]) for row in quarantine] == [
        (2, "Amount: expected a number with a decimal point and at most 2 decimals"),
        (6, "CloseDate: expected a date YYYY-MM-DD"),
        (8, "Id: missing value"),
        (10, "IsClosed: expected true or false"),
        (14, "Probability: expected a number with a decimal point and at most 2 decimals"),
    ]
    # the record as delivered: blank is null, spaces are kept, accents and quotes unescaped
    assert '"Id":null' in quarantine[2][6] and '"Probability":"  "' in quarantine[4][6]


def test_read_source_file_gives_the_same_arrow_on_both_paths(tmp_path, sample_landing):
    _opportunity_file(tmp_path, sample_landing, _with_bad_values)
    fast, fast_summary = read_source_file(OPPORTUNITY, tmp_path, "2026-10")
    exact, exact_summary = read_source_file(OPPORTUNITY, tmp_path, "2026-10", fast=False)
    assert fast.rows.equals(exact.rows) and fast.quarantine.equals(exact.quarantine)
    assert (fast_summary.fast_path, exact_summary.fast_path) == (True, False)
    assert {**vars(fast_summary), "fast_path": None} == {**vars(exact_summary), "fast_path": None}


@pytest.mark.parametrize(
    "edit",
    [
        lambda lines: [*lines[:3], lines[3] + b',"extra"', *lines[4:]],  # a field too many
        lambda lines: [*lines[:3], b"", *lines[3:]],  # a blank line
        lambda lines: [*lines[:3], b'"",' * 15 + b'""', *lines[3:]],  # a record of blanks
        lambda lines: [*lines[:3], b'" ",' * 15 + b'"\xc2\xa0"', *lines[3:]],  # spaces only
        lambda lines: [*lines[:3], lines[3].replace(b'","', b'\n","', 1), *lines[4:]],  # 2 lines
        lambda lines: [*lines[:3], lines[3].replace(b'","', b'"x","', 1), *lines[4:]],  # "a"x
        lambda lines: [*lines[:3], lines[3] + b"\r", *lines[4:]],  # a bare CR
        lambda lines: [lines[0].replace(b'"Amount"', b'"Montant"'), *lines[1:]],  # header
    ],
    ids=[
        "extra-field",
        "blank-line",
        "blank-record",
        "whitespace-record",
        "field-over-two-lines",
        "stray-quote",
        "bare-cr",
        "renamed-column",
    ],
)
def test_anything_unusual_is_left_to_the_exact_reader(tmp_path, sample_landing, edit):
    path = _opportunity_file(tmp_path, sample_landing, edit)
    conn = duckdb.connect()
    assert stage_csv_fast(conn, OPPORTUNITY, path, "crm/2026-10/Opportunity.csv") is None
    # nothing is left staged for the load to pick up by mistake
    assert conn.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{STAGED_ROWS}'"
    ).fetchone() == (0,)


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Société Générale", "utf-8"),  # re-saved as UTF-8: the exact reader refuses it
        ("Cahier d’été", "cp1252"),  # ’ is 0x92: cp1252 and latin-1 differ there
    ],
)
def test_erp_encodings_the_fast_path_cannot_vouch_for(tmp_path, text, encoding):
    header = "num_piece;type_piece;date_piece;code_client;ref_opportunite;montant_ht;devise;"
    row = f"FA1;FA;01/10/2026;{text};;10,00;EUR;;\n"
    path = tmp_path / "factures.csv"
    path.write_bytes((header + "date_echeance;date_reglement\n" + row).encode(encoding))
    assert stage_csv_fast(duckdb.connect(), INVOICES, path, "erp/2026-10/factures.csv") is None


def test_a_cp1252_file_with_accents_is_read_by_the_fast_path(tmp_path):
    header = "num_piece;type_piece;date_piece;code_client;ref_opportunite;montant_ht;devise;"
    row = "FA1;FA;01/10/2026;Société Générale;;10,00;EUR;;\n"
    path = tmp_path / "erp" / "2026-10" / "factures.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes((header + "date_echeance;date_reglement\n" + row).encode("cp1252"))
    typed, summary = read_source_file(INVOICES, tmp_path, "2026-10")
    assert summary.fast_path
    assert typed.rows.column("code_client").to_pylist() == ["Société Générale"]
    assert typed.rows.column("_source_row").to_pylist() == [2]
