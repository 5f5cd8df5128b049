"""The Dagster run history of a close, written without waiting for the disk at every event.

A close records about 640 events in the home's Dagster instance (``<home>/dagster``: SQLite
files, one per run plus an index); Dagster opens a connection, commits and closes it for
each one, and SQLite's default (``synchronous = FULL``) waits for the disk at each commit
and close. On the 2-core benchmark machine that is 10-40 ms an event depending on other
disk traffic: 200 asset events in a scratch instance took 4.8-9.9 s, and 2.5-2.6 s with
``synchronous = OFF``; in the sample close, the run's set-up (planned events) went from
4.9-9.1 s to 1.5-2.0 s and the ingestion and raw gates from 9.5-11.5 s to 5.6-7.7 s
(measured one after the other on a loaded machine).

What it risks: nothing if the close process crashes (SQLite has handed every write to the
operating system). An operating-system crash or power cut during a close can lose or damage
that run history, which only the Dagster UI reads: the close's results, run record and
evidence are in the warehouse and the home's files, written by DuckDB with its own
durability. Only the close's own run sets it, and only while it runs.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _no_sync(dbapi_connection: Any, _connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


@contextlib.contextmanager
def unsynced_run_history() -> Iterator[None]:
    """Inside: every new SQLite connection of Dagster's storage (SQLAlchemy engines, opened
    per event) commits without waiting for the disk. Outside: SQLite's default again."""
    event.listen(Engine, "connect", _no_sync)
    try:
        yield
    finally:
        event.remove(Engine, "connect", _no_sync)
