"""Where a close's time goes: cProfile of the close process, and dbt's own node timings.

Runs ``perfgov close PERIOD`` in a fresh home under cProfile (Dagster executes every step in
this process; dbt runs in a child process, seen here as waiting, hence its run_results.json),
then prints the functions that cost the most and the slowest dbt nodes.

Usage: python benchmarks/profile_close.py LANDING PERIOD HOME [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _dbt_nodes(since: float, top: int) -> list[str]:
    """The slowest nodes of the dbt invocation(s) this close started."""
    lines = []
    for results in (REPO / "dbt" / "target").glob("*/run_results.json"):
        if results.stat().st_mtime < since:
            continue
        doc = json.loads(results.read_text())
        nodes = sorted(doc["results"], key=lambda r: -r["execution_time"])
        by_kind: dict[str, float] = {}
        for node in nodes:
            kind = node["unique_id"].split(".")[0]
            by_kind[kind] = by_kind.get(kind, 0) + node["execution_time"]
        lines.append(
            f"dbt {results.parent.name}: elapsed {doc['elapsed_time']:.1f} s, {len(nodes)} nodes, "
            + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(by_kind.items()))
        )
        lines += [f"  {n['execution_time']:6.2f} s  {n['unique_id']}" for n in nodes[:top]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("period")
    parser.add_argument("home", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, help="also save the raw profile here")
    args = parser.parse_args(argv)
    if args.home.exists():
        shutil.rmtree(args.home)
    sys.path.insert(0, str(REPO))
    started = time.time()
    profiler = cProfile.Profile()
    profiler.enable()
    from dagster_project.cli import main as perfgov

    code = perfgov(["close", args.period, "--landing", str(args.landing), "--home", str(args.home)])
    profiler.disable()
    print(f"close exit code {code}, wall {time.time() - started:.1f} s")
    if args.save:
        profiler.dump_stats(args.save)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(f"--- top {args.top} by {order}")
        print(out.getvalue().split("\n\n", 2)[-1])
    print("\n".join(_dbt_nodes(started, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
