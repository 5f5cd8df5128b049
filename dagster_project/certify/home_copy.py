"""The home's copy of what another engine certified (PostgreSQL, Spark: see engines/).

On another engine, the publication is that engine's, and its ``certified`` schema is the
record. The exports, the consumer copy, the statements and the reports are
written from the home's DuckDB file on every target: after each publication, its rows are
copied into the home's ``certified`` schema, publication by publication, in one DuckDB
transaction each. A close killed between PostgreSQL's commit and that copy leaves nothing
half-done: the next close copies what is missing first. Only publications in the engine's
publication log are copied: on Spark the log row is the commit (certify/publish.py).

The copy goes one way. A publication the home has and PostgreSQL has not means the home
was closed on another engine or another database: refused, rather than certify a period
whose adjustments would be computed without the history they compare with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from ..engines import EngineError
from ..engines.dialect import as_text, column_definitions, duckdb_type
from ..engines.transfer import fetch_into_duckdb
from ..resources import Warehouse
from ..sql_text import quote_identifier
from ..warehouse_queries import has_table
from .publish import CERTIFIED_TABLES, add_new_columns, ensure_certified_schema

_LOG_COLUMNS = (
    "publication_id, period, version, run_id, published_at, supersedes, restatement_reason"
)


def _publication_ids(conn: Any) -> list[str]:
    if not has_table(conn, "certified", "publication_log"):
        return []
    rows = conn.execute(
        "SELECT publication_id FROM certified.publication_log ORDER BY period, version"
    ).fetchall()
    return [r[0] for r in rows]


def copy_new_publications(engine: Any, home: duckdb.DuckDBPyConnection) -> list[str]:
    """Copy into the home every publication of the engine it does not hold yet; return
    their ids. EngineError if the home holds one the engine does not."""
    on_engine, at_home = _publication_ids(engine), _publication_ids(home)
    foreign = sorted(set(at_home) - set(on_engine))
    if foreign:
        raise EngineError(
            f"this home holds {len(foreign)} publication(s) that the engine's database does "
            "not (first: " + foreign[0] + "): the home was closed on another engine or "
            "database. Use a new home for this database, or the engine it was closed on."
        )
    missing = [p for p in on_engine if p not in set(at_home)]
    for publication_id in missing:
        _copy_publication(engine, home, publication_id)
    return missing


def _copy_publication(engine: Any, home: duckdb.DuckDBPyConnection, publication_id: str) -> None:
    ensure_certified_schema(home)
    home.execute("BEGIN TRANSACTION")
    try:
        for table in CERTIFIED_TABLES:
            columns = [
                (c, duckdb_type(engine, t))
                for c, t in column_definitions(engine, "certified", table)
            ]
            _ensure_table(home, table, columns)
            listed = ", ".join(quote_identifier(c) for c, _ in columns)
            fetch_into_duckdb(
                engine,
                home,
                f"SELECT {listed} FROM certified.{table} WHERE publication_id = ?",
                [publication_id],
                f"certified.{table}",
            )
        copied = fetch_into_duckdb(
            engine,
            home,
            f"SELECT {_LOG_COLUMNS}, {as_text(engine, 'certificate')} AS certificate "
            "FROM certified.publication_log WHERE publication_id = ?",
            [publication_id],
            "certified.publication_log",
        )
        if copied != 1:
            raise EngineError(f"publication {publication_id} is not in the engine's log")
        home.execute("COMMIT")
    except BaseException:
        home.execute("ROLLBACK")
        raise


def _ensure_table(home: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]]):
    """The home's certified table with every column the engine's has (added ones empty)."""
    if not has_table(home, "certified", table):
        home.execute(
            f"CREATE TABLE certified.{table} ("
            + ", ".join(f"{quote_identifier(c)} {t}" for c, t in columns)
            + ")"
        )
        return
    add_new_columns(home, table, columns)


@contextmanager
def home_warehouse(warehouse: Warehouse, engine: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """The home's DuckDB with every publication of the engine in it: what exports read.
    On DuckDB it is the engine's own connection."""
    if not warehouse.copies_to_engine:
        yield engine
        return
    with warehouse.connect() as home:
        copy_new_publications(engine, home)
        yield home
