"""Spark as the engine of a close: dbt-spark's session mode, in the close's own process.

dbt-spark's ``session`` method runs Spark inside the process that runs dbt, and the local
catalog (an embedded Derby database) admits one JVM at a time. So a Spark close runs
everything in ONE process and ONE SparkSession: perfgov starts the session (``session``),
copies the raw tables into it, runs dbt in process (``dbtRunner``, which picks up the same
session), then gates and publishes through it.

The session's settings are the ``spark`` output of dbt/profiles.yml (its
``server_side_parameters``), rendered for the home: the catalog and the warehouse folder
live in ``<home>/spark`` (``PERFGOV_SPARK_DIR``). Spark comes from pyspark's own jars and
a local Java; nothing is downloaded.

The connection perfgov uses (``SparkConnection``) has DuckDB's ``execute(sql, params)``
shape. Spark has no multi-statement transaction: ``BEGIN``/``COMMIT``/``ROLLBACK`` are
accepted and do nothing, and the publication's commit point is its row in the publication
log (see certify/publish.py and the README).
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from ..sql_text import quote_identifier
from . import EngineError, QueryError
from .dialect import column_definitions

SPARK_DIR_ENV = "PERFGOV_SPARK_DIR"

#: DuckDB types Parquet (or Spark) does not carry as they are: the cast DuckDB writes.
_PARQUET_CASTS = {"HUGEINT": "DECIMAL(38, 0)", "JSON": "VARCHAR"}

_NO_TRANSACTIONS = {"BEGIN", "BEGIN TRANSACTION", "COMMIT", "ROLLBACK"}

_SESSION: Any = None


def spark_dir(home: Path) -> Path:
    return home / "spark"


def session_settings(folder: Path) -> dict[str, str]:
    """The ``spark`` output's server_side_parameters (dbt/profiles.yml) for ``folder``."""
    import jinja2
    import yaml

    from ..settings import DBT_PROJECT_DIR

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["perfgov"]["outputs"]["spark"].get("server_side_parameters", {})
    environment = {SPARK_DIR_ENV: str(folder)}
    env = jinja2.Environment(autoescape=False)
    env.globals["env_var"] = lambda name, default=None: environment.get(
        name, os.environ.get(name, default)
    )
    return {key: env.from_string(str(value)).render() for key, value in parameters.items()}


def session(home: Path) -> Any:
    """This process's SparkSession, started on first use for the home's Spark folder
    (``PERFGOV_SPARK_DIR`` when set, as dbt's profile reads it)."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    folder = os.environ.get(SPARK_DIR_ENV) or str(spark_dir(home))
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise EngineError("Spark needs a Java runtime (java on PATH, or JAVA_HOME)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "pyspark is not installed: `uv sync --group spark` (installed by default)"
        ) from None
    from ..settings import PROJECT_ROOT

    settings = session_settings(Path(folder))
    # Errors only (config/spark-log4j2.properties), and no progress bars in the terminal.
    logging = (
        f"-Dlog4j2.configurationFile=file:{PROJECT_ROOT / 'config' / 'spark-log4j2.properties'}"
    )
    java_options = settings.get("spark.driver.extraJavaOptions", "")
    settings["spark.driver.extraJavaOptions"] = f"{java_options} {logging}".strip()
    settings.setdefault("spark.ui.showConsoleProgress", "false")
    builder = SparkSession.builder.appName("perfgov").enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():  # "PySpark does not yet fully support pandas >= 3"
        warnings.simplefilter("ignore", FutureWarning)
        _SESSION = builder.getOrCreate()
    return _SESSION


class SparkCursor:
    def __init__(self, frame: Any) -> None:
        self._rows = [tuple(row) for row in frame.collect()] if frame is not None else []
        self.description = (
            [(name, None, None, None, None, None, None) for name in frame.columns]
            if frame is not None
            else None
        )
        self._next = 0

    def fetchone(self) -> tuple | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple]:
        rows, self._next = self._rows[self._next :], len(self._rows)
        return rows


class SparkConnection:
    """The session with DuckDB's calling convention (``?`` placeholders, fetchone/all).

    Each statement runs in ANSI mode with double-quoted identifiers, as the SQL perfgov
    writes expects (``"Employee_ID"`` is a column, never a string): dbt-spark turns ANSI
    off for its own statements, so it is set again before each of ours.
    """

    engine = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> SparkCursor:
        if sql.strip().upper() in _NO_TRANSACTIONS:
            return SparkCursor(None)
        self.spark.conf.set("spark.sql.ansi.enabled", "true")
        self.spark.conf.set("spark.sql.ansi.doubleQuotedIdentifiers", "true")
        try:
            frame = self.spark.sql(sql, args=list(params)) if params else self.spark.sql(sql)
            return SparkCursor(frame)
        except Exception as exc:  # pyspark's AnalysisException, ParseException...
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                raise QueryError(str(exc).strip().splitlines()[0]) from exc
            raise

    def close(self) -> None:
        """The session lives as long as the process (dbt reuses it)."""


def server_version(conn: SparkConnection) -> str:
    return str(conn.spark.version)


def has_table(conn: SparkConnection, schema: str, table: str) -> bool:
    return bool(conn.spark.catalog.tableExists(f"{schema}.{table}"))


def list_tables(conn: SparkConnection, schema: str) -> list[tuple[str, str]]:
    """(name, ``TABLE``/``VIEW``) of ``schema``, by name; none if it does not exist."""
    if not conn.spark.catalog.databaseExists(schema):
        return []
    return sorted(
        (t.name, "VIEW" if t.tableType == "VIEW" else "TABLE")
        for t in conn.spark.catalog.listTables(schema)
        if not t.isTemporary
    )


def column_types(conn: SparkConnection, schema: str, table: str) -> list[tuple[str, str]]:
    """(column, Spark's type name) in order; none if the table does not exist."""
    if not has_table(conn, schema, table):
        return []
    return [(c.name, c.dataType) for c in conn.spark.catalog.listColumns(f"{schema}.{table}")]


def duckdb_type(spark_type: str) -> str:
    """DuckDB's type for a Spark column type name."""
    name = spark_type.lower().replace(" ", "")
    if name.startswith("decimal("):
        return "DECIMAL" + name.removeprefix("decimal")
    if name.startswith(("varchar(", "char(")):
        return "VARCHAR"
    if name.startswith("array<") and name.endswith(">"):
        return duckdb_type(name[len("array<") : -1]) + "[]"
    mapping = {
        "string": "VARCHAR",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp_ntz": "TIMESTAMP",
        "timestamp": "TIMESTAMP WITH TIME ZONE",
        "bigint": "BIGINT",
        "int": "INTEGER",
        "smallint": "SMALLINT",
        "double": "DOUBLE",
        "float": "FLOAT",
    }
    try:
        return mapping[name]
    except KeyError:
        raise EngineError(f"no DuckDB type for Spark's {spark_type}") from None


def copy_schema_to_spark(
    duck: duckdb.DuckDBPyConnection, conn: SparkConnection, schema: str, home: Path
) -> dict[str, int]:
    """Replace every table of ``schema`` in Spark by DuckDB's: DuckDB writes Parquet (a new
    folder per copy), Spark's catalog points the table at it. Returns rows per table.

    Table by table: Spark has no transaction across tables. dbt reads them only after this
    returns, and a copy that fails half-way fails the close before dbt starts.
    """
    from .postgres import duckdb_tables

    copied: dict[str, int] = {}
    tables = duckdb_tables(duck, schema)
    root = spark_dir(home) / "copies" / schema
    batch = root / uuid.uuid4().hex
    conn.execute(f"CREATE DATABASE IF NOT EXISTS {schema}")
    for table in tables:
        columns = column_definitions(duck, schema, table)
        selected = ", ".join(
            f"CAST({quote_identifier(c)} AS {_PARQUET_CASTS[t]}) AS {quote_identifier(c)}"
            if t in _PARQUET_CASTS
            else quote_identifier(c)
            for c, t in columns
        )
        folder = batch / table  # Spark's catalog wants a table's location to be a folder
        folder.mkdir(parents=True)
        source = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        written = duck.execute(
            f"COPY (SELECT {selected} FROM {source}) TO '{folder / 'data.parquet'}' "
            "(FORMAT parquet)"
        ).fetchone()
        target = f"{schema}.`{table}`"
        conn.execute(f"DROP TABLE IF EXISTS {target}")
        conn.execute(f"CREATE TABLE {target} USING parquet LOCATION '{folder}'")
        copied[table] = int(written[0]) if written else 0
    # Earlier copies: no table points at them any more.
    for old in root.iterdir():
        if old != batch:
            shutil.rmtree(old, ignore_errors=True)
    return copied
