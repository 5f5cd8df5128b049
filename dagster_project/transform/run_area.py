"""Write-audit-publish, the "write" part: each close builds its dbt models in its own area.

A run area is a set of schemas of the working warehouse named after the run:
``staging__<area>``, ``intermediate__<area>`` and ``marts__<area>`` (``generate_schema_name``
in dbt/macros reads the dbt var ``run_area``). The gates of the run judge its area, the
publication copies from its area, and nothing else writes there. So a close that fails or
is killed half-way leaves its own area behind for inspection and never touches what an
earlier run built; the certified schema is only ever written by the publication.

The plain schemas ``staging``, ``intermediate`` and ``marts`` hold views onto the latest run
area (repointed when a run's dbt build ends, whatever its outcome): what an engineer queries
to see "the last close" without knowing its run id. No consumer reads them: finance reads
the certified copies.

A Dagster run that materialises only some dbt models (from the UI) rebuilds them inside the
latest full area, where their upstream models exist. The newest ``KEPT_RUN_AREAS`` areas
are kept; older ones are dropped when a new one is made.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb

from ..engines.dialect import engine_of, list_tables
from ..warehouse_queries import has_table

#: The dbt layers built per run (seeds go to ``reference``: static, shared by every run).
LAYERS: tuple[str, ...] = ("staging", "intermediate", "marts")

#: Areas kept in the warehouse: the latest for the pointer views, and a few before it for
#: comparing a failed close with the one before.
KEPT_RUN_AREAS = 3

_AREA = re.compile(r"^r[0-9a-f]{12}$")

REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS runs.run_areas (
    run_id VARCHAR PRIMARY KEY,
    area VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    full_build BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    dropped_at TIMESTAMP
)"""

# Spark: no VARCHAR without a length, and no key or NOT NULL on a Parquet table.
SPARK_REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS runs.run_areas (
    run_id STRING, area STRING, period STRING, full_build BOOLEAN, created_at TIMESTAMP,
    dropped_at TIMESTAMP
)"""


def area_name(run_id: str) -> str:
    """``r`` + the first 12 hex digits of the run id: a schema-name-safe, unique suffix."""
    digits = re.sub(r"[^0-9a-f]", "", run_id.lower())[:12]
    if len(digits) < 12:
        raise ValueError(f"run id {run_id!r} has too few hex digits to name a run area")
    return f"r{digits}"


def schema_of(layer: str, area: str) -> str:
    if layer not in LAYERS or not _AREA.match(area):
        raise ValueError(f"no run-area schema for layer {layer!r} and area {area!r}")
    return f"{layer}__{area}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def register_run_area(
    conn: duckdb.DuckDBPyConnection, run_id: str, period: str, full_build: bool
) -> str:
    """The area ``run_id`` builds into: its own for a full build, else the latest full one."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS runs")
    conn.execute(SPARK_REGISTRY_DDL if engine_of(conn) == "spark" else REGISTRY_DDL)
    existing = conn.execute("SELECT area FROM runs.run_areas WHERE run_id = ?", [run_id]).fetchone()
    if existing:  # a retried step of the same run
        return existing[0]
    area = area_name(run_id)
    if not full_build:
        latest = latest_area(conn)
        area = latest or area
    conn.execute(
        "INSERT INTO runs.run_areas VALUES (?, ?, ?, ?, ?, NULL)",
        [run_id, area, period, full_build, _now()],
    )
    return area


def latest_area(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The area of the latest full build still in the warehouse."""
    if not has_table(conn, "runs", "run_areas"):
        return None
    row = conn.execute(
        "SELECT area FROM runs.run_areas WHERE full_build AND dropped_at IS NULL "
        "ORDER BY created_at DESC, run_id DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def area_of_run(conn: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    if not has_table(conn, "runs", "run_areas"):
        return None
    row = conn.execute("SELECT area FROM runs.run_areas WHERE run_id = ?", [run_id]).fetchone()
    return row[0] if row else None


def relation(conn: duckdb.DuckDBPyConnection, table: str, run_id: str | None) -> str:
    """Where ``table`` (``marts.payouts``) of run ``run_id`` is: in the run's area when it
    built one, else the plain schema (a warehouse built before run areas, or a test's)."""
    layer, name = table.split(".", 1)
    area = area_of_run(conn, run_id) if run_id else None
    if area is None or layer not in LAYERS:
        return table
    return f"{schema_of(layer, area)}.{name}"


def point_latest_views(conn: duckdb.DuckDBPyConnection, area: str) -> int:
    """Make ``staging``/``intermediate``/``marts`` exactly views onto ``area``; return how
    many views. One transaction: a reader sees the previous area's views or the new ones."""
    conn.execute("BEGIN TRANSACTION")
    try:
        created = 0
        for layer in LAYERS:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {layer}")
            for name, kind in _objects(conn, layer):
                conn.execute(f'DROP {kind} IF EXISTS {layer}."{name}"')
            source = schema_of(layer, area)
            for name, _ in _objects(conn, source):
                conn.execute(f'CREATE VIEW {layer}."{name}" AS SELECT * FROM {source}."{name}"')
                created += 1
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return created


def drop_old_areas(conn: duckdb.DuckDBPyConnection, keep: int = KEPT_RUN_AREAS) -> list[str]:
    """Drop the schemas of every area but the newest ``keep`` full builds; return them,
    oldest first."""
    if not has_table(conn, "runs", "run_areas") or engine_of(conn) == "spark":
        # Spark cannot UPDATE a Parquet table to mark an area dropped: areas are kept there
        # (README, "Spark": drop old ones with DROP DATABASE ... CASCADE).
        return []
    rows = conn.execute(
        "SELECT area FROM runs.run_areas WHERE full_build AND dropped_at IS NULL "
        "ORDER BY created_at DESC, run_id DESC"
    ).fetchall()
    old = [area for (area,) in reversed(rows[keep:])]  # oldest first
    for area in old:
        for layer in LAYERS:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema_of(layer, area)} CASCADE")
        conn.execute("UPDATE runs.run_areas SET dropped_at = ? WHERE area = ?", [_now(), area])
    return old


def _objects(conn: Any, schema: str) -> list[tuple[str, str]]:
    return list_tables(conn, schema)
