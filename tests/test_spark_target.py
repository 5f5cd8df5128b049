"""The dbt project, unchanged, on Spark: the same marts as DuckDB, row by row (issue 10).

As tests/test_postgres_target.py, with Spark in session mode (dbt-spark[session], pyspark's
bundled Spark on the local JVM): the inputs of the sample's 2026-10 close on DuckDB (every
raw table, and the certified history before the period) are written to Parquet by DuckDB,
declared as tables of a local Spark catalog (embedded Derby, in a tmp dir), dbt builds the
period with the ``spark`` target of dbt/profiles.yml, and every mart must equal DuckDB's:
same columns, same rows, every amount to the cent.

dbt runs in this process (dbtRunner), so that it reuses the SparkSession that holds the
raw tables (an embedded Derby catalog admits one JVM at a time).
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.partition_vars import dbt_vars_argument
from tests.conftest import HISTORY
from tests.postgres_cluster import sorted_rows, table_rows
from tests.test_dbt_unit import DIVISION_CASES, _render
from tests.test_postgres_target import PAID_AND_CERTIFIED, _differences, _run_area_of

pytestmark = pytest.mark.slow

PERIOD = HISTORY[-1]

# DuckDB types Parquet (or Spark) does not carry as they are: the cast DuckDB writes.
_PARQUET_CASTS = {"HUGEINT": "DECIMAL(38, 0)", "JSON": "VARCHAR"}


def _spark_settings(spark_dir: Path) -> dict[str, str]:
    """The spark target's server_side_parameters, rendered as dbt would for this dir."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["perfgov"]["outputs"]["spark"]["server_side_parameters"]
    environment = {"PERFGOV_SPARK_DIR": str(spark_dir)}
    env = jinja2.Environment()
    env.globals["env_var"] = lambda name, default=None: environment.get(name, default)
    return {key: env.from_string(str(value)).render() for key, value in parameters.items()}


def _export_to_parquet(duck, schema: str, folder: Path, where: str = "") -> dict[str, Path]:
    """Every base table of ``schema`` as Parquet (same column names), rows kept by
    ``where``. Returns table -> its folder."""
    files: dict[str, Path] = {}
    tables = duck.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
        [schema],
    ).fetchall()
    for (table,) in tables:
        columns = duck.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
        selected = ", ".join(
            f'CAST("{c}" AS {_PARQUET_CASTS[t]}) AS "{c}"' if t in _PARQUET_CASTS else f'"{c}"'
            for c, t in columns
        )
        # A folder per table: the Hive catalog wants a table's location to be a directory.
        target = folder / schema / table
        target.mkdir(parents=True)
        duck.execute(
            f'COPY (SELECT {selected} FROM "{schema}"."{table}" {where}) '
            f"TO '{target / 'data.parquet'}' (FORMAT parquet)"
        )
        files[table] = target
    return files


@pytest.fixture(scope="module")
def both_engines(closed_history, tmp_path_factory: pytest.TempPathFactory):
    """(DuckDB connection, SparkSession, DuckDB mart schema, dbt's result, rows copied,
    dbt's wall time in seconds)."""
    pytest.importorskip("pyspark", reason="pyspark is in the spark dependency group: uv sync")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java on PATH)")
    from dbt.cli.main import dbtRunner
    from pyspark.sql import SparkSession

    settings = closed_history.settings
    outcome = closed_history.outcomes[PERIOD]
    assert outcome.success, outcome.failures
    warehouse = settings.home / "warehouse.duckdb"
    area = _run_area_of(warehouse, outcome.run_id)
    work = tmp_path_factory.mktemp("spark")
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as duck:
        raw = _export_to_parquet(duck, "raw", work / "parquet")
        certified = _export_to_parquet(
            duck, "certified", work / "parquet", where=f"WHERE period < '{PERIOD}'"
        )

    spark_dir = work / "spark"
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in _spark_settings(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    copied: dict[str, int] = {}
    for schema, files in (("raw", raw), ("certified", certified)):
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {schema}")
        for table, file in files.items():
            spark.sql(f"CREATE TABLE {schema}.`{table}` USING parquet LOCATION '{file}'")
            name = table if schema == "raw" else f"{schema}.{table}"
            copied[name] = spark.table(f"{schema}.`{table}`").count()

    variables = json.loads(dbt_vars_argument(f"{PERIOD}-01"))
    build = [
        "build", "--target", "spark",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        "--vars", json.dumps(variables), "--exclude-resource-type", "unit_test",
    ]  # fmt: skip
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PERFGOV_SPARK_DIR", str(spark_dir))
        result = dbtRunner().invoke(build)
    elapsed = time.monotonic() - started
    log = (work / "logs" / "dbt.log").read_text(encoding="utf-8", errors="replace")
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as duck:
        yield duck, spark, f"marts__{area}", result, log, copied, elapsed
    spark.stop()


def _failures(result) -> list[str]:
    return [
        f"{r.node.unique_id}: {r.status} {(r.message or '')[:300]}"
        for r in (result.result or [])
        if str(r.status) not in ("success", "pass", "warn")
    ]


def test_dbt_builds_and_tests_every_model_on_spark(both_engines, closed_history) -> None:
    """Every model builds and every dbt test passes, but for the warnings the DuckDB close
    of the period gave: the same tests, with the same number of failing rows."""
    duck, _, _, result, log, copied, elapsed = both_engines
    print(f"dbt build on Spark: {elapsed:.0f} s")
    assert copied["crm__opportunity"] > 0 and copied["certified.publication_log"] == 2, copied
    assert result.exception is None, result.exception
    failures = _failures(result)
    assert not failures, "\n".join(failures[:20])
    assert result.success, log[-4000:]
    warned = sorted((r.node.name, r.failures) for r in result.result if str(r.status) == "warn")
    warned_on_duckdb = duck.execute(
        "SELECT split_part(\"check\", ':', 2), failing_rows FROM runs.dbt_test_results "
        "WHERE run_id = ? AND status = 'warn' ORDER BY 1",
        [closed_history.outcomes[PERIOD].run_id],
    ).fetchall()
    assert warned == sorted(warned_on_duckdb)


def _spark_rows(spark, sql: str) -> tuple[list[str], list[tuple]]:
    frame = spark.sql(sql)
    return frame.columns, sorted_rows(frame.collect())


def test_every_mart_equals_duckdbs_row_by_row(both_engines) -> None:
    duck, spark, duck_marts, _, _, _, _ = both_engines
    marts = [
        row[0]
        for row in duck.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
            "ORDER BY table_name",
            [duck_marts],
        ).fetchall()
    ]
    assert set(PAID_AND_CERTIFIED) <= set(marts)
    on_spark = {row.tableName for row in spark.sql("SHOW TABLES IN marts").collect()}
    problems: list[str] = [f"{mart}: not built on Spark" for mart in marts if mart not in on_spark]
    for mart in sorted(set(marts) & on_spark):
        d_names, d_rows = table_rows(duck, f'SELECT * FROM "{duck_marts}"."{mart}"')
        s_names, s_rows = _spark_rows(spark, f"SELECT * FROM marts.`{mart}`")
        if d_names != s_names:
            problems.append(f"{mart}: columns {d_names} on DuckDB, {s_names} on Spark")
            continue
        problems += _differences(mart, d_rows, s_rows, d_names, engine="Spark")
    assert not problems, "\n".join(problems)


def test_payouts_are_the_certified_ones_to_the_cent(both_engines) -> None:
    """Not an empty comparison: Spark's payouts are the certified 2026-10 payouts."""
    duck, spark, _, _, _, _, _ = both_engines
    certified = duck.execute(
        "SELECT employee_id, payout_eur FROM certified.incentive_payouts "
        "WHERE period = ? ORDER BY employee_id",
        [PERIOD],
    ).fetchall()
    on_spark = [
        tuple(row)
        for row in spark.sql(
            "SELECT employee_id, payout_eur FROM marts.payouts ORDER BY employee_id"
        ).collect()
    ]
    assert len(certified) > 10 and sum(amount or 0 for _, amount in certified) > 0
    assert on_spark == certified


@pytest.mark.parametrize("ansi", ["false", "true"])
def test_divide_half_up_is_exact_on_spark_too(both_engines, ansi: str) -> None:
    """The money macro's Spark rendering, with ANSI mode off (dbt-spark's default) and on:
    the DuckDB cases, then 1 000 random amounts and rates against Python's Decimal
    ROUND_HALF_UP (half away from zero)."""
    from pyspark.sql.types import DecimalType, IntegerType, StructField, StructType

    _, spark, _, _, _, _, _ = both_engines
    spark.conf.set("spark.sql.ansi.enabled", ansi)
    for numerator, denominator, scale, expected in DIVISION_CASES:
        call = f"divide_half_up({numerator!r}, {denominator!r}, {scale})"
        frame = spark.sql(f"SELECT {_render(call, 'spark')} AS value")
        value = frame.collect()[0][0]
        assert value == expected, (numerator, denominator)
        assert frame.schema[0].dataType == DecimalType(38, scale), frame.schema[0].dataType
    rng = random.Random(20261127)
    cases = [
        (
            Decimal(rng.randrange(-(10**9), 10**9)).scaleb(-2),
            Decimal(rng.randrange(1, 2 * 10**7)).scaleb(-6),
        )
        for _ in range(1000)
    ] + [
        (Decimal("0.05"), Decimal("10")),
        (Decimal("-0.05"), Decimal("10")),
        (Decimal("1.25"), Decimal("0.5")),
    ]
    schema = StructType(
        [
            StructField("i", IntegerType()),
            StructField("amount", DecimalType(18, 2)),
            StructField("rate", DecimalType(18, 6)),
        ]
    )
    spark.createDataFrame(
        [(i, a, r) for i, (a, r) in enumerate(cases)], schema
    ).createOrReplaceTempView("cases")
    division = _render("divide_half_up('amount', 'rate', 2)", "spark")
    results = dict(spark.sql(f"SELECT i, {division} FROM cases").collect())
    for i, (amount, rate) in enumerate(cases):
        expected = (amount / rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert results[i] == expected, (amount, rate)
    zero = _render(
        "divide_half_up('cast(1 as decimal(18,2))', 'cast(0 as decimal(18,6))')", "spark"
    )
    assert spark.sql(f"SELECT {zero}").collect()[0][0] is None
