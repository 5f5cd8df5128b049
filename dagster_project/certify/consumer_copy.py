"""What finance reads: copies of the certified tables that never block and never change half-way.

DuckDB lets no other process open the working warehouse while a close writes it, so
consumers never read it. After each publication they get:

- ``<home>/certified/certified.duckdb``: every certified table (all periods, all versions)
  plus ``*_in_force`` views (each period's latest version). It is built under a temporary
  name in the same folder, flushed to disk and renamed over the old one (``os.replace``,
  atomic on POSIX): a reader opens either the old copy or the new one, whole, at any time,
  even while a close runs; a reader that has it open keeps reading the old file. Open it
  with ``duckdb.connect(path, read_only=True)``; the file is not byte-reproducible (DuckDB
  stamps its own blocks), its contents are.
- per period, beside the CSVs (``publish.export_period``): one Parquet file per certified
  table and one Excel workbook ``certified_<PERIOD>.xlsx`` (``xlsx_export``). These are
  byte-identical for the same publication: Parquet is written by DuckDB with explicit
  options (checked deterministic, whatever the thread count: no timestamp inside, the
  writer's version is its only stamp); the xlsx has fixed dates.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..sql_text import quote_text

CONSUMER_COPY = "certified.duckdb"
_ALIAS = "perfgov_consumer_copy"
_TEMP_PREFIX = ".certified-"

PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"


@dataclass(frozen=True)
class ExportedPublication:
    """A publication as ``publish.export_period`` just wrote it: per certified table, the
    Parquet file of its rows in the table's order.

    The consumer copy appends these rows from the file instead of sorting the certified
    table a second time (the sort spills to disk at 10M rows under the memory limit)."""

    publication_id: str
    parquet_files: Mapping[str, Path]


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (after a rename), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_consumer_copy(
    conn: duckdb.DuckDBPyConnection,
    certified_dir: Path,
    tables: Mapping[str, str],
    exported: ExportedPublication | None = None,
) -> Path:
    """Bring ``certified_dir/certified.duckdb`` level with the warehouse's ``certified`` schema.

    ``tables`` maps each certified table to the ORDER BY of its rows. The previous copy is
    copied byte for byte to a temporary name, the publications it lacks are appended
    (``_append_new_publications``), the file is detached (DuckDB checkpoints it then: no WAL
    left) and renamed over the old copy. Appending keeps the cost of a close to its own
    period: re-sorting and re-compressing every certified row at each close grew with the
    history. A copy that does not match the warehouse (none yet, a column added since, a
    publication missing) is rebuilt whole. ``exported``: the publication just exported, whose
    rows are read from its Parquet files when it is the only one the copy lacks.
    """
    certified_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(certified_dir, [f"{_TEMP_PREFIX}*"])  # from a close that was killed
    temp = certified_dir / f"{_TEMP_PREFIX}{uuid.uuid4().hex}.duckdb"
    final = certified_dir / CONSUMER_COPY
    try:
        if not (final.exists() and _append_to_copy_of(conn, final, temp, tables, exported)):
            temp.unlink(missing_ok=True)
            Path(f"{temp}.wal").unlink(missing_ok=True)
            _attached(conn, temp, lambda: _copy_tables(conn, tables, exported))
        if Path(f"{temp}.wal").exists():
            raise RuntimeError(f"consumer copy {temp.name} left a WAL after DETACH")
        temp.chmod(0o444)  # a consumer that forgets read_only=True still cannot write it
        fsync_path(temp)
        os.replace(temp, final)
        fsync_path(certified_dir)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
    return final


def _attached(conn: duckdb.DuckDBPyConnection, path: Path, work) -> bool:
    """Run ``work`` with ``path`` attached as the copy, checkpoint, always detach."""
    conn.execute(f"ATTACH {quote_text(str(path))} AS {_ALIAS}")
    try:
        done = work()
        if done is not False:
            conn.execute(f"CHECKPOINT {_ALIAS}")
    finally:
        conn.execute(f"DETACH {_ALIAS}")
    return done is not False


def _append_to_copy_of(
    conn: duckdb.DuckDBPyConnection,
    previous: Path,
    temp: Path,
    tables: Mapping[str, str],
    exported: ExportedPublication | None,
) -> bool:
    """``previous`` copied to ``temp`` with the missing publications appended; False (and
    ``temp`` left for the caller to discard) when the copy cannot be brought level."""
    shutil.copyfile(previous, temp)  # the copy is read-only: its copy is ours to write
    temp.chmod(0o644)
    try:
        return _attached(conn, temp, lambda: _append_new_publications(conn, tables, exported))
    except duckdb.Error:  # a damaged or foreign file: rebuilt whole
        return False


def _columns(conn: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list:
    return conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ? "
        "AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def _append_new_publications(
    conn: duckdb.DuckDBPyConnection,
    tables: Mapping[str, str],
    exported: ExportedPublication | None = None,
) -> bool:
    """Append to the attached copy the rows of the publications it does not have yet.

    Publications are never changed once written (a restatement is a new one), so a copy
    whose tables have the warehouse's columns and whose publications are all in the
    warehouse differs from it only by the publications made since. False when that does
    not hold: the copy is then rebuilt whole.
    """
    warehouse = conn.execute("SELECT current_database()").fetchone()[0]
    for table in tables:
        have = _columns(conn, _ALIAS, "main", table)
        if not have or have != _columns(conn, warehouse, "certified", table):
            return False
    missing = conn.execute(
        f"SELECT count(*) FROM {_ALIAS}.main.publication_log WHERE publication_id NOT IN "
        "(SELECT publication_id FROM certified.publication_log)"
    ).fetchone()[0]
    if missing:
        return False
    _insert_new_publications(conn, tables, exported)
    return True


def _insert_new_publications(
    conn: duckdb.DuckDBPyConnection,
    tables: Mapping[str, str],
    exported: ExportedPublication | None,
) -> None:
    """Insert into the attached copy the publications of the warehouse it lacks, each
    table's rows in its order; publication_log last: it names what is complete.

    When the only publication lacking is the one just exported, its rows come from its
    Parquet files: written in the table's order (``ORDER BY period, publication_id, ...``
    is that order for a single publication), read back in file order (DuckDB keeps the
    insertion order of a query without ORDER BY: preserve_insertion_order, on by default).
    """
    new = "publication_id NOT IN (SELECT publication_id FROM {alias}.main.publication_log)"
    lacking = conn.execute(
        f"SELECT publication_id FROM certified.publication_log WHERE {new.format(alias=_ALIAS)}"
    ).fetchall()
    from_files = exported is not None and lacking == [(exported.publication_id,)]
    for table, order in tables.items():
        if table == "publication_log":
            continue
        if from_files and table in exported.parquet_files:
            conn.execute(
                f"INSERT INTO {_ALIAS}.main.{table} BY NAME "
                f"SELECT {quote_text(exported.publication_id)} AS publication_id, * "
                f"FROM read_parquet({quote_text(str(exported.parquet_files[table]))})"
            )
            continue
        conn.execute(
            f"INSERT INTO {_ALIAS}.main.{table} SELECT * FROM certified.{table} "
            f"WHERE {new.format(alias=_ALIAS)} ORDER BY {order}"
        )
    if "publication_log" in tables:
        conn.execute(
            f"INSERT INTO {_ALIAS}.main.publication_log SELECT * FROM certified.publication_log "
            f"WHERE {new.format(alias=_ALIAS)} ORDER BY {tables['publication_log']}"
        )


def _copy_tables(
    conn: duckdb.DuckDBPyConnection,
    tables: Mapping[str, str],
    exported: ExportedPublication | None = None,
) -> None:
    """The certified tables into the attached copy, and views of the versions in force.

    Each table is created empty with the certified columns, then filled as a copy is
    appended to (``_insert_new_publications``): every publication, in order."""
    for table in tables:
        conn.execute(
            f"CREATE TABLE {_ALIAS}.main.{table} AS SELECT * FROM certified.{table} LIMIT 0"
        )
    _insert_new_publications(conn, tables, exported)
    conn.execute(
        f"CREATE VIEW {_ALIAS}.main.publications_in_force AS "
        "SELECT * FROM publication_log "
        "QUALIFY row_number() OVER (PARTITION BY period ORDER BY version DESC) = 1"
    )
    for table in tables:
        if table != "publication_log":
            conn.execute(
                f"CREATE VIEW {_ALIAS}.main.{table}_in_force AS "
                f"SELECT t.* FROM {table} AS t "
                "WHERE t.publication_id IN (SELECT publication_id FROM publications_in_force)"
            )


def write_parquet(conn: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """``query``'s rows as Parquet, byte-identical for the same rows and DuckDB version."""
    conn.execute(f"COPY ({query}) TO {quote_text(str(path))} ({PARQUET_OPTIONS})")


def write_csv(conn: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """``query``'s rows as CSV with a header, comma-separated (every CSV perfgov writes)."""
    conn.execute(f"COPY ({query}) TO {quote_text(str(path))} (HEADER, DELIMITER ',')")


def remove_leftovers(folder: Path, patterns: Iterable[str]) -> None:
    """Remove what a killed export left beside its final place (temporary names only)."""
    for pattern in patterns:
        for leftover in folder.glob(pattern):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
