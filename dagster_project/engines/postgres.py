"""PostgreSQL as the engine of a close: the connection, and copying tables in and out.

The connection settings are dbt's (dbt/profiles.yml, output ``postgres``): ``PERFGOV_PG_HOST``,
``_PORT``, ``_USER``, ``_PASSWORD``, ``_DATABASE``, each falling back to libpq's ``PGHOST``...
so that dbt and perfgov always reach the same database. Nothing is read from a file.

Tables move without any DuckDB extension (none can be installed offline): into PostgreSQL,
DuckDB writes a CSV that psycopg2 streams with ``COPY FROM STDIN``; out of it, rows are
fetched and handed to DuckDB as an Arrow table (values keep their type: ``Decimal``, dates).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..sql_text import quote_identifier
from . import EngineError, QueryError
from .dialect import column_definitions


@dataclass(frozen=True)
class PostgresSettings:
    """Where to connect. The password is not kept here: it is read from the environment
    when connecting, so it never reaches a repr, a message or a log."""

    host: str
    port: int
    user: str
    database: str

    @classmethod
    def from_environment(cls) -> PostgresSettings:
        def setting(name: str, libpq: str, default: str) -> str:
            return os.environ.get(f"PERFGOV_PG_{name}") or os.environ.get(libpq) or default

        return cls(
            host=setting("HOST", "PGHOST", "localhost"),
            port=int(setting("PORT", "PGPORT", "5432")),
            user=setting("USER", "PGUSER", "perfgov"),
            database=setting("DATABASE", "PGDATABASE", "perfgov"),
        )

    def describe(self) -> str:
        """Where, without the password: for messages and the certificate."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


class PostgresCursor:
    """What DuckDB's ``execute`` returns, enough for perfgov: fetchone, fetchall, description."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()


class PostgresConnection:
    """A psycopg2 connection with DuckDB's calling convention: ``execute(sql, [params])``
    with ``?`` placeholders, statements in autocommit unless inside ``BEGIN``/``COMMIT``.

    So the statements perfgov writes in portable SQL (information_schema, run areas, the
    gates' aggregates, the publication) run unchanged on both engines.
    """

    engine = "postgres"

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        raw.autocommit = True  # explicit BEGIN ... COMMIT, as on DuckDB

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PostgresCursor:
        import psycopg2

        cursor = self.raw.cursor()
        try:
            if params:
                cursor.execute(placeholders_for_psycopg(sql), list(params))
            else:
                cursor.execute(sql)
        except psycopg2.Error as exc:
            raise QueryError(str(exc).strip()) from exc
        return PostgresCursor(cursor)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.cursor().executemany(placeholders_for_psycopg(sql), [list(r) for r in rows])

    def close(self) -> None:
        self.raw.close()


def placeholders_for_psycopg(sql: str) -> str:
    """``?`` placeholders as psycopg2's ``%s`` (and a literal ``%`` doubled), outside quotes."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append("%%" if char == "%" else char)
    return "".join(out)


@contextlib.contextmanager
def connect(settings: PostgresSettings | None = None) -> Iterator[PostgresConnection]:
    """A connection to the target database, closed at the end; EngineError if unreachable."""
    import psycopg2  # installed with dbt-postgres; only a PostgreSQL close imports it

    settings = settings or PostgresSettings.from_environment()
    try:
        raw = psycopg2.connect(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            password=os.environ.get("PERFGOV_PG_PASSWORD") or os.environ.get("PGPASSWORD"),
            dbname=settings.database,
            application_name="perfgov",
        )
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "refused"
        raise EngineError(
            f"PostgreSQL {settings.describe()} cannot be reached: {first_line}"
        ) from None
    conn = PostgresConnection(raw)
    try:
        yield conn
    finally:
        conn.close()


def server_version(conn: PostgresConnection) -> str:
    return str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]


# --------------------------------------------------------------------------------------
# DuckDB -> PostgreSQL: the raw tables a close's dbt build reads
# --------------------------------------------------------------------------------------

# DuckDB type -> PostgreSQL type, for the types the raw and certified tables use.
_TO_POSTGRES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "HUGEINT": "numeric(38, 0)",
    "JSON": "json",
    "VARCHAR[]": "text[]",
}


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    try:
        return _TO_POSTGRES[duckdb_type]
    except KeyError:
        raise EngineError(f"no PostgreSQL type for DuckDB's {duckdb_type}") from None


def _as_csv_text(column: str, duckdb_type: str) -> str:
    """The column as DuckDB selects it for the CSV: lists become PostgreSQL array literals."""
    name = quote_identifier(column)
    if duckdb_type != "VARCHAR[]":
        return name
    element = "'\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"'"
    return (
        f"CASE WHEN {name} IS NULL THEN NULL ELSE '{{' || "
        f"array_to_string(list_transform({name}, lambda x: {element}), ',') || '}}' END AS {name}"
    )


def duckdb_tables(duck: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        row[0]
        for row in duck.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        ).fetchall()
    ]


def copy_schema_to_postgres(
    duck: duckdb.DuckDBPyConnection,
    pg: PostgresConnection,
    schema: str,
    where: str = "",
    work: Path | None = None,
) -> dict[str, int]:
    """Replace every table of ``schema`` in PostgreSQL by DuckDB's (same names, columns and
    types; ``where`` filters the rows), in ONE transaction: dbt never reads half a copy.
    Returns the rows copied per table."""
    copied: dict[str, int] = {}
    tables = duckdb_tables(duck, schema)
    if not tables:
        return copied
    target_schema = quote_identifier(schema)
    with tempfile.TemporaryDirectory(prefix="perfgov-copy-", dir=work) as folder:
        pg.execute("BEGIN")
        try:
            pg.execute(f"CREATE SCHEMA IF NOT EXISTS {target_schema}")
            for table in tables:
                columns = column_definitions(duck, schema, table)
                target = f"{target_schema}.{quote_identifier(table)}"
                wanted = [(c, postgres_type(t)) for c, t in columns]
                if _same_columns(column_types(pg, schema, table), wanted):
                    # Emptied, not dropped: the views of earlier run areas read it.
                    pg.execute(f"TRUNCATE {target}")
                else:
                    pg.execute(f"DROP TABLE IF EXISTS {target} CASCADE")
                    pg.execute(
                        f"CREATE TABLE {target} ("
                        + ", ".join(f"{quote_identifier(c)} {t}" for c, t in wanted)
                        + ")"
                    )
                csv = Path(folder) / f"{schema}.{table}.csv"
                selected = ", ".join(_as_csv_text(c, t) for c, t in columns)
                # COPY takes no parameters: the path is ours, the names quoted.
                duck.execute(
                    f"COPY (SELECT {selected} FROM {target} {where}) TO '{csv}' "
                    "(HEADER, FORCE_QUOTE *)"
                )
                cursor = pg.raw.cursor()
                with csv.open(encoding="utf-8") as rows:
                    cursor.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT csv, HEADER)", rows)
                copied[table] = cursor.rowcount
                csv.unlink()
            pg.execute("COMMIT")
        except BaseException:
            pg.execute("ROLLBACK")
            raise
    return copied


def _same_columns(existing: list[tuple[str, str]], wanted: list[tuple[str, str]]) -> bool:
    """Whether PostgreSQL's table has the columns and types DuckDB's has (``format_type``
    writes ``numeric(18,2)`` where the DDL said ``numeric(18, 2)``)."""
    aliases = {"timestampwithouttimezone": "timestamp", "timestampwithtimezone": "timestamptz"}

    def normal(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
        squeezed = [(c, t.replace(" ", "")) for c, t in columns]
        return [(c, aliases.get(t, t)) for c, t in squeezed]

    return bool(existing) and normal(existing) == normal(wanted)


# --------------------------------------------------------------------------------------
# PostgreSQL -> DuckDB: a publication's rows, for the exports and reports
# --------------------------------------------------------------------------------------


def duckdb_type(postgres_type_name: str) -> str:
    """DuckDB's type for a column PostgreSQL describes with ``format_type``."""
    name = postgres_type_name.lower()
    if name.startswith("numeric("):
        return "DECIMAL" + name.removeprefix("numeric").replace(" ", "")
    if name.startswith(("character varying", "character(")) or name == "text":
        return "VARCHAR"
    if name.endswith("[]"):
        return duckdb_type(name[:-2]) + "[]"
    mapping = {
        "numeric": "DECIMAL(38, 10)",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp without time zone": "TIMESTAMP",
        "timestamp": "TIMESTAMP",
        "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
        "timestamptz": "TIMESTAMP WITH TIME ZONE",
        "bigint": "BIGINT",
        "integer": "INTEGER",
        "smallint": "SMALLINT",
        "double precision": "DOUBLE",
        "real": "FLOAT",
        "json": "JSON",
        "jsonb": "JSON",
    }
    try:
        return mapping[name]
    except KeyError:
        raise EngineError(f"no DuckDB type for PostgreSQL's {postgres_type_name}") from None


def column_types(pg: PostgresConnection, schema: str, table: str) -> list[tuple[str, str]]:
    """(column, PostgreSQL type as ``format_type`` writes it), in column order."""
    return pg.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        [schema, table],
    ).fetchall()
