"""Shared Dagster resources: the home's DuckDB warehouse, and the engine a close builds in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from .engines import connect_engine


class Warehouse(dg.ConfigurableResource):
    """The working DuckDB warehouse of one perfgov home.

    DuckDB allows one writer process and, while it writes, no reader in another process:
    every connection is opened for one step and closed at its end (``connect`` is a
    context manager), so that dbt, run in a subprocess, can open the file after us.
    """

    path: str
    #: The engine dbt builds, the gates judge and the publication writes in (engines/).
    target: str = "duckdb"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The home's DuckDB file: ingestion, run records, and what the exports read."""
        with connect_engine("duckdb", Path(self.path), read_only=read_only) as conn:
            yield conn

    @contextmanager
    def engine(self, read_only: bool = False) -> Iterator[Any]:
        """A connection to the close's engine: this DuckDB file, or PostgreSQL (same
        ``execute(sql, params)`` calls on both; see engines/)."""
        with connect_engine(self.target, Path(self.path), read_only=read_only) as conn:
            yield conn

    def on_engine(self) -> EngineWarehouse:
        """This warehouse seen through its engine, for code that calls ``connect``."""
        return EngineWarehouse(self)

    @property
    def copies_to_engine(self) -> bool:
        """Whether raw tables are copied to another engine before dbt builds."""
        return self.target != "duckdb"


class EngineWarehouse:
    """``connect`` opens the engine of a ``Warehouse`` (the gates call ``connect``)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[Any]:
        with self._warehouse.engine(read_only=read_only) as conn:
            yield conn


class PerfgovPaths(dg.ConfigurableResource):
    """The landing root the drops are read from and the home outputs are written under."""

    landing: str
    home: str
