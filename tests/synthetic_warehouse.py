"""A synthetic period as raw tables: write it into a DuckDB warehouse, read it as the
reference's inputs, and run the project's dbt on it.

A ``SyntheticPeriod`` holds, per drop, the typed rows of each raw table exactly as the
ingest's readers produce them (source field names, Python ``date`` / ``Decimal`` / ``bool``
values, text as delivered, surrounding spaces and case included). From it:

- ``write_raw_warehouse`` creates the raw schema from the contracts (as the ingest does),
  appends every drop's rows with their provenance columns, and writes the plan in force
  for each drop (``write_plan_tables``);
- ``reference_inputs`` builds the ``Inputs`` of tests/reference/comp_plan.py from the same
  rows, mapping them exactly as ``inputs_from_landing`` maps the readers' rows (so the
  reference sees what it would see from files);
- ``run_dbt_build`` runs ``dbt build`` in-process with the close's vars.

Used by tests/test_payouts_property.py (hypothesis draws the rows).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.ingest.contracts import PROVENANCE_COLUMNS, SOURCES, SOURCES_BY_NAME
from tests.reference.comp_plan import Inputs, inputs_from_rows

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
LOADED_AT = datetime(2026, 11, 3, 6, 0, tzinfo=UTC).replace(tzinfo=None)

Rows = dict[str, list[dict[str, Any]]]  # raw table (source name) -> typed rows


@dataclass(repr=False)
class SyntheticPeriod:
    """The period to close and every drop of the landing zone up to it."""

    period: str
    drops: dict[str, Rows] = field(default_factory=dict)  # drop period -> rows per source
    # What the generator put in on purpose (edge cases), for the report of the test.
    labels: dict[str, str] = field(default_factory=dict)

    def rows(self, source: str, drop: str | None = None) -> list[dict[str, Any]]:
        return self.drops.get(drop or self.period, {}).get(source, [])

    def __repr__(self) -> str:  # the rows are long: dump_period writes them in full
        sizes = {
            drop: {source: len(rows) for source, rows in tables.items()}
            for drop, tables in self.drops.items()
        }
        return f"SyntheticPeriod(period={self.period!r}, rows={sizes})"


def dump_period(synthetic: SyntheticPeriod, path: Path) -> None:
    """The drawn rows as JSON (dates ISO, decimals as strings), to read or rebuild a case."""

    def default(value: Any) -> str:
        if isinstance(value, date | Decimal):
            return str(value)
        raise TypeError(type(value))

    path.write_text(
        json.dumps({"period": synthetic.period, "drops": synthetic.drops,
                    "labels": synthetic.labels}, default=default, indent=1),
        encoding="utf-8",
    )  # fmt: skip


# ------------------------------------------------------------------ the raw warehouse


def write_raw_warehouse(warehouse: Path, synthetic: SyntheticPeriod) -> None:
    """A fresh warehouse file with the raw tables of every drop and the plan tables."""
    from dagster_project.incentives.plan import plan_in_force
    from dagster_project.incentives.plan_tables import write_plan_tables
    from dagster_project.ingest.loader import ensure_raw_schema

    for suffix in ("", ".wal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(warehouse) + suffix).unlink()
    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_schema(conn, SOURCES)
        for drop, tables in sorted(synthetic.drops.items()):
            write_plan_tables(conn, drop, plan_in_force(drop))
            for source, rows in tables.items():
                insert_raw(conn, source, drop, rows)


def insert_raw(
    conn: duckdb.DuckDBPyConnection, source: str, drop: str, rows: list[dict[str, Any]]
) -> None:
    """Append the rows of one drop to raw.<source>, with their provenance (rows 1..n).
    A field left out of a row is null, as a blank value is in the raw tables."""
    if not rows:
        return
    contract = SOURCES_BY_NAME[source]
    names = [f.name for f in contract.fields] + [name for name, _ in PROVENANCE_COLUMNS]
    for row in rows:
        unknown = set(row) - set(contract.field_names)
        assert not unknown, f"{source}: no such field {unknown}"
    values = [
        [row.get(f.name) for f in contract.fields]
        + [drop, contract.relative_path(drop), f"sha-{source}-{drop}", i, LOADED_AT]
        for i, row in enumerate(rows, start=1)
    ]
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    conn.executemany(f"insert into {contract.raw_table} ({quoted}) values ({marks})", values)


# ------------------------------------------------------------------ the reference's inputs


def reference_inputs(synthetic: SyntheticPeriod) -> Inputs:
    """The period's ``Inputs``, mapped from the typed rows exactly as
    ``reference.comp_plan.inputs_from_landing`` maps the readers' rows."""

    def rows(name: str, of_period: str) -> list[dict[str, Any]]:
        contract = SOURCES_BY_NAME[name]
        # A row of the readers has every field of the contract (None when blank).
        return [
            {f: r.get(f) for f in contract.field_names} for r in synthetic.rows(name, of_period)
        ]

    return inputs_from_rows(synthetic.period, rows, synthetic.drops)


# ------------------------------------------------------------------ dbt


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt_build(warehouse: Path, work: Path, period: str, select: str | None = None):
    """``dbt build`` in-process on the project against ``warehouse``, with the vars the close
    passes for ``period`` (dagster_project.transform.partition_vars), its target and logs
    under ``work`` (reuse one ``work`` and one warehouse path across calls: dbt then parses
    the project partially instead of from scratch)."""
    from dbt.cli.main import dbtRunner  # imported here: it costs seconds

    from dagster_project.transform.partition_vars import dbt_vars_for_partition

    args = ["build", "--vars", json.dumps(dbt_vars_for_partition(f"{period}-01"), sort_keys=True)]
    if select:
        args += ["--select", select]
    with _environ(PERFGOV_WAREHOUSE=str(warehouse), DO_NOT_TRACK="1"):
        return dbtRunner().invoke([
            *args, "--quiet",
            "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        ])  # fmt: skip


def failed_nodes(result) -> dict[str, str]:
    """Nodes of a dbt result that did not succeed or pass, with their status and message."""
    if result.result is None:
        return {"dbt": repr(result.exception)}
    return {
        r.node.unique_id: f"{r.status}: {r.message}"
        for r in result.result.results
        if str(r.status) not in ("success", "pass", "warn")
    }
