"""The close against its lower bound, per size: wall time and peak memory, stage by stage.

For each size (opportunities per CRM snapshot) the runner writes a landing zone with
``dagster_project.sample.scale`` (once, kept under the work folder), then, ``--runs`` times
each and in the same run:

- ``perfgov close PERIOD`` in a fresh home (a subprocess, as a data engineer runs it);
- the lower bound ``benchmarks/lower_bound.py`` (plain DuckDB SQL, same files, same
  payouts, same checks), whose payouts are compared with the certified ones to the cent.

Memory is the resident set of the whole process tree (the close starts dbt as a child
process), sampled every 0.1 s from /proc. Stage times come from the Dagster run's step
events; the calculation's share of ``dbt build`` from the dbt node timings in the close log.
The fixed overhead is a close of the bundled sample's first period in a fresh home.
Medians of the runs go to the results block of ``benchmarks/RESULTS.md``.

Usage (from the repository): ``python3 -m uv run python benchmarks/run.py`` (see README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
RESULTS = BENCH / "RESULTS.md"
BUNDLED_LANDING = REPO / "dagster_project" / "sample" / "landing"
BUNDLED_PERIOD = "2025-11"  # the first sample period: closable in a fresh home
START_MARK = "<!-- results:start (written by benchmarks/run.py) -->"
END_MARK = "<!-- results:end -->"

STAGES = ("startup", "ingestion", "gates", "dbt build", "calculation", "publication", "reports")
# dbt models of the calculation (dbt/models/*/incentives/): their node times are the
# "calculation" stage, the rest of the dbt step is "dbt build".
CALCULATION_MODELS = {path.stem for path in (REPO / "dbt" / "models").glob("*/incentives/*.sql")}
_DBT_MODEL_DONE = re.compile(r"OK created sql \w+ model \w+\.(\w+) \.+ \[.*?in ([\d.]+)s\]")
_RUN_ID = re.compile(r"run ([0-9a-f-]{36})")

SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


# --- measuring a process tree -------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            kids += [int(k) for k in task.read_text().split()]
    return kids


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _tree_rss(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_bytes(pid)
        stack += _children(pid)
    return total


@dataclass
class Measured:
    wall_s: float
    peak_rss: int
    returncode: int
    stdout: str
    samples: list[tuple[float, int]] = field(default_factory=list)

    def peak_between(self, start: float, end: float) -> int:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside, default=0)


RSS_LIMIT = 0  # bytes; 0: none. Set by --rss-limit-gb so that a run cannot take the machine.


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``command``, sampling the resident memory of its whole process tree.

    Over ``RSS_LIMIT`` the tree is killed (the machine is shared): the run is then reported
    as killed, with the stage it had reached.
    """
    samples: list[tuple[float, int]] = []
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
        start_new_session=True,  # its own process group, so that a kill reaches dbt too
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = _tree_rss(process.pid)
            samples.append((time.time(), rss))
            if RSS_LIMIT and rss > RSS_LIMIT:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                return
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    return Measured(
        wall, max((s for _, s in samples), default=0), process.returncode, stdout, samples
    )


# --- one close ----------------------------------------------------------------------------


def _step_windows(home: Path, run_id: str) -> dict[str, tuple[float, float]]:
    """(start, end) of every step of the run, from the Dagster instance of the home."""
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    windows: dict[str, list[float]] = {}
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster"))) as instance:
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                windows[event.step_key] = [entry.timestamp, entry.timestamp]
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                windows.setdefault(event.step_key, [entry.timestamp, entry.timestamp])[1] = (
                    entry.timestamp
                )
    return {key: (start, end) for key, (start, end) in windows.items()}


def _last_run_id(home: Path) -> str | None:
    """The run of a close that was killed before it printed its summary."""
    if not (home / "dagster").is_dir():
        return None
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster"))) as instance:
        runs = instance.get_runs(limit=1)
    return runs[0].run_id if runs else None


def _stage_of(step_key: str) -> str:
    if "_gx_" in step_key:  # raw suites on raw__* and mart suites on marts__*
        return "gates"
    if step_key.startswith("raw__") or step_key.startswith("plan_"):
        return "ingestion"
    if "dbt" in step_key:
        return "dbt build"
    if step_key.startswith("certified__"):
        return "publication"
    if step_key.startswith("reports__"):
        return "reports"
    return "other"


def _calculation_seconds(log: Path) -> float:
    text = log.read_text(encoding="utf-8", errors="replace")
    return sum(
        float(s) for model, s in _DBT_MODEL_DONE.findall(text) if model in CALCULATION_MODELS
    )


def _certified_gap(home: Path, period: str) -> Decimal | None:
    """The certified reconciliation gap (invoiced - booked, EUR) of the period."""
    path = home / "certified" / period / "reconciliation.csv"
    if not path.exists():
        return None
    import csv

    with open(path, encoding="utf-8") as rows:
        return Decimal(next(csv.DictReader(rows))["gap_eur"])


def _certified_payouts(home: Path, period: str) -> Decimal | None:
    path = home / "certified" / period / "incentive_payouts.csv"
    if not path.exists():
        return None
    import csv

    with open(path, encoding="utf-8") as rows:
        return sum(
            (Decimal(r["payout_eur"]) for r in csv.DictReader(rows) if r["status"] == "certified"),
            Decimal(0),
        )


def run_close(landing: Path, period: str, home: Path) -> dict:
    """One ``perfgov close`` in a fresh home: wall, peak RSS, and per stage time and peak."""
    if home.exists():
        shutil.rmtree(home)
    perfgov = str(Path(sys.executable).with_name("perfgov"))
    measured = measure([perfgov, "close", period, "--landing", str(landing), "--home", str(home)])
    result: dict = {
        "wall_s": measured.wall_s,
        "peak_rss": measured.peak_rss,
        "returncode": measured.returncode,
        "certified": measured.returncode == 0,
        "payouts_eur": None,
        "stages": {},
    }
    if measured.returncode != 0:
        result["error"] = measured.stdout.strip().splitlines()[-3:]
        if measured.returncode == -signal.SIGKILL:
            result["error"] = [f"killed at {_gb(measured.peak_rss)} (--rss-limit-gb)"]
    match = _RUN_ID.search(measured.stdout)
    run_id = match.group(1) if match else _last_run_id(home)
    if run_id is None:
        return result
    windows = _step_windows(home, run_id)
    if measured.returncode != 0 and measured.samples:  # a killed step never ended: its end
        killed_at = measured.samples[-1][0]  # is the last sample
        windows = {k: (a, b if b > a else killed_at) for k, (a, b) in windows.items()}
    if measured.returncode != 0 and windows:
        last = max(windows, key=lambda key: windows[key][0])
        result["error"] = [*result.get("error", []), f"last step started: {last}"]
    stages: dict[str, dict[str, float]] = {s: {"s": 0.0, "peak_rss": 0} for s in STAGES}
    for key, (start, end) in windows.items():
        stage = stages.setdefault(_stage_of(key), {"s": 0.0, "peak_rss": 0})
        stage["s"] += end - start
        stage["peak_rss"] = max(stage["peak_rss"], measured.peak_between(start, end))
    calculation = _calculation_seconds(home / "logs" / f"close-{period}.log")
    stages["calculation"]["s"] = calculation
    stages["dbt build"]["s"] -= calculation
    stages["calculation"]["peak_rss"] = stages["dbt build"]["peak_rss"]
    in_steps = sum(end - start for start, end in windows.values())
    stages["startup"]["s"] = measured.wall_s - in_steps  # imports, manifest, checks, summary
    first = min(start for start, _ in windows.values())
    stages["startup"]["peak_rss"] = measured.peak_between(0, first)
    result["stages"] = stages
    result["payouts_eur"] = _certified_payouts(home, period)
    result["reconciliation_gap_eur"] = _certified_gap(home, period)
    return result


def run_lower_bound(landing: Path, period: str, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    measured = measure(
        [sys.executable, str(BENCH / "lower_bound.py"), str(landing), period, str(out)]
    )
    if measured.returncode != 0:
        raise RuntimeError("lower bound failed:\n" + measured.stdout)
    answer = json.loads(measured.stdout.strip().splitlines()[-1])
    return {"wall_s": measured.wall_s, "peak_rss": measured.peak_rss} | answer


# --- the table ----------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _landing_facts(landing: Path, period: str) -> dict:
    import duckdb

    crm = landing / "crm" / period
    erp = landing / "erp" / period
    with duckdb.connect() as conn:
        invoices = conn.execute(
            f"SELECT count(*) FROM read_csv('{erp / 'factures.csv'}', delim=';', header=true, "
            "all_varchar=true, encoding='latin-1')"
        ).fetchone()[0]
        opportunities = conn.execute(
            f"SELECT count(*) FROM read_csv('{crm / 'Opportunity.csv'}', header=true, "
            "all_varchar=true)"
        ).fetchone()[0]
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    return {"opportunities": opportunities, "invoices": invoices, "bytes": size}


def machine() -> list[str]:
    import dagster
    import dbt.version
    import duckdb

    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    from importlib.metadata import version

    return [
        f"- CPU: {os.cpu_count()} cores ({cpu}); RAM {int(mem) / 1e6:.1f} GB; {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}, DuckDB {duckdb.__version__}, dbt-core "
        f"{dbt.version.__version__}, dbt-duckdb {version('dbt-duckdb')}, Dagster "
        f"{dagster.__version__}, Great Expectations {version('great_expectations')}, pandas "
        f"{version('pandas')}",
    ]


def _runs_per_figure(results: dict, args: argparse.Namespace) -> str:
    """'median of 3 run(s) per figure', or the runs of each figure when they differ (a
    size re-measured with --merge keeps its own count)."""
    default = results.get("runs", args.runs)
    counts = {size: entry.get("runs", default) for size, entry in results["sizes"].items()}
    if results.get("fixed"):
        counts["fixed overhead"] = results["fixed"].get("runs", default)
    if len(set(counts.values())) <= 1:
        return f"median of {default} run(s) per figure"
    return "median of the runs of each figure: " + ", ".join(
        f"{name} {n}" for name, n in counts.items()
    )


def render(results: dict, args: argparse.Namespace) -> str:
    lines = [
        START_MARK,
        "",
        f"Measured {results['date']} with `benchmarks/run.py` (sizes "
        f"{', '.join(results['sizes'])}; {_runs_per_figure(results, args)}).",
        "",
        *machine(),
    ]
    if args.note:
        lines += ["", f"**Conditions:** {args.note}"]
    fixed = results.get("fixed")
    if fixed:
        lines += [
            "",
            f"**Fixed overhead** (a close of the bundled sample period {BUNDLED_PERIOD} in a "
            f"fresh home): {fixed['wall_s']:.1f} s, peak RSS {_gb(fixed['peak_rss'])}.",
        ]
    lines += [
        "",
        "| size | opportunities | invoices | files | close | lower bound | ratio | "
        "ratio, fixed overhead excluded | close peak RSS | lower bound peak RSS | "
        "same payouts and reconciliation |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size in results["sizes"]:
        r = results["sizes"][size]
        facts, close, lb = r["facts"], r["close"], r["lower_bound"]
        if close.get("skipped"):
            lines.append(
                f"| {size} | {facts['opportunities']:,} | {facts['invoices']:,} | "
                f"{_gb(facts['bytes'])} | not run: {close['skipped']} | | | | | | |"
            )
            continue
        excluded = "n/a"  # under contention a small close can take less than the sample's
        if fixed and close["wall_s"] > fixed["wall_s"]:
            excluded = f"{(close['wall_s'] - fixed['wall_s']) / lb['wall_s']:.1f}x"
        if not close["certified"]:
            lines.append(
                f"| {size} | {facts['opportunities']:,} | {facts['invoices']:,} "
                f"| {_gb(facts['bytes'])} | **failed** after {close['wall_s']:.1f} s: "
                f"{close.get('error', '?')} | {lb['wall_s']:.1f} s | - | - "
                f"| {_gb(close['peak_rss'])} | {_gb(lb['peak_rss'])} | - |"
            )
            continue
        status = ""
        lines.append(
            f"| {size} | {facts['opportunities']:,} | {facts['invoices']:,} "
            f"| {_gb(facts['bytes'])} "
            f"| {close['wall_s']:.1f} s{status} | {lb['wall_s']:.1f} s "
            f"| {close['wall_s'] / lb['wall_s']:.1f}x | {excluded} "
            f"| {_gb(close['peak_rss'])} | {_gb(lb['peak_rss'])} | {r['same_payouts']} |"
        )
    lines += [
        "",
        "Stages of the close (seconds, and peak RSS of the process tree during the stage):",
        "",
        "| size | " + " | ".join(STAGES) + " |",
        "|---|" + "---:|" * len(STAGES),
    ]
    for size, r in results["sizes"].items():
        stages = r["close"].get("stages")
        if not stages:
            continue
        cells = [f"{stages[s]['s']:.1f} s / {_gb(stages[s]['peak_rss'])}" for s in STAGES]
        lines.append(f"| {size} | " + " | ".join(cells) + " |")
    if fixed and fixed.get("stages"):
        cells = [
            f"{fixed['stages'][s]['s']:.1f} s / {_gb(fixed['stages'][s]['peak_rss'])}"
            for s in STAGES
        ]
        lines.append(f"| sample {BUNDLED_PERIOD} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "`startup`: the wall time outside the Dagster steps (imports, dbt manifest, order "
        "checks, run set-up and summary). `calculation`: the dbt node times of the incentive "
        "models, taken out of `dbt build`. The lower bound is `benchmarks/lower_bound.sql`.",
        "",
        END_MARK,
    ]
    return "\n".join(lines)


def write_results(block: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START_MARK in text and END_MARK in text:
        before, rest = text.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        text = before + block + after
    else:
        text = "# Benchmark results\n\n" + block + "\n" + text
    RESULTS.write_text(text, encoding="utf-8")


def _median_run(runs: list[dict]) -> dict:
    """The medians of every figure across runs (a failed run is reported as such)."""
    failed = [r for r in runs if not r.get("certified", True)]
    if failed:
        return failed[0] | {"error": "; ".join(failed[0].get("error", []))}
    out = dict(runs[0])
    out["wall_s"] = _median([r["wall_s"] for r in runs])
    out["peak_rss"] = _median([r["peak_rss"] for r in runs])
    if "stages" in runs[0]:
        out["stages"] = {
            s: {
                "s": _median([r["stages"][s]["s"] for r in runs]),
                "peak_rss": _median([r["stages"][s]["peak_rss"] for r in runs]),
            }
            for s in STAGES
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma list of 100k, 1m, 10m")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--work", type=Path, default=Path("/tmp/perfgov-bench"))
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed-overhead close")
    parser.add_argument("--note", default="", help="conditions to print with the results")
    parser.add_argument(
        "--rss-limit-gb", type=float, default=0, help="kill a run whose tree RSS exceeds this"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the table, do not write it")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: write the table of the previous results.json",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the sizes (and fixed overhead) of the previous results.json not re-measured",
    )
    args = parser.parse_args(argv)
    global RSS_LIMIT
    RSS_LIMIT = int(args.rss_limit_gb * 1e9)
    sys.path.insert(0, str(REPO))
    from dagster_project.sample.scale import write_scaled_landing

    args.work.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        write_results(render(json.loads((args.work / "results.json").read_text()), args))
        return 0
    results: dict = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "sizes": {}}
    previous = args.work / "results.json"
    if args.merge and previous.exists():
        results = json.loads(previous.read_text()) | {"date": results["date"]}
    if not args.no_fixed:
        runs = [
            run_close(BUNDLED_LANDING, BUNDLED_PERIOD, args.work / "home-fixed")
            for _ in range(args.runs)
        ]
        results["fixed"] = _median_run(runs) | {"runs": args.runs}
        print(f"fixed overhead: {results['fixed']['wall_s']:.1f} s", flush=True)
    for size in args.sizes.split(","):
        landing = args.work / f"landing-{size}"
        marker = landing / ".generated"
        wanted = f"{SIZES[size]} {args.period}"
        if not marker.exists() or marker.read_text() != wanted:
            started = time.perf_counter()
            write_scaled_landing(landing, SIZES[size], period=args.period)
            marker.write_text(wanted)
            print(f"{size}: landing written in {time.perf_counter() - started:.1f} s", flush=True)
        closes, bounds = [], []
        for run in range(args.runs):
            bounds.append(run_lower_bound(landing, args.period, args.work / f"lb-{size}"))
            closes.append(run_close(landing, args.period, args.work / f"home-{size}"))
            print(
                f"{size} run {run + 1}: close {closes[-1]['wall_s']:.1f} s "
                f"({_gb(closes[-1]['peak_rss'])}), lower bound {bounds[-1]['wall_s']:.1f} s "
                f"({_gb(bounds[-1]['peak_rss'])})",
                flush=True,
            )
        close, lower_bound = _median_run(closes), _median_run(bounds)
        same_gap = close.get("reconciliation_gap_eur") is not None and Decimal(
            lower_bound["reconciliation_gap_eur"]
        ) == Decimal(str(close["reconciliation_gap_eur"]))
        same = (
            "yes"
            if close.get("payouts_eur") is not None
            and Decimal(lower_bound["payouts_eur"]) == close["payouts_eur"]
            and same_gap
            else f"no ({close.get('payouts_eur')} vs {lower_bound['payouts_eur']}; "
            f"gap {close.get('reconciliation_gap_eur')} vs {lower_bound['reconciliation_gap_eur']})"
        )
        results["sizes"][size] = {
            "runs": args.runs,
            "facts": _landing_facts(landing, args.period),
            "close": close,
            "lower_bound": lower_bound,
            "same_payouts": same
            + f", payouts {lower_bound['payouts_eur']} EUR,"
            + f" reconciliation gap {lower_bound['reconciliation_gap_eur']} EUR",
        }
    results["runs"] = args.runs
    (args.work / "results.json").write_text(json.dumps(results, indent=2, default=str))
    block = render(results, args)
    print(block)
    if not args.dry_run:
        write_results(block)
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
