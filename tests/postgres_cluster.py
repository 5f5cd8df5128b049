"""A throwaway PostgreSQL cluster for tests, and copying a DuckDB warehouse's inputs into it.

The cluster lives in a temporary folder of /tmp: ``initdb`` there, ``pg_ctl`` on a free
local port with its unix socket in the same folder (no TCP listener), trust authentication,
stopped and removed at the end of the ``with`` block, even on failure. The server binaries
come from ``pg_config --bindir`` or Debian's ``/usr/lib/postgresql/<version>/bin``
(``.ci/run`` installs the ``postgresql`` package when ``initdb`` is missing). PostgreSQL
refuses to run as root: as root, the cluster's folder is given to the ``postgres`` user
(Debian's package creates it) and ``initdb`` and ``pg_ctl`` run as that user (``runuser``).

Inputs are copied as a PostgreSQL close copies them (dagster_project/engines/postgres.py).
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

from dagster_project.engines.postgres import PostgresSettings, connect, copy_schema_to_postgres

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

    def settings(self) -> PostgresSettings:
        return PostgresSettings(str(self.socket_dir), self.port, SUPERUSER, DATABASE)

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


def copy_tables(
    warehouse: Path, cluster: Cluster, schema: str, where: str = "", work: Path | None = None
) -> dict[str, int]:
    """Copy every table of ``schema`` from the DuckDB file into the cluster, as a PostgreSQL
    close does (``copy_schema_to_postgres``); ``where`` filters the rows. Rows per table."""
    with (
        contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as duck,
        connect(cluster.settings()) as pg,
    ):
        return copy_schema_to_postgres(duck, pg, schema, where, work)


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
