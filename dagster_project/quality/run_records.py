"""What one close of a period found, kept per run for the auditor pack.

The marts are rebuilt by every close, so what a run found (its sources, holds, blocks and
reconciliation) would be lost with the next run. At the end of each close, whatever its
outcome, ``record_run`` writes it to ``<home>/audit/<period>/runs/<run_id>.json``, next to
the run's GX evidence (``validations/<run_id>/``): the auditor pack renders the history of
a period from these files alone.

Only ids, rule names, counts and amounts of deals are recorded: never a name, an e-mail, a
target pay, a score or a comment. Facts the run did not compute (a close stopped before dbt
leaves the previous run's marts in place) are recorded as absent, never borrowed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from ..atomic_files import replace_text
from ..engines import connect_engine
from ..transform.run_area import relation
from ..warehouse_queries import has_table, rows_as_dicts, source_files
from .suite_parameters import unmatched_lines_listed_per_kind

#: dbt assets whose materialisation in a run means the run's marts are its own.
_MARTS_BUILT = "marts/payouts"


def runs_dir(home: Path, period: str) -> Path:
    return Path(home) / "audit" / period / "runs"


def _plain(value: Any) -> Any:
    """JSON-friendly: DECIMAL as text (exact), dates as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _plain_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def findings_of(
    conn: duckdb.DuckDBPyConnection, period: str, run_id: str | None = None
) -> dict[str, Any]:
    """Holds, blocks and the reconciliation the marts of run ``run_id`` hold for ``period``
    (read in the run's own area: see ``transform/run_area.py``)."""
    found: dict[str, Any] = {}

    def mart(name: str) -> str | None:
        where = relation(conn, f"marts.{name}", run_id)
        schema, table = where.split(".")
        return where if has_table(conn, schema, table) else None

    if holds := mart("payout_holds"):
        found["holds"] = _plain_rows(
            rows_as_dicts(
                conn,
                f"SELECT employee_id, hold_rule, hold_reason FROM {holds} "
                "WHERE period = ? ORDER BY employee_id, hold_rule",
                [period],
            )
        )
    if blocks := mart("incentive_blocks"):
        found["blocks"] = _plain_rows(
            rows_as_dicts(
                conn,
                f"SELECT rule, finding FROM {blocks} WHERE period = ? ORDER BY rule, finding",
                [period],
            )
        )
    totals_table, lines = mart("reconciliation"), mart("reconciliation_by_opportunity")
    if totals_table and lines:
        totals = rows_as_dicts(conn, f"SELECT * FROM {totals_table} WHERE period = ?", [period])
        found["reconciliation"] = _plain_rows(totals)[0] if totals else None
        unmatched = (
            f"FROM {lines} WHERE period = ? AND reconciliation_status <> 'booked_and_invoiced'"
        )
        found["reconciliation_unmatched_counts"] = dict(
            conn.execute(
                f"SELECT reconciliation_status, count(*) {unmatched} GROUP BY 1 ORDER BY 1",
                [period],
            ).fetchall()
        )
        # The largest gaps of each kind; every line is in the certified reconciliation_lines.
        found["reconciliation_unmatched"] = _plain_rows(
            rows_as_dicts(
                conn,
                "SELECT reconciliation_status, opportunity_id, invoice_numbers, booked_eur, "
                "invoiced_eur, gap_eur FROM (SELECT *, row_number() OVER (PARTITION BY "
                "reconciliation_status ORDER BY abs(gap_eur) DESC, opportunity_id, "
                f"invoice_numbers) AS gap_rank {unmatched}) AS ranked WHERE gap_rank <= ? "
                "ORDER BY reconciliation_status, abs(gap_eur) DESC, opportunity_id, "
                "invoice_numbers",
                [period, unmatched_lines_listed_per_kind()],
            )
        )
    return found


def build_run_record(
    warehouse: Path,
    period: str,
    run_id: str,
    *,
    success: bool,
    materialized: Iterable[str],
    checks: list[dict[str, Any]],
    failures: list[str],
    publication: Mapping[str, Any],
    restatement_reason: str | None = None,
    target: str = "duckdb",
) -> dict[str, Any]:
    """The run's record, read right after the run ended: its inputs from the home's
    warehouse, its findings from the engine it built in (``target``: engines/)."""
    built = set(materialized)
    record: dict[str, Any] = {
        "period": period,
        "run_id": run_id,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "success": success,
        "restatement_reason": restatement_reason,
        "checks": checks,
        "failures": failures,
        "publication": {k: _plain(v) for k, v in publication.items()},
        "sources": [],
        "marts_built": _MARTS_BUILT in built,
    }
    if not Path(warehouse).exists():
        return record
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        if any(key.startswith("raw/") for key in built):
            record["sources"] = _plain_rows(source_files(conn, period))
    if record["marts_built"]:
        with connect_engine(target, Path(warehouse), read_only=True) as conn:
            record.update(findings_of(conn, period, run_id))
    return record


def write_run_record(home: Path, record: Mapping[str, Any]) -> Path:
    """Write ``runs/<run_id>.json`` atomically; a run's record is written once."""
    directory = runs_dir(home, record["period"])
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record, indent=2, sort_keys=True) + "\n"
    return replace_text(directory / f"{record['run_id']}.json", text, mode=0o600)


def read_run_records(home: Path, period: str) -> list[dict[str, Any]]:
    """Every recorded run of the period, oldest first."""
    directory = runs_dir(home, period)
    records = (
        [json.loads(p.read_text()) for p in directory.glob("*.json")] if directory.is_dir() else []
    )
    return sorted(records, key=lambda r: (r.get("recorded_at", ""), r.get("run_id", "")))
