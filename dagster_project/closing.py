"""Closing a period: check the drop, run the close job in process, say what happened.

This is what ``perfgov close`` and ``perfgov demo`` call. The Dagster run is recorded in the
persistent instance under ``<home>/dagster`` so that ``dagster dev`` shows it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .certify.lock import LockHeld, close_lock, warehouse_in_use
from .ingest.landing import drop_periods, missing_files
from .settings import Settings, validate_period


class CloseError(Exception):
    """A close that could not be done; the message is one line a person can act on."""


@dataclass
class CloseOutcome:
    period: str
    run_id: str
    success: bool
    loads: list[dict] = field(default_factory=list)  # per source: file, rows, quarantined
    checks: list[dict] = field(default_factory=list)  # per check: name, passed, severity
    failures: list[str] = field(default_factory=list)  # one line per failed step
    blocks: list[str] = field(default_factory=list)  # the plan's blocking findings (ids only)
    publication: dict = field(default_factory=dict)  # what the certify step published
    materialized: list[str] = field(default_factory=list)  # asset keys the run materialised
    auditor_pack: Path | None = None  # <home>/audit/<period>/index.html


def check_drop(settings: Settings, period: str) -> None:
    """Refuse a close before starting it when the drop is incomplete: name every file."""
    if not settings.landing.is_dir():
        raise CloseError(f"landing folder {settings.landing} does not exist")
    absent = missing_files(settings.landing, period)
    if absent:
        raise CloseError(
            f"period {period} cannot be closed: {len(absent)} file(s) missing from the "
            f"landing zone: {', '.join(absent)}"
        )


class AlreadyCertified(Exception):
    """The period is certified and no restatement was asked for: nothing to do."""


def check_order(settings: Settings, period: str, restating: bool) -> None:
    """Apply the plan's order of closing before anything runs.

    A certified period is never closed again unless a restatement is asked for; and a
    period waits while an earlier period that has a drop, and comes after the first period
    ever closed in this warehouse, is not certified (adjustments compare with it).
    """
    if not settings.warehouse.exists():
        return
    import duckdb

    from .certify.publish import certified_periods, current_publication

    try:
        with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
            done = certified_periods(conn)
            current = current_publication(conn, period)
    except duckdb.IOException as exc:  # e.g. a dbt left running by a close that was killed
        holder = warehouse_in_use(exc)
        if holder is None:
            raise
        raise CloseError(
            f"the warehouse {settings.warehouse} is in use by another process ({holder}); "
            "nothing changed: try again when it has finished"
        ) from None
    if current is not None and not restating:
        raise AlreadyCertified(
            f"period {period} is already certified (publication {current.publication_id}, "
            f"version {current.version}); nothing changed. To restate it: "
            f'perfgov close {period} --restate --reason "..."'
        )
    if restating and current is None:
        raise CloseError(f"period {period} is not certified: there is nothing to restate")
    if done:
        waiting = [
            p for p in drop_periods(settings.landing) if done[0] <= p < period and p not in done
        ]
        if waiting:
            raise CloseError(
                f"period {period} cannot be closed before {', '.join(waiting)}: periods are "
                "closed in calendar order (adjustments compare with what was certified)"
            )


def sync_home_with_engine(settings: Settings) -> None:
    """On another engine than DuckDB: reach it before anything runs, and copy into the home
    what it certified that the home lacks (a close killed between the engine's commit and
    the copy). A home closed on another engine or database is refused (EngineError)."""
    if settings.target == "duckdb":
        return
    import duckdb

    from .certify.home_copy import copy_new_publications
    from .engines import connect_engine

    settings.home.mkdir(parents=True, exist_ok=True)
    with (
        connect_engine(settings.target, settings.warehouse) as engine,
        duckdb.connect(str(settings.warehouse)) as home,
    ):
        copy_new_publications(engine, home)


def ensure_exports(settings: Settings, period: str) -> None:
    """Rewrite a certified period's exports unless they are those of the publication in
    force (a close killed after its commit, before its exports were swapped in)."""
    import duckdb

    from .certify.publish import export_period, exports_are_current

    certified_dir = settings.home / "certified"
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        if exports_are_current(conn, period, certified_dir):
            return
    try:
        with close_lock(settings.home, period), duckdb.connect(str(settings.warehouse)) as conn:
            export_period(conn, period, certified_dir)
    except LockHeld as exc:
        raise CloseError(str(exc)) from None


_DBT_FAILED_NODE = re.compile(r"\d+ of \d+ (?:ERROR|FAIL)\S* (.+?) \.{3,}")


def _dbt_failures(log_path: Path, start: int) -> str | None:
    """The dbt nodes that failed in this close, read from the part of its log it wrote."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(start)
        nodes = _DBT_FAILED_NODE.findall(log.read())
    if not nodes:
        return None
    return f"dbt build failed on {len(nodes)} node(s): " + "; ".join(nodes[:5])


def _root_cause(error) -> str:
    """The innermost error message of a Dagster step failure (the user's exception)."""
    while error.cause is not None:
        error = error.cause
    message = error.message.strip().splitlines()[0] if error.message else error.cls_name
    return message.removeprefix("dagster_project.ingest.errors.")


def close_period(
    settings: Settings, period: str, restatement_reason: str | None = None
) -> CloseOutcome:
    """Run the close job for ``period``.

    Raises ``CloseError`` when the close is refused before it starts (incomplete drop,
    another close running on the same home, order of closing) and ``AlreadyCertified``
    when there is nothing to do. The home's close lock (``certify/lock.py``) is held from
    before the first read of the warehouse to the end; a second close fails at once.
    """
    validate_period(period)
    check_drop(settings, period)
    try:
        with close_lock(settings.home, period):
            return _close_locked(settings, period, restatement_reason)
    except LockHeld as exc:
        raise CloseError(str(exc)) from None


def _close_locked(settings: Settings, period: str, restatement_reason: str | None) -> CloseOutcome:
    sync_home_with_engine(settings)
    check_order(settings, period, restating=restatement_reason is not None)
    settings.prepare_home()
    settings.export_environment()

    from .transform.project import ensure_manifest

    ensure_manifest()

    import dagster as dg

    from .certify.assets import RESTATEMENT_TAG
    from .definitions import build_definitions
    from .engines import warehouse_kept_open
    from .partitions import partition_key_of
    from .run_history import unsynced_run_history

    job = build_definitions(settings).resolve_job_def("close_period")
    # dagster-dbt echoes every dbt event to stdout: keep that in the close's log file and
    # the terminal for the summary.
    log_dir = settings.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"close-{period}.log"
    log_start = log_path.stat().st_size if log_path.exists() else 0
    with (
        unsynced_run_history(),
        warehouse_kept_open(settings.warehouse),
        dg.DagsterInstance.get() as instance,
        open(log_path, "a", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
    ):
        result = job.execute_in_process(
            partition_key=partition_key_of(period),
            tags={RESTATEMENT_TAG: restatement_reason} if restatement_reason else None,
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    outcome = CloseOutcome(period=period, run_id=result.run_id, success=result.success)
    for event in result.all_events:
        if event.is_step_failure:
            cause = _root_cause(event.step_failure_data.error)
            if "DagsterDbtCliRuntimeError" in cause:
                cause = _dbt_failures(log_path, log_start) or cause
            outcome.failures.append(f"{event.step_key}: {cause}")
        elif event.is_step_materialization:
            materialization = event.event_specific_data.materialization
            outcome.materialized.append(materialization.asset_key.to_user_string())
            meta = {k: v.value for k, v in materialization.metadata.items()}
            if "publication_id" in meta:
                outcome.publication = meta
            elif "file" in meta:
                outcome.loads.append(
                    {
                        "asset": materialization.asset_key.to_user_string(),
                        "file": meta["file"],
                        "rows": meta.get("dagster/row_count"),
                        "quarantined": meta.get("rows_quarantined"),
                    }
                )
    for evaluation in result.get_asset_check_evaluations():
        meta = {k: v.value for k, v in evaluation.metadata.items()}
        outcome.checks.append(
            {
                "check": f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}",
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
                "verdict": meta.get("verdict"),
                "top_failing_rule": meta.get("top_failing_rule"),
            }
        )
    # The dbt tests are not Dagster checks (transform/dbt_tests.py): read them back.
    outcome.checks.extend(_dbt_tests(settings, outcome.run_id))
    if not outcome.success:
        outcome.blocks = _blocking_findings(settings, period, outcome.run_id)
    outcome.auditor_pack = _record_for_audit(settings, outcome, restatement_reason)
    return outcome


def _record_for_audit(
    settings: Settings, outcome: CloseOutcome, restatement_reason: str | None
) -> Path:
    """Keep what this run found (whatever its outcome) and re-render the auditor pack."""
    from .quality.auditor_pack import render_auditor_pack
    from .quality.run_records import build_run_record, write_run_record

    record = build_run_record(
        settings.warehouse,
        outcome.period,
        outcome.run_id,
        success=outcome.success,
        materialized=outcome.materialized,
        checks=outcome.checks,
        failures=outcome.failures,
        publication=outcome.publication,
        restatement_reason=restatement_reason,
        target=settings.target,
    )
    write_run_record(settings.home, record)
    return render_auditor_pack(settings.home, outcome.period)


def describe(outcome: CloseOutcome, settings: Settings) -> list[str]:
    """A short human report of a close (counts and ids only: logs carry no personal data)."""
    lines = [f"period {outcome.period}: run {outcome.run_id}"]
    total = sum(load["rows"] or 0 for load in outcome.loads)
    quarantined = sum(load["quarantined"] or 0 for load in outcome.loads)
    lines.append(
        f"  loaded {len(outcome.loads)} source tables, {total} rows, {quarantined} quarantined"
    )
    failed = [c for c in outcome.checks if not c["passed"]]
    lines.append(f"  gates: {len(outcome.checks)} checks, {len(failed)} not passed")
    for check in failed:
        lines.append(
            # A GX gate's verdict (block, hold, warn) says more than Dagster's severity.
            f"    {check['verdict'] or check['severity'].lower()}: {check['check']}"
            + (f": {check['top_failing_rule']}" if check["top_failing_rule"] else "")
        )
    if outcome.publication:
        published = outcome.publication
        lines.append(
            f"  certified: publication {published['publication_id']} "
            f"(version {published.get('version', 1)}), payouts {published.get('payouts_eur')} "
            f"EUR, {published.get('held_workers')} held worker(s)"
        )
        lines.append(f"  exports: {settings.home / 'certified' / outcome.period}")
    if outcome.auditor_pack is not None:
        lines.append(f"  auditor pack: {outcome.auditor_pack}")
    lines.append(f"  warehouse: {settings.warehouse}")
    lines.append(f"  log: {settings.home / 'logs' / f'close-{outcome.period}.log'}")
    return lines


def _dbt_tests(settings: Settings, run_id: str) -> list[dict]:
    """The dbt tests run ``run_id`` recorded, as check entries (none if dbt never ran)."""
    import duckdb

    from .transform.dbt_tests import checks_of_run

    if not settings.warehouse.exists():
        return []
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        return checks_of_run(conn, run_id)


def _blocking_findings(settings: Settings, period: str, run_id: str) -> list[str]:
    """The plan's blocking findings the failed close left in its run area, if it got there."""
    from .certify.assets import blocking_findings
    from .engines import connect_engine
    from .engines.dialect import DATABASE_ERRORS
    from .transform.run_area import area_of_run

    try:
        with connect_engine(settings.target, settings.warehouse, read_only=True) as conn:
            if area_of_run(conn, run_id) is None:
                return []  # the close stopped before dbt: an earlier run's findings are not its
            return blocking_findings(conn, period, run_id)
    except DATABASE_ERRORS:  # the close stopped before the blocks were computed
        return []


def first_failure(outcome: CloseOutcome) -> str:
    """The one-line reason a close failed: every blocking finding, else the failed gates."""
    if outcome.blocks:
        return f"period {outcome.period} is blocked, nothing certified: " + "; ".join(
            outcome.blocks
        )
    blocks = [c for c in outcome.checks if not c["passed"] and c["severity"] == "ERROR"]
    if blocks:
        names = ", ".join(
            c["check"] + (f" ({c['top_failing_rule']})" if c["top_failing_rule"] else "")
            for c in blocks
        )
        return f"period {outcome.period} blocked by {len(blocks)} gate(s): {names}"
    if outcome.failures:
        more = f" (and {len(outcome.failures) - 1} more)" if len(outcome.failures) > 1 else ""
        if outcome.publication.get("publication_id"):
            # A step after the publication (statements, the pack) failed: what finance
            # reads is certified and complete; say so before what to re-run.
            return (
                f"period {outcome.period} is certified (publication "
                f"{outcome.publication['publication_id']}), but a report step failed: "
                f"{outcome.failures[0]}{more}"
            )
        return f"period {outcome.period} failed: {outcome.failures[0]}{more}"
    return f"period {outcome.period} failed (run {outcome.run_id})"


__all__ = [
    "AlreadyCertified",
    "CloseError",
    "CloseOutcome",
    "close_period",
    "describe",
    "ensure_exports",
    "first_failure",
]
