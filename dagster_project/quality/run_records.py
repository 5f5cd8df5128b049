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
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from ..transform.run_area import relation

#: dbt assets whose materialisation in a run means the run's marts are its own.
_MARTS_BUILT = "marts/payouts"


def runs_dir(home: Path, period: str) -> Path:
    return Path(home) / "audit" / period / "runs"


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _plain(value: Any) -> Any:
    """JSON-friendly: DECIMAL as text (exact), dates as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _plain_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _has_table(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def sources_of(conn: duckdb.DuckDBPyConnection, period: str) -> list[dict[str, Any]]:
    """The period's input files as loaded: file, sha256, records read, rows kept, quarantined."""
    if not _has_table(conn, "raw", "source_file_log"):
        return []
    return _plain_rows(
        _rows(
            conn,
            "SELECT source, _source_file AS file, _source_sha256 AS sha256, records_read, "
            "rows_loaded, rows_quarantined FROM raw.source_file_log WHERE _period = ? "
            "ORDER BY source",
            [period],
        )
    )


def findings_of(
    conn: duckdb.DuckDBPyConnection, period: str, run_id: str | None = None
) -> dict[str, Any]:
    """Holds, blocks and the reconciliation the marts of run ``run_id`` hold for ``period``
    (read in the run's own area: see ``transform/run_area.py``)."""
    found: dict[str, Any] = {}

    def mart(name: str) -> str | None:
        where = relation(conn, f"marts.{name}", run_id)
        schema, table = where.split(".")
        return where if _has_table(conn, schema, table) else None

    if holds := mart("payout_holds"):
        found["holds"] = _plain_rows(
            _rows(
                conn,
                f"SELECT employee_id, hold_rule, hold_reason FROM {holds} "
                "WHERE period = ? ORDER BY employee_id, hold_rule",
                [period],
            )
        )
    if blocks := mart("incentive_blocks"):
        found["blocks"] = _plain_rows(
            _rows(
                conn,
                f"SELECT rule, finding FROM {blocks} WHERE period = ? ORDER BY rule, finding",
                [period],
            )
        )
    totals_table, lines = mart("reconciliation"), mart("reconciliation_by_opportunity")
    if totals_table and lines:
        totals = _rows(conn, f"SELECT * FROM {totals_table} WHERE period = ?", [period])
        found["reconciliation"] = _plain_rows(totals)[0] if totals else None
        found["reconciliation_unmatched"] = _plain_rows(
            _rows(
                conn,
                "SELECT reconciliation_status, opportunity_id, invoice_numbers, booked_eur, "
                f"invoiced_eur, gap_eur FROM {lines} "
                "WHERE period = ? AND reconciliation_status <> 'booked_and_invoiced' "
                "ORDER BY reconciliation_status, abs(gap_eur) DESC, opportunity_id",
                [period],
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
) -> dict[str, Any]:
    """The run's record, read from the warehouse right after the run ended."""
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
            record["sources"] = sources_of(conn, period)
        if record["marts_built"]:
            record.update(findings_of(conn, period, run_id))
    return record


def write_run_record(home: Path, record: Mapping[str, Any]) -> Path:
    """Write ``runs/<run_id>.json`` atomically; a run's record is written once."""
    directory = runs_dir(home, record["period"])
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{record['run_id']}.json"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(tmp, target)
    return target


def read_run_records(home: Path, period: str) -> list[dict[str, Any]]:
    """Every recorded run of the period, oldest first."""
    directory = runs_dir(home, period)
    records = (
        [json.loads(p.read_text()) for p in directory.glob("*.json")] if directory.is_dir() else []
    )
    return sorted(records, key=lambda r: (r.get("recorded_at", ""), r.get("run_id", "")))
