"""Shared Dagster resources: the DuckDB warehouse every step reads and writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb


class Warehouse(dg.ConfigurableResource):
    """The working DuckDB warehouse of one perfgov home.

    DuckDB allows one writer process and, while it writes, no reader in another process:
    every connection is opened for one step and closed at its end (``connect`` is a
    context manager), so that dbt, run in a subprocess, can open the file after us.
    """

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        from .ingest.duckdb_settings import configure_ingest_connection

        conn = duckdb.connect(self.path, read_only=read_only)
        # Every step of the close holds to the ingest's memory share (config/ingest.yaml):
        # DuckDB's default, 80 % of the machine, let the publication of 10M opportunities
        # take 4.7 GB on top of what the process already held. It spills beside the file.
        configure_ingest_connection(conn, home=None)
        try:
            yield conn
        finally:
            conn.close()


class PerfgovPaths(dg.ConfigurableResource):
    """The landing root the drops are read from and the home outputs are written under."""

    landing: str
    home: str
