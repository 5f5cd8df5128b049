"""The Excel export written by DuckDB: what finance opens in Excel must hold the certified
values exactly, typed (text stays text, decimals keep their places, dates are dates)."""

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
from openpyxl import load_workbook

from dagster_project.certify import xlsx_export

ROWS = """
SELECT * FROM (VALUES
    (1, 'E<1> & "co"', '=SUM(A1:A9)', 1234.50::DECIMAL(18, 2), 0.123456::DECIMAL(18, 6),
     DATE '2026-10-31', TIMESTAMP '2026-10-31 13:45:10', true, 2.5::DOUBLE, '  x' || chr(1)),
    (2, NULL, '#N/A', -0.01::DECIMAL(18, 2), NULL, NULL, NULL, false, NULL, 'é€\ny')
) AS t(n, customer, formula_like, amount_eur, ratio, day, stamped_at, flag, score, note)
ORDER BY n"""


def test_values_types_and_formats_survive_the_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    xlsx_export.write_xlsx(duckdb.connect(), {"lines": ROWS, "none": f"{ROWS} LIMIT 0"}, path)
    book = load_workbook(path)
    assert book.sheetnames == ["lines", "none"]
    sheet = book["lines"]
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "n", "customer", "formula_like", "amount_eur", "ratio", "day", "stamped_at", "flag",
        "score", "note",
    ]  # fmt: skip
    assert rows[1] == [
        1, 'E<1> & "co"', "=SUM(A1:A9)", 1234.5, 0.123456, dt.datetime(2026, 10, 31),
        dt.datetime(2026, 10, 31, 13, 45, 10), True, 2.5, "  x\ufffd",
    ]  # fmt: skip
    assert rows[2] == [2, None, "#N/A", -0.01, None, None, None, False, None, "é€\ny"]
    second = next(sheet.iter_rows(min_row=2, max_row=2))
    assert [c.data_type for c in second[1:3]] == ["s", "s"]  # text, never a formula
    assert [c.number_format for c in second[3:7]] == [
        "0.00", "0.000000", "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss",
    ]  # fmt: skip
    assert [[c.value for c in row] for row in book["none"].iter_rows()] == [rows[0]]
    # Read-only mode trusts the sheet's dimension: it must cover every column and row.
    fast = load_workbook(path, read_only=True)
    assert [list(r) for r in fast["lines"].iter_rows(values_only=True)][2][9] == "é€\ny"
    assert fast["lines"].max_row == 3 and fast["lines"].max_column == 10


def test_a_table_longer_than_a_sheet_continues_and_the_file_is_reproducible(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(xlsx_export, "EXCEL_MAX_ROWS", 4)  # a header and three rows
    conn = duckdb.connect()
    query = "SELECT i, (i * 1.5)::DECIMAL(10, 1) AS x FROM range(7) r(i) ORDER BY i"
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    xlsx_export.write_xlsx(conn, {"t": query}, first)
    xlsx_export.write_xlsx(conn, {"t": query}, second)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    assert digest[0] == digest[1]
    book = load_workbook(first)
    assert book.sheetnames == ["t", "t_2", "t_3"]
    values = [[[c.value for c in r] for r in book[s].iter_rows()] for s in book.sheetnames]
    assert values == [
        [["i", "x"], [0, 0], [1, 1.5], [2, 3]],
        [["i", "x"], [3, 4.5], [4, 6], [5, 7.5]],
        [["i", "x"], [6, 9]],
    ]
    assert book["t"]["B3"].number_format == "0.0"
