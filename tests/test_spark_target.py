"""The money macro on Spark (issue 10): ``divide_half_up``'s Spark rendering, exact.

The dbt project's marts on Spark are compared with DuckDB's by the close itself:
tests/test_spark_close.py runs ``perfgov close 2026-10 --target spark`` and compares every
mart and certified table. Here, the division alone, on a bare local SparkSession (the
``spark`` output's settings of dbt/profiles.yml, catalog in a temporary folder).
"""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import jinja2
import pytest
import yaml

from dagster_project.settings import DBT_PROJECT_DIR
from tests.test_dbt_unit import DIVISION_CASES, _render, random_division_cases

pytestmark = pytest.mark.slow


def _spark_settings(spark_dir: Path) -> dict[str, str]:
    """The spark target's server_side_parameters, rendered as dbt would for this dir."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["perfgov"]["outputs"]["spark"]["server_side_parameters"]
    environment = {"PERFGOV_SPARK_DIR": str(spark_dir)}
    env = jinja2.Environment()
    env.globals["env_var"] = lambda name, default=None: environment.get(name, default)
    return {key: env.from_string(str(value)).render() for key, value in parameters.items()}


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):
    """A local SparkSession with the profile's settings (money precision included)."""
    pytest.importorskip("pyspark", reason="pyspark is in the spark group: uv sync")
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java runtime (java on PATH)")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in _spark_settings(tmp_path_factory.mktemp("spark")).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()


@pytest.mark.parametrize("ansi", ["false", "true"])
def test_divide_half_up_is_exact_on_spark_too(spark, ansi: str) -> None:
    """The money macro's Spark rendering, with ANSI mode off (dbt-spark's default) and on:
    the DuckDB cases, then 1 000 random amounts and rates against Python's Decimal
    ROUND_HALF_UP (half away from zero)."""
    from pyspark.sql.types import DecimalType, IntegerType, StructField, StructType

    spark.conf.set("spark.sql.ansi.enabled", ansi)
    for numerator, denominator, scale, expected in DIVISION_CASES:
        call = f"divide_half_up({numerator!r}, {denominator!r}, {scale})"
        frame = spark.sql(f"SELECT {_render(call, 'spark')} AS value")
        value = frame.collect()[0][0]
        assert value == expected, (numerator, denominator)
        assert frame.schema[0].dataType == DecimalType(38, scale), frame.schema[0].dataType
    cases = random_division_cases()
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
