"""What the gates cost as a period grows: the suites compiled to SQL against GX on pandas.

Two measurements, each in a child process of its own so that its peak RSS is its own:

- ``--rows N ...``: the biggest raw table (crm__opportunity, 21 expectations) built from the
  bundled sample's 2026-10 opportunities replicated with fresh Ids up to N rows, in a
  throwaway warehouse; its suite validated by the gates (``sql``) and, with ``--gx``, by
  the former path, GX 1.24 on the minimised pandas pull (``tests/gx_reference.py``).
- ``--warehouse PATH``: every raw suite on the period of a warehouse a close already loaded
  (e.g. a benchmark home, ``/tmp/perfgov-bench/home-1m/warehouse.duckdb``), one line per
  suite, the way the gates stage runs them.

    python3 -m uv run python benchmarks/gx_gate_path.py --rows 100000 1000000 --gx
    python3 -m uv run python benchmarks/gx_gate_path.py --warehouse W --period 2026-10 --gx

Results are printed as markdown tables (the figures in expectations/README.md come from it).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.loader import load_source_file
from dagster_project.settings import SAMPLE_LANDING

PERIOD = "2026-10"
SOURCE = "crm__opportunity"


def build(warehouse: Path, rows: int) -> None:
    """``raw.crm__opportunity`` of PERIOD with ``rows`` rows, the sample's replicated."""
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


def measure(engine: str, warehouse: str, suite_name: str, period: str) -> dict[str, float]:
    """One suite, one way, in this process: seconds, rows and peak RSS (the child's)."""
    from dagster_project.quality.suites import read_suite

    suite = read_suite(suite_name)
    if engine == "gx":
        import great_expectations  # noqa: F401 - paid once per close, not per suite: untimed
    started = time.perf_counter()
    with duckdb.connect(warehouse, read_only=True) as conn:
        if engine == "sql":
            from dagster_project.quality.gx_validation import evaluate_suite

            rows, outcomes = evaluate_suite(conn, suite, suite.table, period, {})
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.gx_reference import reference_outcomes

            rows, outcomes = reference_outcomes(conn, suite, suite.table, period)
    seconds = time.perf_counter() - started
    failed = sum(not o.success for o in outcomes)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "failed": failed, "peak_mb": peak}


def in_child(engine: str, warehouse: Path, suite: str, period: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(warehouse), suite, period],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _cell(result: dict[str, float] | None) -> str:
    if result is None:
        return "- | -"
    return f"{result['seconds']:.2f} s | {result['peak_mb']:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[])
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--period", default=PERIOD)
    parser.add_argument("--gx", action="store_true", help="also time GX on pandas (before)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    header = "| SQL (gates) | SQL peak RSS | GX on pandas | GX peak RSS |"
    if args.rows:
        print(f"| rows {header}\n|---:|---:|---:|---:|---:|")
        for rows in args.rows:
            with tempfile.TemporaryDirectory() as tmp:
                warehouse = Path(tmp) / "warehouse.duckdb"
                build(warehouse, rows)
                sql = in_child("sql", warehouse, SOURCE, PERIOD)
                gx = in_child("gx", warehouse, SOURCE, PERIOD) if args.gx else None
                print(f"| {sql['rows']:,.0f} | {_cell(sql)} | {_cell(gx)} |", flush=True)
    if args.warehouse:
        print(f"| suite | rows {header}\n|---|---:|---:|---:|---:|---:|")
        totals = [0.0, 0.0]
        for name in sorted(SOURCES_BY_NAME):
            sql = in_child("sql", args.warehouse, name, args.period)
            gx = in_child("gx", args.warehouse, name, args.period) if args.gx else None
            totals[0] += sql["seconds"]
            totals[1] += gx["seconds"] if gx else 0.0
            print(f"| {name} | {sql['rows']:,.0f} | {_cell(sql)} | {_cell(gx)} |", flush=True)
        print(f"| total | | {totals[0]:.2f} s | | {totals[1]:.2f} s | |")


if __name__ == "__main__":
    main()
