"""A throwaway PostgreSQL cluster for tests, and copying a DuckDB warehouse's inputs into it.

The cluster lives in a temporary folder of /tmp: ``initdb`` there, ``pg_ctl`` on a free
local port with its unix socket in the same folder (no TCP listener), trust authentication,
stopped and removed at the end of the ``with`` block, even on failure. The server binaries
come from ``pg_config --bindir`` or Debian's ``/usr/lib/postgresql/<version>/bin``
(``.ci/run`` installs the ``postgresql`` package when ``initdb`` is missing). PostgreSQL
refuses to run as root: as root, the cluster's folder is given to the ``postgres`` user
(Debian's package creates it) and ``initdb`` and ``pg_ctl`` run as that user (``runuser``).

Inputs are copied without any DuckDB extension (no network to install one): DuckDB writes
each table to CSV, psycopg2 (installed with dbt-postgres) reads it with ``COPY FROM STDIN``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

DATABASE = "perfgov"
SUPERUSER = "perfgov"


def server_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None when no server is installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    # Debian's client package puts pg_config in /usr/bin: the server is per version.
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    socket_dir: Path
    port: int

    def environment(self) -> dict[str, str]:
        """What the dbt profile's postgres target reads (see dbt/profiles.yml)."""
        return {
            "PERFGOV_PG_HOST": str(self.socket_dir),
            "PERFGOV_PG_PORT": str(self.port),
            "PERFGOV_PG_USER": SUPERUSER,
            "PERFGOV_PG_PASSWORD": "",
            "PERFGOV_PG_DATABASE": DATABASE,
        }

    def connect(self, dbname: str = DATABASE):
        import psycopg2

        return psycopg2.connect(
            host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=dbname
        )


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a cluster in a new folder of /tmp; stop it and remove the folder at the end,
    even on error. (Its own folder in /tmp, not pytest's: as root, the server runs as
    ``postgres``, which cannot enter root's 0700 pytest folders.)"""
    bindir = server_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl): see .ci/run")
    folder = Path(tempfile.mkdtemp(prefix="perfgov-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb: "cannot be run as root"
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            raise RuntimeError("running as root needs a 'postgres' user: see .ci/run") from None
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = _free_port()

    def run(*argv: str) -> None:
        done = subprocess.run([*as_user, *argv], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stderr or done.stdout}")

    # fsync off: a throwaway cluster, nothing to keep after a crash.
    options = f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off"
    started = False
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
            "-w", "start")  # fmt: skip
        started = True
        cluster = Cluster(folder, port)
        with contextlib.closing(cluster.connect("postgres")) as conn:
            conn.autocommit = True
            conn.cursor().execute(f"CREATE DATABASE {DATABASE}")
        yield cluster
    finally:
        if started:
            subprocess.run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                 "stop"], capture_output=True,
            )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


# DuckDB type -> PostgreSQL type, for the types raw and certified tables use.
_TYPES = {
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
    "JSON": "jsonb",
    "VARCHAR[]": "text[]",
}


def _pg_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return _TYPES[duckdb_type]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_pg_text(column: str, duckdb_type: str) -> str:
    """The column as DuckDB selects it for the CSV: lists become PostgreSQL array literals."""
    name = _quoted(column)
    if duckdb_type != "VARCHAR[]":
        return name
    element = "'\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"'"
    return (
        f"CASE WHEN {name} IS NULL THEN NULL ELSE '{{' || "
        f"array_to_string(list_transform({name}, lambda x: {element}), ',') || '}}' END AS {name}"
    )


def copy_tables(
    warehouse: Path, cluster: Cluster, schema: str, where: str = "", work: Path | None = None
) -> dict[str, int]:
    """Copy every table of ``schema`` from the DuckDB file into PostgreSQL, same names,
    columns (case kept) and types; ``where`` filters the rows. Returns rows per table."""
    work = work or warehouse.parent
    copied: dict[str, int] = {}
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as duck:
        tables = [
            row[0]
            for row in duck.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
                [schema],
            ).fetchall()
        ]
        if not tables:
            return copied
        with contextlib.closing(cluster.connect()) as pg:
            cur = pg.cursor()
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(schema)}")
            for table in tables:
                columns = duck.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    [schema, table],
                ).fetchall()
                target = f"{_quoted(schema)}.{_quoted(table)}"
                cur.execute(
                    f"CREATE TABLE {target} ("
                    + ", ".join(f"{_quoted(c)} {_pg_type(t)}" for c, t in columns)
                    + ")"
                )
                csv = work / f"{schema}.{table}.csv"
                selected = ", ".join(_as_pg_text(c, t) for c, t in columns)
                duck.execute(
                    f"COPY (SELECT {selected} FROM {target} {where}) TO '{csv}' "
                    "(HEADER, FORCE_QUOTE *)"
                )
                with csv.open() as rows:
                    cur.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT csv, HEADER)", rows)
                copied[table] = cur.rowcount
                csv.unlink()
            pg.commit()
    return copied


def table_rows(conn, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a query, rows sorted (None first) for a row-by-row compare.

    Works with a DuckDB and a psycopg2 connection (both DB-API). Values keep their type:
    DECIMAL as Decimal (compared exactly: 10.50 == 10.5), dates as date.
    """
    cur = conn.cursor()
    cur.execute(sql)
    names = [d[0] for d in cur.description]
    return names, sorted_rows(cur.fetchall())


def sorted_rows(rows) -> list[tuple]:
    """Rows as tuples, sorted (None first) the same way whatever the engine."""
    return sorted(
        (tuple(row) for row in rows),
        key=lambda row: tuple((v is not None, str(v)) for v in row),
    )
