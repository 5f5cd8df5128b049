"""The engine a close builds, gates and certifies in: DuckDB (embedded, the default) or an
existing PostgreSQL. Everything engine-specific is in this package.

A close always reads the exports into the home's own DuckDB file (``warehouse.duckdb``): the
readers, the quarantine and the raw gates are DuckDB's, on every target. What happens next
runs on the **engine** chosen by ``PERFGOV_TARGET`` (``perfgov close --target``):

- ``duckdb``: the same file; nothing is copied.
- ``postgres``: the raw tables are copied into the PostgreSQL database (``postgres.py``),
  dbt builds the run area there (dbt/profiles.yml), the harmonised and certified gates run
  there as SQL, and the publication is one PostgreSQL transaction.
- ``spark``: the same in a local SparkSession of the close's process (``spark.py``); dbt
  runs in that process (session mode); the publication's commit is its log row.

On both, the publication's rows are then copied back into the home's DuckDB file, so that
the exports (CSV, Parquet, xlsx, ``certified.duckdb``), the statements and the reports are
the same files on every target.

The interface the rest of perfgov sees is small: ``Warehouse.engine()`` (resources.py) gives a
connection with DuckDB's ``execute(sql, params).fetchone()`` shape on either engine, and the
few statements that differ by dialect are functions of ``dialect.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Targets a close runs on (dbt/profiles.yml has one output per target).
CLOSE_TARGETS: tuple[str, ...] = ("duckdb", "postgres", "spark")

TARGET_ENV = "PERFGOV_TARGET"


class EngineError(Exception):
    """The engine cannot be used (not reachable, or not the one this home was closed on)."""


def target_name() -> str:
    """The target of this process: ``PERFGOV_TARGET``, else ``duckdb``."""
    return os.environ.get(TARGET_ENV, "duckdb") or "duckdb"


class QueryError(Exception):
    """A statement the engine refused (PostgreSQL's errors, as DuckDB's ``duckdb.Error``)."""


@contextmanager
def connect_engine(target: str, warehouse: Path, read_only: bool = False) -> Iterator[Any]:
    """A connection to the engine of ``target``: the home's DuckDB file ``warehouse`` (with
    the close's memory share), or the PostgreSQL database of the environment."""
    if target == "duckdb":
        key = _kept_open_key(warehouse)
        if key in _kept_open:
            if _kept_open[key] is None:
                _kept_open[key] = _open_duckdb(warehouse, read_only=False)
            conn = _kept_open[key].cursor()
        else:
            conn = _open_duckdb(warehouse, read_only)
        try:
            yield conn
        finally:
            conn.close()
        return
    if target == "spark":
        from .spark import SparkConnection, session

        yield SparkConnection(session(Path(warehouse).parent))
        return
    if target != "postgres":
        raise EngineError(f"no engine {target!r}: perfgov closes on {', '.join(CLOSE_TARGETS)}")
    from .postgres import connect

    with connect() as conn:
        yield conn


# The DuckDB databases kept open by ``warehouse_kept_open``: path -> the open database, or
# None between a release and the next connection.
_kept_open: dict[str, Any] = {}


@contextmanager
def warehouse_kept_open(warehouse: Path) -> Iterator[None]:
    """Keep the home's DuckDB file open in this process while a close's steps run.

    Why: every step opened and closed the file, about a hundred times per close, and
    opening a warehouse with a few periods and run areas costs 30-50 ms (its catalog and
    metadata are read again each time; 2-4 s per close, benchmarks/RESULTS.md). Inside
    this context ``connect_engine`` hands out cursors of one open database, whose buffer
    pool also stays warm from step to step. A cursor asked for ``read_only`` can write:
    inside a close the file is the close's own, under its lock.

    Another process may need the file meanwhile (dbt's subprocess, which DuckDB lets open
    it only once this one has let go): ``release_kept_open`` closes the database first,
    and the next connection opens it again.
    """
    key = _kept_open_key(warehouse)
    _kept_open[key] = None
    try:
        yield
    finally:
        database = _kept_open.pop(key, None)
        if database is not None:
            database.close()


def release_kept_open() -> None:
    """Close every kept-open database: another process is about to open its file."""
    for key, database in _kept_open.items():
        if database is not None:
            database.close()
            _kept_open[key] = None


def _kept_open_key(warehouse: Path) -> str:
    return str(Path(warehouse).resolve())


def _open_duckdb(warehouse: Path, read_only: bool) -> Any:
    import duckdb

    from ..ingest.duckdb_settings import configure_ingest_connection

    conn = duckdb.connect(str(warehouse), read_only=read_only)
    # Every step of the close holds to the ingest's memory share (config/ingest.yaml):
    # DuckDB's default, 80 % of the machine, let the publication of 10M opportunities
    # take 4.7 GB on top of what the process already held. It spills beside the file.
    configure_ingest_connection(conn, home=None)
    return conn


def copy_schema_to_engine(target: str, duck: Any, engine: Any, schema: str, home: Path) -> dict:
    """Replace ``schema``'s tables in the engine by the home DuckDB's (rows per table)."""
    if target == "spark":
        from .spark import copy_schema_to_spark

        return copy_schema_to_spark(duck, engine, schema, home)
    from .postgres import copy_schema_to_postgres

    return copy_schema_to_postgres(duck, engine, schema, work=home)
