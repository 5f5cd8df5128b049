"""Deterministic generator of the bundled sample landing zone: the entry point.

Why it exists: ingest, dbt staging, the quality gates and the incentive calculation all need
monthly drops that look like the real exports, quirks included (../../shared/spec/sources.md),
and that contain a known list of edge cases to be tested on (``SCENARIOS.md``). Real exports
cannot be committed (personal data), so the package invents a sales organisation and replays
twelve months of its life into CRM, ERP, HRIS and Sales Ops files.

Determinism is the contract: the same seed, scale and periods give byte-identical files on
every run (no clock, seeded ``random.Random`` streams, sorted output, a normalised xlsx zip),
so the committed sample can be checked against a fresh regeneration.

How the package is laid out: ``world`` holds the model; ``organisation``, ``users``,
``accounts``, ``deals`` (with ``deal_lifecycle`` and ``splits``), ``scenarios``, ``tasks``,
``fx`` and ``billing`` build it; ``crm``, ``erp``, ``hris`` and ``sales_ops`` write it.

Usage: ``python -m dagster_project.sample.generate OUT_DIR [--scale N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .accounts import build_accounts
from .billing import build_documents, build_erp_clients
from .crm import write_crm
from .deals import build_generic_deals
from .erp import write_erp
from .fx import build_rates
from .hris import write_hris
from .organisation import build_organisation
from .sales_ops import write_sales_ops_period, write_targets_workbook
from .scenarios import build_deal_scenarios, scenario_table
from .splits import build_generic_splits
from .tasks import build_tasks
from .users import build_users
from .world import DEFAULT_FIRST_PERIOD, DEFAULT_LAST_PERIOD, DEFAULT_SEED, SampleWorld

__all__ = [
    "SampleWorld",
    "build_world",
    "generate_landing",
    "main",
    "scenario_table",
    "write_landing",
]

SYSTEM_DIRS = ("crm", "erp", "hris", "sales_ops")


def build_world(
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    first_period: str = DEFAULT_FIRST_PERIOD,
    last_period: str = DEFAULT_LAST_PERIOD,
) -> SampleWorld:
    """The invented company, its history and its scenarios, before anything is written.

    The steps run in this order because each builds on the previous ones (deals need
    accounts, ERP clients need won deals...) and because ids are handed out in sequence:
    reordering them changes the sample.
    """
    world = SampleWorld(seed, scale, first_period, last_period)
    build_rates(world)
    build_organisation(world)
    build_users(world)
    build_accounts(world)
    build_generic_deals(world)
    build_deal_scenarios(world)
    build_erp_clients(world)
    build_generic_splits(world)
    build_tasks(world)
    build_documents(world)
    world.opportunities.sort(key=lambda o: o.id)
    return world


def generate_landing(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    first_period: str = DEFAULT_FIRST_PERIOD,
    last_period: str = DEFAULT_LAST_PERIOD,
) -> Path:
    """Write the monthly drops of every period into ``out_dir`` and return it.

    The system folders (crm, erp, hris, sales_ops) are replaced, so that a file of an older
    run never survives; anything else in ``out_dir`` is left alone.
    """
    world = build_world(seed=seed, scale=scale, first_period=first_period, last_period=last_period)
    return write_landing(world, out_dir)


def write_landing(world: SampleWorld, out_dir: Path) -> Path:
    """Write an already built world (see ``generate_landing``)."""
    out_dir = Path(out_dir)
    for system in SYSTEM_DIRS:
        if (out_dir / system).is_dir():
            shutil.rmtree(out_dir / system)
    for period in world.periods:
        write_crm(world, out_dir, period)
        write_erp(world, out_dir, period)
        write_hris(world, out_dir, period)
        write_sales_ops_period(world, out_dir, period)
    for year in sorted({int(p[:4]) for p in world.periods}):
        write_targets_workbook(world, out_dir, year)
    return out_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.sample.generate",
        description="Write the deterministic sample landing zone (CRM, ERP, HRIS, Sales Ops).",
    )
    parser.add_argument("out_dir", type=Path, help="landing root to write into")
    parser.add_argument("--scale", type=int, default=1, help="multiplies workers and deals")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--first-period", default=DEFAULT_FIRST_PERIOD)
    parser.add_argument("--last-period", default=DEFAULT_LAST_PERIOD)
    parser.add_argument(
        "--scenarios", action="store_true", help="also print the scenario table (Markdown)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = build_world(
        seed=args.seed,
        scale=args.scale,
        first_period=args.first_period,
        last_period=args.last_period,
    )
    out = write_landing(world, args.out_dir)
    files = [p for p in out.rglob("*") if p.is_file() and p.parts[len(out.parts)] in SYSTEM_DIRS]
    size = sum(p.stat().st_size for p in files)
    print(
        f"wrote {len(files)} files, {size / 1e6:.1f} MB, into {out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if args.scenarios:
        print(scenario_table(world))
    return 0


if __name__ == "__main__":
    sys.exit(main())
