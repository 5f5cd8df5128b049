"""Churn-risk action lists: per sales rep, the customers they own that are slipping.

Read from the certified ``churn_risk`` table of the period's publication in force (never
from the marts): the customers with a tier (watch, at risk, critical) whose account owner
is the rep, heaviest score first, with the drivers spelled out and the suggested next
step. Written as one CSV per rep under ``<home>/reports/<PERIOD>/action_lists/`` and shown
in the rep's statement.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import duckdb

from ..atomic_files import replace_text
from ..warehouse_queries import has_table

ACTION_LIST_COLUMNS = (
    "erp_customer_code",
    "account_id",
    "segment",
    "score",
    "tier",
    "drivers",
    "driver_details",
    "suggested_next_step",
)


def publication_in_force(conn: duckdb.DuckDBPyConnection, period: str) -> str:
    """The id of the period's publication in force; a period never certified has none."""
    row = conn.execute(
        "SELECT publication_id FROM certified.publication_log WHERE period = ? "
        "ORDER BY version DESC LIMIT 1",
        [period],
    ).fetchone()
    if row is None:
        raise ValueError(f"period {period} is not certified: no report is built for it")
    return row[0]


def has_certified_table(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Publications made before a table was certified do not have it."""
    return has_table(conn, "certified", table)


def action_lists(conn: duckdb.DuckDBPyConnection, period: str) -> dict[str, list[dict[str, Any]]]:
    """Rep (owner Employee_ID) -> their customers with a tier, highest score first."""
    publication_id = publication_in_force(conn, period)
    if not has_certified_table(conn, "churn_risk"):
        return {}
    cursor = conn.execute(
        f"SELECT owner_employee_id, {', '.join(ACTION_LIST_COLUMNS)} FROM certified.churn_risk "
        "WHERE publication_id = ? AND tier IS NOT NULL AND owner_employee_id IS NOT NULL "
        "ORDER BY owner_employee_id, score DESC, erp_customer_code, account_id",
        [publication_id],
    )
    lists: dict[str, list[dict[str, Any]]] = {}
    for owner, *values in cursor.fetchall():
        lists.setdefault(owner, []).append(dict(zip(ACTION_LIST_COLUMNS, values, strict=True)))
    return lists


def action_list_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTION_LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_action_lists(
    lists: dict[str, list[dict[str, Any]]], folder: Path, safe_name
) -> list[Path]:
    """One CSV per rep (``<EMPLOYEE_ID>.csv``), each replaced in one step."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for employee, rows in sorted(lists.items()):
        if not safe_name.fullmatch(employee):  # it becomes a file name: never a path
            raise ValueError(f"employee id {employee!r} cannot name an action list file")
        written.append(replace_text(folder / f"{employee}.csv", action_list_csv(rows)))
    return written
