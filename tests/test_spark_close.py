"""``perfgov close --target spark``: the sample's 2026-10 closed on Spark (dbt-spark's session
mode, pyspark's bundled Spark on the local JVM) certifies what DuckDB certifies (issue 10).

The reference is a close of 2026-10 on DuckDB into a fresh home (no certified history: the
same situation as the Spark close's fresh home). The Spark close runs as a user runs it,
``perfgov close 2026-10 --target spark``, in a subprocess. Then:

- every certified table and every mart of the run area, read in Spark's catalog, equals
  DuckDB's, every column and amount (quartiles within 0.0001, as on PostgreSQL);
- the home's copy and the exports hold the same payouts (``incentive_payouts.csv`` byte for
  byte);
- the gates ran in Spark (the evidence and the certificate say so);
- Spark's publication guarantee (no transaction across tables; the log row is the commit):
  rows of a publication without a log row, as a close killed before it leaves them, are
  seen by nothing that reads certified tables (the home copy, the dbt history models).

Spark is read by a subprocess too (``_spark_rows``): its embedded catalog admits one JVM at
a time, and a SparkSession in the test process would outlive the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.certify.publish import CERTIFIED_TABLES
from dagster_project.settings import Settings
from tests.test_postgres_target import _differences

pytestmark = pytest.mark.slow

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def duckdb_close(tmp_path_factory: pytest.TempPathFactory, sample_landing: Path):
    """2026-10 closed on DuckDB in a fresh home: (settings, outcome)."""
    from dagster_project.closing import close_period

    settings = Settings.resolve(sample_landing, tmp_path_factory.mktemp("duck-home"), "duckdb")
    outcome = close_period(settings, PERIOD)
    assert outcome.success, outcome.failures
    return settings, outcome


@pytest.fixture(scope="module")
def spark_close(tmp_path_factory: pytest.TempPathFactory):
    """(home, the close's completed process)."""
    pytest.importorskip("pyspark", reason="pyspark is in the spark group: uv sync")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Spark needs a Java runtime (java on PATH)")
    home = tmp_path_factory.mktemp("spark-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFGOV_")}
    done = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "close", PERIOD, "--home", str(home),
         "--target", "spark"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    return home, done


_READ_SPARK = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from dagster_project.engines import connect_engine
    from dagster_project.engines.dialect import list_tables

    home, period, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    tables = json.loads(sys.argv[4])
    found = {}
    with connect_engine("spark", home / "warehouse.duckdb") as conn:
        area = conn.execute(
            "SELECT area FROM runs.run_areas WHERE period = ? ORDER BY created_at DESC "
            "LIMIT 1", [period]).fetchone()[0]
        for table in tables:
            cursor = conn.execute(  # as every reader must: through the log (README)
                f"SELECT * FROM certified.{table} WHERE period = ? AND publication_id IN "
                "(SELECT publication_id FROM certified.publication_log)", [period])
            found["certified." + table] = [
                [d[0] for d in cursor.description], [list(r) for r in cursor.fetchall()]]
        for name, _ in list_tables(conn, f"marts__{area}"):
            cursor = conn.execute(f"SELECT * FROM marts__{area}.`{name}`")
            found["marts." + name] = [
                [d[0] for d in cursor.description], [list(r) for r in cursor.fetchall()]]
        log = conn.execute("SELECT publication_id FROM certified.publication_log").fetchall()
        found["log"] = [r[0] for r in log]
    out.write_text(json.dumps(found, default=str))
    """
)


def _spark_rows(home: Path, tmp_path: Path) -> dict:
    out = tmp_path / "spark-rows.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFGOV_")}
    done = subprocess.run(
        [sys.executable, "-c", _READ_SPARK, str(home), PERIOD, str(out),
         json.dumps(list(CERTIFIED_TABLES))],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def spark_rows(spark_close, tmp_path_factory: pytest.TempPathFactory) -> dict:
    home, done = spark_close
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    return _spark_rows(home, tmp_path_factory.mktemp("spark-read"))


def _as_text(rows: list) -> list[tuple]:
    """Rows with every value as text (Spark's come through JSON), sorted."""
    as_text = [tuple(None if v is None else str(v) for v in row) for row in rows]
    return sorted(as_text, key=lambda row: tuple((v is not None, v or "") for v in row))


def test_the_spark_close_certifies_the_period(spark_close) -> None:
    home, done = spark_close
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "certified: publication" in done.stdout
    assert (home / "certified" / PERIOD / "incentive_payouts.csv").is_file()


def test_every_certified_table_and_mart_equals_duckdbs(spark_rows, duckdb_close) -> None:
    settings, outcome = duckdb_close
    problems: list[str] = []
    compared = 0
    with contextlib.closing(duckdb.connect(str(settings.warehouse), read_only=True)) as duck:
        area = duck.execute(
            "SELECT area FROM runs.run_areas WHERE run_id = ?", [outcome.run_id]
        ).fetchone()[0]
        marts = [k.removeprefix("marts.") for k in spark_rows if k.startswith("marts.")]
        assert {"payouts", "credit_lines", "invoices", "reconciliation"} <= set(marts)
        for key, (s_names, s_rows) in ((k, v) for k, v in spark_rows.items() if k != "log"):
            schema, table = key.split(".")
            source = f"certified.{table}" if schema == "certified" else f"marts__{area}.{table}"
            where = f" WHERE period = '{PERIOD}'" if schema == "certified" else ""
            cursor = duck.execute(f"SELECT * FROM {source}{where}")
            d_names = [d[0] for d in cursor.description]
            d_rows = cursor.fetchall()
            if schema == "certified":  # the publication ids differ, by design
                keep = [i for i, n in enumerate(d_names) if n != "publication_id"]
                s_keep = [s_names.index(d_names[i]) for i in keep]
                d_rows = [[r[i] for i in keep] for r in d_rows]
                s_rows = [[r[i] for i in s_keep] for r in s_rows]
                d_names = [d_names[i] for i in keep]
            elif d_names != s_names:
                problems.append(f"{key}: columns {d_names} on DuckDB, {s_names} on Spark")
                continue
            problems += _differences(
                key, _as_text(d_rows), _as_text(s_rows), d_names, engine="Spark"
            )
            compared += len(d_rows)
    assert not problems, "\n".join(problems)
    assert compared > 1_000, compared


def test_the_dbt_tests_on_spark_gave_duckdbs_verdicts(spark_close, duckdb_close) -> None:
    """Every dbt test ran on Spark with DuckDB's outcome: the same ones warn, with the same
    number of failing rows (the plan's holds and warnings rest on them)."""
    home, done = spark_close
    assert done.returncode == 0
    settings, outcome = duckdb_close

    def verdicts(warehouse: Path, run_id: str | None) -> list[tuple]:
        with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as conn:
            runs = conn.execute("SELECT DISTINCT run_id FROM runs.dbt_test_results").fetchall()
            assert len(runs) == 1, runs  # one close in each home
            run = run_id or runs[0][0]
            return conn.execute(
                'SELECT "check", status, failing_rows FROM runs.dbt_test_results '
                "WHERE run_id = ? ORDER BY 1",
                [run],
            ).fetchall()

    on_duckdb = verdicts(settings.warehouse, outcome.run_id)
    on_spark = verdicts(home / "warehouse.duckdb", None)
    assert len(on_duckdb) > 50 and any(status == "warn" for _, status, _ in on_duckdb)
    assert on_spark == on_duckdb


def test_the_home_and_exports_hold_the_same_payouts(spark_close, duckdb_close) -> None:
    home, done = spark_close
    assert done.returncode == 0
    settings, outcome = duckdb_close
    ours = home / "certified" / PERIOD / "incentive_payouts.csv"
    reference = settings.home / "certified" / PERIOD / "incentive_payouts.csv"
    assert ours.read_bytes() == reference.read_bytes()
    assert f"payouts {outcome.publication['payouts_eur']} EUR" in done.stdout


def test_the_gates_ran_in_spark_and_the_certificate_says_where(spark_close) -> None:
    home, done = spark_close
    assert done.returncode == 0
    certificate = json.loads((home / "certified" / PERIOD / "certificate.json").read_text())
    assert certificate["engine"].startswith("spark ")
    evidence = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (home / "audit" / PERIOD / "validations").rglob("*.json")
    ]
    engines = {e["layer"]: e["engine"] for e in evidence if "layer" in e}
    assert engines["harmonised"].startswith("spark "), engines
    assert engines["certified"].startswith("spark "), engines


def test_rows_without_a_log_row_are_seen_by_nothing(spark_close, spark_rows, tmp_path) -> None:
    """What a publication killed before its log row leaves: rows under an unlogged id. The
    home copy skips them; the dbt models that read the history join the log."""
    home, _ = spark_close
    assert len(spark_rows["log"]) == 1
    orphan = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        import duckdb
        from dagster_project.certify.home_copy import copy_new_publications
        from dagster_project.engines import connect_engine

        home = Path(sys.argv[1])
        with connect_engine("spark", home / "warehouse.duckdb") as conn:
            conn.execute(
                "INSERT INTO certified.incentive_payouts SELECT 'killed-before-its-log-row', "
                "* EXCEPT (publication_id) FROM certified.incentive_payouts")
            fresh = duckdb.connect(sys.argv[2])
            print(copy_new_publications(conn, fresh))
            print(fresh.execute(
                "SELECT count(DISTINCT publication_id) FROM certified.incentive_payouts"
            ).fetchone()[0])
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFGOV_")}
    done = subprocess.run(
        [sys.executable, "-c", orphan, str(home), str(tmp_path / "fresh.duckdb")],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    copied, publications = done.stdout.strip().splitlines()[-2:]
    assert copied == str(spark_rows["log"]) and publications == "1"
    models = Path(__file__).parent.parent / "dbt" / "models"
    history = [p for p in models.rglob("*.sql") if "source('certified'" in p.read_text()]
    assert len(history) >= 4
    for model in history:  # each joins the log to pick the publications in force
        assert "source('certified', 'publication_log')" in model.read_text(), model.name
