"""Publishing a period: certified tables in one transaction, then read-only exports.

The close builds the period's marts in the working schemas (its run area); the gates judge
them there; only then does ``publish_period`` copy them into the ``certified`` schema, every
table and the publication log in ONE transaction: a consumer sees all of a publication or
none of it, even if the process is killed half-way. A certified period never changes: a
second publication of it is a restatement that names the one it supersedes.

Exports (CSV for finance) are derived from the certified tables, written under a temporary
name and renamed, so they can always be rewritten identically from the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Certified table -> the mart it is published from, and the order its rows are exported in.
CERTIFIED_TABLES: Mapping[str, tuple[str, str]] = {
    "incentive_payouts": ("marts.payouts", "employee_id"),
    "credit_lines": (
        "marts.credit_lines",
        "line_type, opportunity_id, credited_user_id, employee_id NULLS FIRST",
    ),
}

PUBLICATION_LOG_DDL = """
CREATE TABLE IF NOT EXISTS certified.publication_log (
    publication_id VARCHAR PRIMARY KEY,
    period VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    run_id VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL,
    supersedes VARCHAR,
    restatement_reason VARCHAR,
    certificate JSON NOT NULL
)"""


class PublicationError(Exception):
    """A publication that must not happen (the period is already certified, or blocked)."""


@dataclass(frozen=True)
class Publication:
    publication_id: str
    period: str
    version: int
    supersedes: str | None


def ensure_certified_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS certified")
    conn.execute(PUBLICATION_LOG_DDL)


def current_publication(conn: duckdb.DuckDBPyConnection, period: str) -> Publication | None:
    """The period's publication in force (the latest version), if it was ever certified."""
    if not _has_table(conn, "certified", "publication_log"):
        return None
    row = conn.execute(
        "SELECT publication_id, period, version, supersedes FROM certified.publication_log "
        "WHERE period = ? ORDER BY version DESC LIMIT 1",
        [period],
    ).fetchone()
    return Publication(*row) if row else None


def certified_periods(conn: duckdb.DuckDBPyConnection) -> list[str]:
    if not _has_table(conn, "certified", "publication_log"):
        return []
    rows = conn.execute("SELECT DISTINCT period FROM certified.publication_log ORDER BY 1")
    return [r[0] for r in rows.fetchall()]


def _has_table(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def publish_period(
    conn: duckdb.DuckDBPyConnection,
    period: str,
    run_id: str,
    certificate: dict,
    restatement_reason: str | None = None,
) -> Publication:
    """Copy the period's marts into ``certified`` and log the publication, atomically."""
    ensure_certified_schema(conn)
    previous = current_publication(conn, period)
    if previous is not None and restatement_reason is None:
        raise PublicationError(
            f"period {period} is already certified (publication {previous.publication_id}); "
            "a restatement must be asked for explicitly"
        )
    publication = Publication(
        publication_id=str(uuid.uuid4()),
        period=period,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous.publication_id if previous else None,
    )
    conn.execute("BEGIN TRANSACTION")
    try:
        for table, (mart, _) in CERTIFIED_TABLES.items():
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS certified.{table} AS "
                f"SELECT ''::VARCHAR AS publication_id, * FROM {mart} WHERE false"
            )
            conn.execute(
                f"INSERT INTO certified.{table} BY NAME "
                f"SELECT ? AS publication_id, * FROM {mart} WHERE period = ?",
                [publication.publication_id, period],
            )
        conn.execute(
            "INSERT INTO certified.publication_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                publication.publication_id,
                period,
                publication.version,
                run_id,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                publication.supersedes,
                restatement_reason,
                json.dumps(certificate, sort_keys=True),
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return publication


def export_period(conn: duckdb.DuckDBPyConnection, period: str, certified_dir: Path) -> Path:
    """Write the period's certified tables in force as CSV under ``certified_dir/<period>``.

    Rows come from the certified tables (never the marts), in a fixed order, with no
    timestamp inside: the same publication always gives byte-identical files. The folder
    is written beside its final place and swapped in, so a reader never sees half of it.
    """
    publication = current_publication(conn, period)
    if publication is None:
        raise PublicationError(f"period {period} is not certified: nothing to export")
    final = certified_dir / period
    staging = certified_dir / f".{period}.{uuid.uuid4().hex}.tmp"
    staging.mkdir(parents=True)
    try:
        for table, (_, order) in CERTIFIED_TABLES.items():
            # COPY takes no parameters: the id is a uuid4 and the path is ours, quoted.
            target = str(staging / f"{table}.csv").replace("'", "''")
            conn.execute(
                f"COPY (SELECT * EXCLUDE (publication_id) FROM certified.{table} "
                f"WHERE publication_id = '{publication.publication_id}' ORDER BY {order}) "
                f"TO '{target}' (HEADER, DELIMITER ',')"
            )
        certificate = conn.execute(
            "SELECT certificate FROM certified.publication_log WHERE publication_id = ?",
            [publication.publication_id],
        ).fetchone()[0]
        (staging / "certificate.json").write_text(
            json.dumps(json.loads(certificate), indent=2, sort_keys=True) + "\n"
        )
        _swap_in(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` by renames only (never a half-written folder)."""
    if final.exists():
        retired = final.with_name(f".{final.name}.{uuid.uuid4().hex}.old")
        os.rename(final, retired)
        os.rename(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, final)
