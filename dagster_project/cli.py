"""The ``perfgov`` command: close a period, run the demo, open the Dagster UI.

Heavy imports (Dagster definitions, dbt, GX) happen inside the commands that need them, so
``perfgov --help`` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .engines import CLOSE_TARGETS, EngineError
from .settings import SAMPLE_LANDING, Settings, SettingsError, validate_period


def _add_location_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--landing",
        help="landing root holding the drops (default: $PERFGOV_LANDING, else the bundled sample)",
    )
    parser.add_argument(
        "--home", help="where perfgov keeps its outputs (default: $PERFGOV_HOME, else ./.perfgov)"
    )
    _add_target_argument(parser)


def _add_target_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        choices=CLOSE_TARGETS,
        help="the engine dbt builds, gates and publishes in (default: $PERFGOV_TARGET, else "
        "duckdb); postgres reads its connection from PERFGOV_PG_* / PG* variables",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfgov",
        description="Sales-performance governance: ingest, harmonise, gate, certify, pay.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True)

    close = commands.add_parser("close", help="close one period (YYYY-MM)")
    close.add_argument("period", help="the month to close, YYYY-MM")
    _add_location_arguments(close)
    close.add_argument(
        "--restate",
        action="store_true",
        help="publish a new version of an already certified period (needs --reason)",
    )
    close.add_argument("--reason", help="why the period is restated (kept in the certificate)")

    demo = commands.add_parser("demo", help="close every period of the bundled sample, in order")
    demo.add_argument("--home", help="output folder (default: $PERFGOV_HOME, else ./.perfgov)")
    _add_target_argument(demo)

    dev = commands.add_parser("dev", help="open the Dagster UI (dagster dev) on this home")
    _add_location_arguments(dev)
    dev.add_argument("--port", default="3000")

    audit = commands.add_parser(
        "audit", help="re-render a period's auditor pack (<home>/audit/<PERIOD>/index.html)"
    )
    audit.add_argument("period", help="the month, YYYY-MM")
    audit.add_argument("--home", help="perfgov home (default: $PERFGOV_HOME, else ./.perfgov)")

    sample = commands.add_parser("sample", help="write a sample landing zone")
    sample.add_argument("out", help="folder to write the landing zone into")
    sample.add_argument("--scale", type=int, default=1, help="size multiplier (1 = bundled)")

    simulate = commands.add_parser(
        "simulate",
        help="recompute certified payouts under a candidate plan and compare (what-if)",
    )
    simulate.add_argument("--plan", required=True, help="the candidate plan file (YAML)")
    simulate.add_argument("--from", dest="first", required=True, help="first period, YYYY-MM")
    simulate.add_argument("--to", dest="last", required=True, help="last period, YYYY-MM")
    simulate.add_argument("--home", help="perfgov home (default: $PERFGOV_HOME, else ./.perfgov)")
    return parser


def _close(settings: Settings, period: str, restatement_reason: str | None = None) -> int:
    from .closing import AlreadyCertified, close_period, describe, ensure_exports, first_failure

    try:
        outcome = close_period(settings, period, restatement_reason)
    except AlreadyCertified as exc:
        ensure_exports(settings, period)
        print(f"perfgov: {exc}")
        return 0
    for line in describe(outcome, settings):
        print(line)
    if not outcome.success:
        print(f"perfgov: {first_failure(outcome)}", file=sys.stderr)
        return 1
    return 0


def _demo(home: str | None, target: str | None = None) -> int:
    from .ingest.landing import drop_periods

    settings = Settings.resolve(SAMPLE_LANDING, home, target)
    periods = drop_periods(settings.landing)
    print(f"perfgov demo: closing {len(periods)} sample periods in order into {settings.home}")
    for period in periods:
        status = _close(settings, period)
        if status:
            return status
    last = periods[-1] if periods else "<PERIOD>"
    print("")
    print(f"monthly pack:         {settings.home / 'reports' / last / 'index.html'}")
    print(f"auditor pack:         {settings.home / 'audit' / last / 'index.html'}")
    print(f"rep statements:       {settings.home / 'statements' / last}")
    print(f"churn action lists:   {settings.home / 'reports' / last / 'action_lists'}")
    print(f"certified exports:    {settings.home / 'certified' / last}")
    print(f"validation evidence:  {settings.home / 'audit' / last / 'validations'}")
    print(f"warehouse (DuckDB):   {settings.warehouse}")
    print(f"runs in the UI:       perfgov dev --home {settings.home}")
    return 0


def _dev(settings: Settings, port: str) -> int:
    settings.prepare_home()
    settings.export_environment()
    from .settings import PROJECT_ROOT

    workspace = str(PROJECT_ROOT / "workspace.yaml")
    argv = ["dagster", "dev", "-w", workspace, "-p", port]
    os.chdir(PROJECT_ROOT)
    os.execvp(argv[0], argv)
    return 0  # not reached


def _simulate(home: str | None, plan: str, first: str, last: str) -> int:
    """Plan what-if on the certified history: refusals exit 2 with the reason (one line)."""
    from .incentives.simulate import SimulationError, simulate
    from .reporting.simulation_report import write_simulation_report

    settings = Settings.resolve(None, home)
    try:
        simulation = simulate(settings.home, Path(plan), first, last)
    except SimulationError as exc:
        print(f"perfgov: {exc}", file=sys.stderr)
        return 2
    folder = write_simulation_report(simulation, settings.home)
    for warning in simulation.warnings:
        print(f"perfgov: warning: {warning}", file=sys.stderr)
    if simulation.skipped_periods:
        skipped = ", ".join(simulation.skipped_periods)
        print(f"perfgov: not certified, not simulated: {skipped}", file=sys.stderr)
    certified = sum((w.certified.payout_eur or 0) for p in simulation.periods for w in p.workers)
    candidate = sum((w.after.payout_eur or 0) for p in simulation.periods for w in p.workers)
    periods = ", ".join(p.period for p in simulation.periods)
    print(f"simulated {simulation.candidate.file} on {periods}")
    change = candidate - certified
    print(f"cost certified {certified} EUR, candidate {candidate} EUR, change {change} EUR")
    print(f"comparison:   {folder / 'simulation.html'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .closing import CloseError
    from .ingest.errors import SourceFileError

    try:
        if args.command == "close":
            if args.restate and not (args.reason or "").strip():
                raise CloseError('--restate needs --reason "why the period is restated"')
            if args.reason and not args.restate:
                raise CloseError("--reason goes with --restate")
            settings = Settings.resolve(args.landing, args.home, args.target)
            reason = args.reason.strip() if args.restate else None
            return _close(settings, validate_period(args.period), reason)
        if args.command == "demo":
            return _demo(args.home, args.target)
        if args.command == "dev":
            return _dev(Settings.resolve(args.landing, args.home, args.target), args.port)
        if args.command == "audit":
            from .quality.auditor_pack import render_auditor_pack

            settings = Settings.resolve(None, args.home)
            period = validate_period(args.period)
            if not (settings.home / "audit" / period).is_dir():
                raise CloseError(f"no close of {period} has run in {settings.home}")
            print(f"auditor pack: {render_auditor_pack(settings.home, period)}")
            return 0
        if args.command == "sample":
            from .sample.generate import generate_landing

            out = generate_landing(Path(args.out), scale=args.scale)
            print(f"sample landing zone written to {out}")
            return 0
        if args.command == "simulate":
            return _simulate(args.home, args.plan, args.first, args.last)
    except (CloseError, EngineError, SettingsError, SourceFileError) as exc:
        print(f"perfgov: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"perfgov: unexpected error: {type(exc).__name__}: {exc} (rerun with --debug)",
            file=sys.stderr,
        )
        return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
