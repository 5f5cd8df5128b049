"""How the GX gate path scales: one raw suite on a large period, pandas batch from DuckDB.

Why this script: GX's SQL datasource fails on DuckDB ("list index out of range"), so the
gates validate pandas frames read from DuckDB through Arrow, pulling only the columns the
suite reads (values), presence flags for null-ness-only columns, and constant NULLs for the
rest (dagster_project/quality/gx_validation.py). This measures what that costs as a period
grows: the pull (DuckDB -> Arrow -> pandas), GX's validation, and the peak RSS, for the
biggest raw table (crm__opportunity), against plain SQL that counts the same failures.

    python3 -m uv run python benchmarks/gx_gate_path.py --rows 100000 1000000

It builds a throwaway warehouse in a temporary folder from the bundled sample's 2026-10
opportunities, replicated with fresh Ids up to each size. Results are printed as a
markdown table (the numbers in benchmarks/README.md were taken with it).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.loader import load_source_file
from dagster_project.quality.gx_validation import validate_raw_table
from dagster_project.resources import Warehouse
from dagster_project.settings import SAMPLE_LANDING

PERIOD = "2026-10"
SOURCE = "crm__opportunity"

# Comparable counts in one SQL scan: keys, required fields, codes, ranges, the Id format
# (what a pushdown of the suite into DuckDB would cost).
SQL_EQUIVALENT = """
SELECT count(*) AS rows,
    count(*) - count(DISTINCT "Id") AS duplicate_ids,
    count(*) FILTER (WHERE "Id" IS NULL OR "AccountId" IS NULL OR "OwnerId" IS NULL
                     OR "StageName" IS NULL OR "CloseDate" IS NULL) AS missing,
    count(*) FILTER (WHERE "StageName" NOT IN ('Prospecting', 'Qualification', 'Proposal',
                     'Negotiation', 'Closed Won', 'Closed Lost')) AS unknown_stage,
    count(*) FILTER (WHERE "Amount" < 0) AS negative_amount,
    count(*) FILTER (WHERE NOT regexp_full_match("Id", '006[A-Za-z0-9]{15}')) AS bad_id
FROM raw.crm__opportunity WHERE _period = ?
"""


def build(warehouse: Path, rows: int) -> None:
    with duckdb.connect(str(warehouse)) as conn:
        load_source_file(conn, SOURCES_BY_NAME[SOURCE], SAMPLE_LANDING, PERIOD)
        base = conn.execute("SELECT count(*) FROM raw.crm__opportunity").fetchone()[0]
        copies = max(0, -(-rows // base) - 1)
        conn.execute(
            "INSERT INTO raw.crm__opportunity SELECT o.* REPLACE ("
            "'006' || lpad(to_hex(c * 1000000 + _source_row), 15, '0') AS \"Id\", "
            "_source_row + c * 100000 AS _source_row) "
            "FROM raw.crm__opportunity AS o, range(1, ? + 1) AS t(c)",
            [copies],
        )
        conn.execute(
            "DELETE FROM raw.crm__opportunity WHERE rowid IN (SELECT rowid FROM "
            "raw.crm__opportunity ORDER BY _source_row DESC LIMIT greatest(0, "
            "(SELECT count(*) FROM raw.crm__opportunity) - ?))",
            [rows],
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print("| rows | pull (s) | GX validate (s) | GX total (s) | SQL equivalent (s) | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Path(tmp) / "warehouse.duckdb"
            build(warehouse, rows)
            started = time.perf_counter()
            result = validate_raw_table(Warehouse(path=str(warehouse)), SOURCE, PERIOD)
            total = time.perf_counter() - started
            started = time.perf_counter()
            with duckdb.connect(str(warehouse), read_only=True) as conn:
                conn.execute(SQL_EQUIVALENT, [PERIOD]).fetchall()
            sql = time.perf_counter() - started
            print(
                f"| {result.row_count:,} | {result.read_seconds:.2f} | "
                f"{result.validate_seconds:.2f} | {total:.2f} | {sql:.2f} | {peak_rss_mb():,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
