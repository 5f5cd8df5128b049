"""The fast CSV path answers only for well-formed files, and then exactly as the exact reader.

Every case it is unsure about must come back as None, so that the exact reader (its error
messages, quarantine reasons and line numbers) handles it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.ingest.casting import cast_records, cast_strings
from dagster_project.ingest.contracts import SOURCES, SOURCES_BY_NAME, FileFormat
from dagster_project.ingest.fast_csv import read_csv_fast
from dagster_project.ingest.readers import read_records

CSV_SOURCES = [s for s in SOURCES if s.format is FileFormat.CSV]


@pytest.mark.parametrize("period", ["2025-11", "2026-10"])
@pytest.mark.parametrize("source", CSV_SOURCES, ids=lambda s: s.name)
def test_same_rows_quarantine_and_hash_as_the_exact_reader(sample_landing, source, period):
    path, file = source.path(sample_landing, period), source.relative_path(period)
    fast = read_csv_fast(source, path, file)
    if fast is None:
        # the one sample file the fast path leaves to the exact reader: cp1252-only bytes
        assert source.encoding == "cp1252" and any(0x80 <= b <= 0x9F for b in path.read_bytes())
        return
    records = read_records(source, path, file)
    exact = cast_records(source, records)
    typed = cast_strings(source, fast.strings, [])
    assert typed.rows.equals(exact.rows)
    assert typed.quarantine.equals(exact.quarantine)
    assert fast.sha256 == records.sha256
    assert fast.strings.num_rows == records.records_read


OPPORTUNITY = SOURCES_BY_NAME["crm__opportunity"]
INVOICES = SOURCES_BY_NAME["erp__facture"]


def _opportunity_file(tmp_path: Path, sample_landing: Path, edit) -> Path:
    lines = OPPORTUNITY.path(sample_landing, "2026-10").read_bytes().split(b"\r\n")
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(b"\r\n".join(edit(lines)))
    return path


@pytest.mark.parametrize(
    "edit",
    [
        lambda lines: [*lines[:3], lines[3] + b',"extra"', *lines[4:]],  # a field too many
        lambda lines: [*lines[:3], b"", *lines[3:]],  # a blank line
        lambda lines: [*lines[:3], b'"",' * 15 + b'""', *lines[3:]],  # a record of blanks
        lambda lines: [*lines[:3], lines[3].replace(b'","', b'\n","', 1), *lines[4:]],  # 2 lines
        lambda lines: [*lines[:3], lines[3].replace(b'","', b'"x","', 1), *lines[4:]],  # "a"x
        lambda lines: [*lines[:3], lines[3] + b"\r", *lines[4:]],  # a bare CR
        lambda lines: [lines[0].replace(b'"Amount"', b'"Montant"'), *lines[1:]],  # header
    ],
    ids=[
        "extra-field",
        "blank-line",
        "blank-record",
        "field-over-two-lines",
        "stray-quote",
        "bare-cr",
        "renamed-column",
    ],
)
def test_anything_unusual_is_left_to_the_exact_reader(tmp_path, sample_landing, edit):
    path = _opportunity_file(tmp_path, sample_landing, edit)
    assert read_csv_fast(OPPORTUNITY, path, "crm/2026-10/Opportunity.csv") is None


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
    assert read_csv_fast(INVOICES, path, "erp/2026-10/factures.csv") is None


def test_a_cp1252_file_with_accents_is_read_by_the_fast_path(tmp_path):
    header = "num_piece;type_piece;date_piece;code_client;ref_opportunite;montant_ht;devise;"
    row = "FA1;FA;01/10/2026;Société Générale;;10,00;EUR;;\n"
    path = tmp_path / "factures.csv"
    path.write_bytes((header + "date_echeance;date_reglement\n" + row).encode("cp1252"))
    fast = read_csv_fast(INVOICES, path, "erp/2026-10/factures.csv")
    assert fast is not None
    assert fast.strings.column("code_client").to_pylist() == ["Société Générale"]
    assert fast.strings.column("_source_row").to_pylist() == [2]
