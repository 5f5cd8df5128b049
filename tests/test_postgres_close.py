"""``perfgov close --target postgres``: the sample history closed on PostgreSQL certifies
what DuckDB certifies, row by row and to the cent (issue 10).

The DuckDB reference is ``closed_history`` (2026-08, 2026-09, 2026-10 closed in order). The
same three periods are closed here with the command a user types, ``perfgov close <period>
--target postgres``, into a fresh home, against a throwaway PostgreSQL cluster (connection
from the environment only). Then:

- every certified table of every period, in PostgreSQL's ``certified`` schema (the record),
  equals the DuckDB close's, every column and amount; so does every mart of the last close;
- the home's DuckDB copy of PostgreSQL's publications equals PostgreSQL's, and the payout
  exports are byte for byte the DuckDB close's;
- the gates ran in PostgreSQL (the evidence and the certificate say so);
- a restatement killed inside PostgreSQL's publication transaction leaves the period as it
  was certified, in PostgreSQL and in the home.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from dagster_project.certify.publish import CERTIFIED_TABLES, PAUSE_ENV
from tests.conftest import HISTORY
from tests.postgres_cluster import table_rows, throwaway_cluster
from tests.test_postgres_target import _differences, _run_area_of

pytestmark = pytest.mark.slow


def _perfgov(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        **kwargs,
    )


@pytest.fixture(scope="module")
def postgres_history(tmp_path_factory: pytest.TempPathFactory):
    """(cluster, environment, home, the three closes) with the cluster still running."""
    home = tmp_path_factory.mktemp("pg-home")
    with throwaway_cluster() as cluster:
        # What earlier in-process closes of the suite exported (their landing, home...) is
        # not this close's: only the cluster's connection, and the flag, say where to go.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("PERFGOV_")}
        env = {**inherited, **cluster.environment()}
        closes = {}
        for period in HISTORY:
            closes[period] = _perfgov(
                ["close", period, "--home", str(home), "--target", "postgres"], env
            )
            if closes[period].returncode != 0:
                break
        yield cluster, env, home, closes


def _certified_rows(conn, table: str, period: str) -> tuple[list[str], list[tuple]]:
    names, rows = table_rows(
        conn, f"SELECT * FROM certified.{table} WHERE period = '{period}' ORDER BY 1"
    )
    keep = [i for i, name in enumerate(names) if name != "publication_id"]
    return [names[i] for i in keep], sorted(
        (tuple(row[i] for i in keep) for row in rows),
        key=lambda row: tuple((v is not None, str(v)) for v in row),
    )


def test_each_period_is_certified_by_the_postgres_close(postgres_history) -> None:
    _, _, home, closes = postgres_history
    for period in HISTORY:
        done = closes.get(period)
        assert done is not None, f"{period} was not closed: an earlier close failed"
        assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
        assert "certified: publication" in done.stdout
        assert (home / "certified" / period / "incentive_payouts.csv").is_file()


def test_every_certified_table_equals_duckdbs_to_the_cent(postgres_history, closed_history) -> None:
    cluster, _, _, closes = postgres_history
    assert all(c.returncode == 0 for c in closes.values()) and len(closes) == len(HISTORY)
    problems: list[str] = []
    compared = 0
    with (
        contextlib.closing(
            duckdb.connect(str(closed_history.settings.warehouse), read_only=True)
        ) as duck,
        contextlib.closing(cluster.connect()) as pg,
    ):
        for period in HISTORY:
            for table in CERTIFIED_TABLES:
                d_names, d_rows = _certified_rows(duck, table, period)
                p_names, p_rows = _certified_rows(pg, table, period)
                if d_names != p_names:
                    problems.append(f"{table}: columns {d_names} != {p_names}")
                    continue
                problems += _differences(table, d_rows, p_rows, d_names)
                compared += len(d_rows)
        paid = pg.cursor()
        paid.execute(
            "SELECT count(*), sum(payout_eur) FROM certified.incentive_payouts WHERE period = %s",
            [HISTORY[-1]],
        )
        workers, total = paid.fetchone()
    assert not problems, "\n".join(problems)
    assert compared > 1_000, compared  # not an empty comparison (5,049 rows here)
    reference = closed_history.outcomes[HISTORY[-1]].publication["payouts_eur"]
    assert workers > 10 and str(total) == str(reference), (total, reference)


def test_every_mart_of_the_last_close_equals_duckdbs_row_by_row(
    postgres_history, closed_history
) -> None:
    """All the marts, not only the certified ones: the run areas of the two 2026-10 closes."""
    cluster, _, _, closes = postgres_history
    assert closes[HISTORY[-1]].returncode == 0
    duck_area = _run_area_of(
        closed_history.settings.warehouse, closed_history.outcomes[HISTORY[-1]].run_id
    )
    problems: list[str] = []
    with (
        contextlib.closing(
            duckdb.connect(str(closed_history.settings.warehouse), read_only=True)
        ) as duck,
        contextlib.closing(cluster.connect()) as pg,
    ):
        cur = pg.cursor()
        cur.execute(
            "SELECT area FROM runs.run_areas WHERE period = %s ORDER BY created_at DESC LIMIT 1",
            [HISTORY[-1]],
        )
        pg_area = cur.fetchone()[0]
        marts = [
            row[0]
            for row in duck.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                "ORDER BY table_name",
                [f"marts__{duck_area}"],
            ).fetchall()
        ]
        assert len(marts) >= 20 and "payouts" in marts
        for mart in marts:
            d_names, d_rows = table_rows(duck, f'SELECT * FROM "marts__{duck_area}"."{mart}"')
            p_names, p_rows = table_rows(pg, f'SELECT * FROM "marts__{pg_area}"."{mart}"')
            if d_names != p_names:
                problems.append(f"{mart}: columns {d_names} on DuckDB, {p_names} on PostgreSQL")
                continue
            problems += _differences(mart, d_rows, p_rows, d_names)
    assert not problems, "\n".join(problems)


def test_the_home_holds_postgres_publications_and_the_same_payout_exports(
    postgres_history, closed_history
) -> None:
    cluster, _, home, closes = postgres_history
    assert all(c.returncode == 0 for c in closes.values()) and len(closes) == len(HISTORY)
    with (
        contextlib.closing(duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)) as h,
        contextlib.closing(cluster.connect()) as pg,
    ):
        for table in ("publication_log", *CERTIFIED_TABLES):
            columns = "publication_id" if table == "publication_log" else "*"
            _, at_home = table_rows(h, f"SELECT {columns} FROM certified.{table}")
            _, on_pg = table_rows(pg, f"SELECT {columns} FROM certified.{table}")
            assert at_home == on_pg, table
    for period in HISTORY:
        ours = home / "certified" / period / "incentive_payouts.csv"
        reference = closed_history.settings.home / "certified" / period / "incentive_payouts.csv"
        assert ours.read_bytes() == reference.read_bytes(), period
        assert (home / "statements" / period).is_dir()


def test_the_gates_ran_in_postgres_and_the_certificate_says_where(postgres_history) -> None:
    _, _, home, closes = postgres_history
    assert closes[HISTORY[-1]].returncode == 0
    certificate = json.loads(
        (home / "certified" / HISTORY[-1] / "certificate.json").read_text(encoding="utf-8")
    )
    assert certificate["engine"].startswith("postgres ")
    evidence = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (home / "audit" / HISTORY[-1] / "validations").rglob("*.json")
    ]
    engines = {e["layer"]: e["engine"] for e in evidence if "layer" in e}
    assert engines["harmonised"].startswith("postgres "), engines
    assert engines["certified"].startswith("postgres "), engines
    assert engines["raw"].startswith("duckdb "), engines  # the readers' DuckDB, every target


def test_a_restatement_killed_in_postgres_publication_leaves_the_period_as_certified(
    postgres_history,
) -> None:
    """PostgreSQL's publication is one transaction: killed after every row is written and
    before COMMIT, nothing of it is visible, during or after, in PostgreSQL or the home."""
    cluster, env, home, closes = postgres_history
    assert closes[HISTORY[-1]].returncode == 0
    period = HISTORY[-1]

    def versions() -> list[int]:
        with contextlib.closing(cluster.connect()) as pg:
            cur = pg.cursor()
            cur.execute(
                "SELECT version FROM certified.publication_log WHERE period = %s ORDER BY 1",
                [period],
            )
            return [v for (v,) in cur.fetchall()]

    before = versions()
    exports = (home / "certified" / period / "incentive_payouts.csv").read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli", "close", period, "--home", str(home),
         "--target", "postgres", "--restate", "--reason", "killed on purpose"],
        env={**env, PAUSE_ENV: "publication"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        paused = False
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stderr.readline()
            if "perfgov-test: paused at publication" in line:
                paused = True
                break
        assert paused, "the restatement never reached its publication"
        assert versions() == before  # written, not committed: invisible to a reader
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert versions() == before == [1]
    assert (home / "certified" / period / "incentive_payouts.csv").read_bytes() == exports
    with contextlib.closing(duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)) as h:
        count = h.execute(
            "SELECT count(*) FROM certified.publication_log WHERE period = ?", [period]
        ).fetchone()[0]
    assert count == 1
