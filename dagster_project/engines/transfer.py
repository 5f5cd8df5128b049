"""Rows from the engine into the home's DuckDB file (a publication, for the exports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ..sql_text import quote_identifier


def fetch_into_duckdb(
    engine: Any,
    duck: duckdb.DuckDBPyConnection,
    select: str,
    params: Sequence[Any],
    target: str,
) -> int:
    """Insert the rows of ``select`` (run on the engine) into DuckDB's ``target`` by column
    name; the columns of ``select`` must exist in ``target``. Returns the rows inserted."""
    import pyarrow as pa

    cursor = engine.execute(select, params)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        return 0
    columns = list(zip(*rows, strict=True))
    arrow = pa.table({name: pa.array(values) for name, values in zip(names, columns, strict=True)})
    listed = ", ".join(quote_identifier(n) for n in names)
    duck.register("perfgov_rows_from_engine", arrow)
    try:
        duck.execute(
            f"INSERT INTO {target} ({listed}) SELECT {listed} FROM perfgov_rows_from_engine"
        )
    finally:
        duck.unregister("perfgov_rows_from_engine")
    return len(rows)
