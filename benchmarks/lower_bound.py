"""Run the lower bound (lower_bound.sql) on one period's landing zone and print its result.

The script is plain DuckDB SQL; this wrapper only fills its placeholders and hands it the
targets workbook's two quota sheets, read with openpyxl (DuckDB reads no xlsx offline).
Usage: python benchmarks/lower_bound.py LANDING PERIOD OUT_DIR  (prints one JSON line).
"""

from __future__ import annotations

import calendar
import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

SCRIPT = Path(__file__).with_name("lower_bound.sql")


def _sheet_as_strings(path: Path, sheet: str) -> pa.Table:
    """A quota sheet as a table of strings (what the sheet holds, cells as text)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook[sheet].iter_rows(values_only=True)
        header = [str(c).strip() for c in next(rows) if c is not None]
        columns: list[list[str | None]] = [[] for _ in header]
        for row in rows:
            if all(c is None for c in row):
                continue
            for values, cell in zip(columns, row, strict=False):
                values.append(None if cell is None else str(cell))
    finally:
        workbook.close()
    return pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)}
    )


def run(landing: Path, period: str, out: Path) -> dict:
    year, month = int(period[:4]), int(period[5:7])
    last_day = calendar.monthrange(year, month)[1]
    out.mkdir(parents=True, exist_ok=True)
    script = SCRIPT.read_text(encoding="utf-8")
    placeholders = {
        "landing": str(landing),
        "period": period,
        "period_start": f"{period}-01",
        "period_end": f"{period}-{last_day:02d}",
        "out": str(out),
    }
    for name, value in placeholders.items():  # not str.format: the SQL has regex braces
        script = script.replace("{" + name + "}", value)
    workbook = landing / "sales_ops" / f"{year}" / f"objectifs_{year}.xlsx"
    conn = duckdb.connect()
    try:
        conn.register("quota_individual_sheet", _sheet_as_strings(workbook, "Quotas_Individuels"))
        conn.register("quota_team_sheet", _sheet_as_strings(workbook, "Quotas_Equipe"))
        gates, blocks, payout_rows, held, payouts, gap = conn.execute(script).fetchone()
    finally:
        conn.close()
    return {
        "gate_failures": int(gates),
        "block_findings": int(blocks),
        "payout_rows": int(payout_rows),
        "held_rows": int(held),
        "payouts_eur": str(payouts),
        "reconciliation_gap_eur": str(gap),
    }


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))))
