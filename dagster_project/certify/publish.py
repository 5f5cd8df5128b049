"""Publishing a period: certified tables in one transaction, then read-only exports.

The close builds the period's marts in the working schemas (its run area); the gates judge
them there; only then does ``publish_period`` copy them into the ``certified`` schema, every
table and the publication log in ONE transaction: a consumer sees all of a publication or
none of it, even if the process is killed half-way. A certified period never changes: a
second publication of it is a restatement that names the one it supersedes.

Exports (CSV, Parquet and an Excel workbook per period, and the consumer copy
``certified.duckdb``: see ``consumer_copy``) are derived from the certified tables, written
under a temporary name and renamed, so they can always be rewritten identically from the
warehouse.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..engines.dialect import as_text, column_definitions, engine_of
from ..sql_text import quote_identifier, quote_text
from ..transform.run_area import relation
from ..warehouse_queries import has_table
from .consumer_copy import (
    ExportedPublication,
    fsync_path,
    remove_leftovers,
    write_consumer_copy,
    write_csv,
    write_parquet,
)
from .xlsx_export import write_xlsx

# Certified table -> the mart it is published from, and the order its rows are exported in.
# Every certified table has the columns ``publication_id`` (the certificate) and ``period``;
# a mart that names its period ``snapshot_period`` has it renamed (see ``_mart_select``).
CERTIFIED_TABLES: Mapping[str, tuple[str, str]] = {
    "incentive_payouts": ("marts.payouts", "employee_id"),
    "credit_lines": (
        "marts.credit_lines",
        "line_type, opportunity_id, credited_user_id, employee_id NULLS FIRST",
    ),
    "payout_holds": ("marts.payout_holds", "employee_id, hold_rule"),
    "bookings": ("marts.bookings", "opportunity_id"),
    "revenue": ("marts.invoices", "invoice_number, source_row"),
    "reconciliation": ("marts.reconciliation", "period"),
    "reconciliation_lines": (
        "marts.reconciliation_by_opportunity",
        "reconciliation_status, opportunity_id NULLS LAST, invoice_numbers",
    ),
    # Reporting (issue 7): the monthly pack and the reps' action lists read these copies.
    "kpi_sales": ("marts.kpi_sales", "scope_level, scope_id"),
    "kpi_attainment_distribution": ("marts.kpi_attainment_distribution", "scope_level, scope_id"),
    "kpi_benchmarks": ("marts.kpi_benchmarks", "scope_level, scope_id, metric"),
    "kpi_people": ("marts.kpi_people", "scope_level, scope_id"),
    "kpi_customer_months": ("marts.kpi_customer_months", "erp_customer_code, account_id"),
    "churn_risk": ("marts.churn_risk", "erp_customer_code, account_id"),
}

# Tables with a row per deal, invoice line, opportunity or customer: they grow with the
# business (9M invoice lines at 10M opportunities, more than an Excel sheet holds, and
# minutes of writing cell by cell). The workbook keeps the tables a person reads in Excel,
# by worker, team, business line or company; these are in CSV and Parquet (and in
# certified.duckdb) only, listed with their row counts on the workbook's last sheet.
LINE_LEVEL_TABLES: tuple[str, ...] = (
    "credit_lines",
    "bookings",
    "revenue",
    "reconciliation_lines",
    "kpi_customer_months",
    "churn_risk",
)
WORKBOOK_TABLES: tuple[str, ...] = tuple(t for t in CERTIFIED_TABLES if t not in LINE_LEVEL_TABLES)
LINE_LEVEL_SHEET = "line_level_tables"  # the workbook's last sheet: where the others are

# Every table of the certified schema, in the consumer copy: table -> order of its rows.
CONSUMER_TABLES: Mapping[str, str] = {
    "publication_log": "period, version",
    **{table: f"period, publication_id, {order}" for table, (_, order) in CERTIFIED_TABLES.items()},
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

# Spark: no VARCHAR without a length, no JSON type, no key or NOT NULL on a Parquet table.
SPARK_PUBLICATION_LOG_DDL = """
CREATE TABLE IF NOT EXISTS certified.publication_log (
    publication_id STRING, period STRING, version INT, run_id STRING,
    published_at TIMESTAMP, supersedes STRING, restatement_reason STRING, certificate STRING
)"""


class PublicationError(Exception):
    """A publication that must not happen (the period is already certified, or blocked)."""


@dataclass(frozen=True)
class Publication:
    publication_id: str
    period: str
    version: int
    supersedes: str | None
    run_id: str | None = None  # the close that published it


def ensure_certified_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS certified")
    conn.execute(SPARK_PUBLICATION_LOG_DDL if engine_of(conn) == "spark" else PUBLICATION_LOG_DDL)


def current_publication(conn: duckdb.DuckDBPyConnection, period: str) -> Publication | None:
    """The period's publication in force (the latest version), if it was ever certified."""
    if not has_table(conn, "certified", "publication_log"):
        return None
    row = conn.execute(
        "SELECT publication_id, period, version, supersedes, run_id FROM "
        "certified.publication_log WHERE period = ? ORDER BY version DESC LIMIT 1",
        [period],
    ).fetchone()
    return Publication(*row) if row else None


def certified_periods(conn: duckdb.DuckDBPyConnection) -> list[str]:
    if not has_table(conn, "certified", "publication_log"):
        return []
    rows = conn.execute("SELECT DISTINCT period FROM certified.publication_log ORDER BY 1")
    return [r[0] for r in rows.fetchall()]


def publish_period(
    conn: duckdb.DuckDBPyConnection,
    period: str,
    run_id: str,
    certificate: dict,
    restatement_reason: str | None = None,
) -> Publication:
    """Copy the period's marts, from the run area of ``run_id``, into ``certified`` and log
    the publication, atomically."""
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
        run_id=run_id,
    )
    conn.execute("BEGIN TRANSACTION")
    try:
        for table, (mart, _) in CERTIFIED_TABLES.items():
            columns, rows = _mart_select(conn, relation(conn, mart, run_id))  # the run's area
            empty_id = as_text(conn, "''")
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS certified.{table} AS "
                f"SELECT {empty_id} AS publication_id, r.* FROM ({rows}) AS r WHERE 1 = 0"
            )
            add_new_columns(conn, table, columns)
            listed = ", ".join(quote_identifier(name) for name, _ in columns)
            # Columns by name (the certified table may have gained columns in another order).
            conn.execute(
                f"INSERT INTO certified.{table} (publication_id, {listed}) "
                f"SELECT ?, {listed} FROM ({rows}) AS r WHERE period = ?",
                [publication.publication_id, period],
            )
        # Every row written, not committed. On Spark (no transaction across tables) the
        # log row below is the commit: whatever reads certified joins the log.
        pause_point("publication")
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


def add_new_columns(conn: Any, table: str, columns: list[tuple[str, str]]) -> None:
    """A mart that gained a column since the table was first certified: add it, empty for
    the earlier publications (they were certified without it and stay as they were)."""
    have = {name for name, _ in column_definitions(conn, "certified", table)}
    for name, data_type in columns:
        if name not in have:
            conn.execute(
                f"ALTER TABLE certified.{table} ADD COLUMN {quote_identifier(name)} {data_type}"
            )


def _mart_select(conn: Any, mart: str) -> tuple[list[tuple[str, str]], str]:
    """(column, type) of a mart as certified, and the ``SELECT`` of its rows: its period in a
    column named ``period``, whichever name the mart gives it."""
    schema, name = mart.split(".")
    columns = column_definitions(conn, schema, name)
    names = [column for column, _ in columns]
    if "period" in names:
        certified = [(c, c, t) for c, t in columns]
    elif "snapshot_period" in names:  # renamed, and first, as the other tables have it
        certified = [("snapshot_period", "period", dict(columns)["snapshot_period"])] + [
            (c, c, t) for c, t in columns if c != "snapshot_period"
        ]
    else:
        raise PublicationError(f"{mart} has no period column: it cannot be certified by period")
    selected = ", ".join(
        quote_identifier(old)
        if old == new
        else f"{quote_identifier(old)} AS {quote_identifier(new)}"
        for old, new, _ in certified
    )
    return [(new, t) for _, new, t in certified], f"SELECT {selected} FROM {mart}"


def exports_are_current(conn: duckdb.DuckDBPyConnection, period: str, certified_dir: Path) -> bool:
    """Whether ``certified_dir/<period>`` holds the exports of the publication in force
    (a close killed after its commit, before its exports were swapped in, leaves them
    behind)."""
    certificate = certified_dir / period / "certificate.json"
    publication = current_publication(conn, period)
    if publication is None or not certificate.exists():
        return False
    return json.loads(certificate.read_text()).get("run_id") == publication.run_id


def export_period(conn: duckdb.DuckDBPyConnection, period: str, certified_dir: Path) -> Path:
    """Write the period's certified tables in force under ``certified_dir/<period>``, then
    rebuild the consumer copy ``certified_dir/certified.duckdb``.

    Per table a CSV and a Parquet file, one workbook ``certified_<period>.xlsx`` with a sheet
    per table of ``WORKBOOK_TABLES`` (the line-level tables are listed on its last sheet,
    not copied into it), and the certificate. Rows come from the certified tables (never the marts),
    in a fixed order, with no timestamp inside: the same publication always gives
    byte-identical data files (the certificate carries the times). The folder is written
    beside its final place and swapped in, so a reader never sees half of it.
    """
    publication = current_publication(conn, period)
    if publication is None:
        raise PublicationError(f"period {period} is not certified: nothing to export")
    final = certified_dir / period
    certified_dir.mkdir(parents=True, exist_ok=True)
    # A close killed while exporting left its temporary folder: exports run one at a time
    # (the warehouse has one writer), so what matches these names is nobody's work.
    remove_leftovers(certified_dir, [f".{period}.*.tmp", f".{period}.*.old"])
    staging = certified_dir / f".{period}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    try:
        queries = {}
        for table, (_, order) in CERTIFIED_TABLES.items():
            # COPY takes no parameters: the id is a uuid4 and the path is ours, quoted.
            query = (
                f"SELECT * EXCLUDE (publication_id) FROM certified.{table} "
                f"WHERE publication_id = '{publication.publication_id}' ORDER BY {order}"
            )
            # Sorted once, into the Parquet file; the CSV (and the consumer copy) read the
            # file back in its order (DuckDB keeps the insertion order of a query without
            # ORDER BY: preserve_insertion_order, on by default) instead of sorting again:
            # the same rows, values and types, so the same bytes.
            parquet = staging / f"{table}.parquet"
            write_parquet(conn, query, parquet)
            write_csv(
                conn,
                f"SELECT * FROM read_parquet({quote_text(str(parquet))})",
                staging / f"{table}.csv",
            )
            queries[table] = query
        sheets = {table: queries[table] for table in WORKBOOK_TABLES}
        sheets[LINE_LEVEL_SHEET] = _line_level_index(publication.publication_id)
        write_xlsx(conn, sheets, staging / f"certified_{period}.xlsx")
        certificate = conn.execute(
            "SELECT certificate FROM certified.publication_log WHERE publication_id = ?",
            [publication.publication_id],
        ).fetchone()[0]
        (staging / "certificate.json").write_text(
            json.dumps(json.loads(certificate), indent=2, sort_keys=True) + "\n"
        )
        for written in staging.iterdir():
            written.chmod(0o444)  # certified files are never edited, only replaced
            fsync_path(written)
        swap_in(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    exported = ExportedPublication(
        publication.publication_id,
        {table: final / f"{table}.parquet" for table in CERTIFIED_TABLES},
    )
    write_consumer_copy(conn, certified_dir, CONSUMER_TABLES, exported)
    return final


def _line_level_index(publication_id: str) -> str:
    """The workbook's last sheet: each line-level table, its rows and its two files."""
    rows = " UNION ALL ".join(
        f"SELECT {i} AS position, '{table}' AS table_name, count(*) AS row_count, "
        f"'{table}.csv' AS csv_file, '{table}.parquet' AS parquet_file "
        f"FROM certified.{table} WHERE publication_id = '{publication_id}'"
        for i, table in enumerate(LINE_LEVEL_TABLES)
    )
    return (
        "SELECT table_name, row_count, csv_file, parquet_file, 'not in this workbook: one "
        "row per deal, invoice line or customer; open the CSV or Parquet file beside it, or "
        f"certified.duckdb' AS note FROM ({rows}) ORDER BY position"
    )


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no libc, or a glibc older than 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.restype = ctypes.c_int
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0  # EINVAL/ENOSYS: the file system or kernel cannot: fall back


def swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` by renames only (never a half-written folder).

    On Linux the two folders are exchanged atomically, so ``final`` always exists; elsewhere
    ``final`` is missing for the instant between two renames (a reader then finds no
    folder, never a partial one), and a crash in that instant leaves the period without
    exports until they are rewritten (``closing.ensure_exports``).
    """
    if not final.exists():
        os.rename(staging, final)
    elif _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # it holds the old files now
    else:
        retired = final.with_name(f".{final.name}.{uuid.uuid4().hex}.old")
        os.rename(final, retired)
        os.rename(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    fsync_path(final.parent)


# Test hook (tests/test_certification.py): with PERFGOV_TEST_PAUSE_AT=<point> a close stops
# at that named point, prints "perfgov-test: paused at <point>" to stderr and sleeps
# PERFGOV_TEST_PAUSE_SECONDS (default 3600), so that a test can SIGKILL it exactly there.
# The only point is "publication": inside the publication transaction, every row written,
# before COMMIT. Unset (always, outside tests) it does nothing.
PAUSE_ENV = "PERFGOV_TEST_PAUSE_AT"


def pause_point(name: str) -> None:
    if os.environ.get(PAUSE_ENV) == name:
        print(f"perfgov-test: paused at {name}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("PERFGOV_TEST_PAUSE_SECONDS", "3600")))
