"""The dbt project, unchanged, on PostgreSQL: the same marts as DuckDB, row by row (issue 10).

A sample period closed on DuckDB (``closed_history``: 2026-10, after 2026-08 and 2026-09) is
the reference. Its inputs, as the close's ``dbt build`` saw them (every raw table, and the
certified history before the period), are copied into a throwaway PostgreSQL cluster; dbt
then builds the period there with the ``postgres`` target (``PERFGOV_TARGET=postgres``,
connection from the environment), and every mart must equal the DuckDB run's mart: same
columns, same rows, every amount to the cent.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.partition_vars import dbt_vars_argument
from tests.conftest import HISTORY
from tests.postgres_cluster import copy_tables, table_rows, throwaway_cluster
from tests.test_dbt_unit import DIVISION_CASES, _render

pytestmark = pytest.mark.slow

PERIOD = HISTORY[-1]

# Interpolated quartiles (KPIs, never money): DuckDB's quantile_cont interpolates in binary
# floating point and PostgreSQL's percentile_cont too, but each rounds the double to 4
# decimals its own way, so a quartile that falls exactly on a half (0.50115) may differ by
# one unit in the 4th decimal. Every other column, money included, must be equal.
QUARTILE_COLUMNS = {
    "kpi_benchmarks": {"peer_q1", "peer_median", "peer_q3"},
    "kpi_attainment_distribution": {"attainment_q1", "attainment_median", "attainment_q3"},
}
QUARTILE_TOLERANCE = Decimal("0.0001")

# The certified tables of the brief that must match to the cent (mart -> certified name).
PAID_AND_CERTIFIED = {
    "payouts": "incentive_payouts",
    "credit_lines": "credit_lines",
    "payout_holds": "payout_holds",
    "bookings": "bookings",
    "invoices": "revenue",
    "reconciliation": "reconciliation",
    "reconciliation_by_opportunity": "reconciliation_lines",
}


def _run_area_of(warehouse: Path, run_id: str) -> str:
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as conn:
        row = conn.execute("SELECT area FROM runs.run_areas WHERE run_id = ?", [run_id]).fetchone()
    assert row, f"no run area recorded for run {run_id}"
    return row[0]


def _differences(
    table: str, duck: list[tuple], pg: list[tuple], names: list[str], engine: str = "PostgreSQL"
) -> list[str]:
    """Values that differ (the first few), rows sorted alike; quartiles within tolerance.
    ``pg`` holds the rows of the other engine (``engine`` names it in the messages)."""
    if len(duck) != len(pg):
        return [f"{table}: {len(duck)} rows on DuckDB, {len(pg)} on {engine}"]
    loose = QUARTILE_COLUMNS.get(table, set())
    found = []
    for row, (d_row, p_row) in enumerate(zip(duck, pg, strict=True)):
        for name, d, p in zip(names, d_row, p_row, strict=True):
            if name in loose and d is not None and p is not None:
                same = abs(Decimal(d) - Decimal(p)) <= QUARTILE_TOLERANCE
            else:
                same = d == p and type(d) is type(p)
            if not same:
                # The values only, not the row: a row may hold pay figures.
                found.append(f"{table}.{name}, sorted row {row}: DuckDB {d!r} != {engine} {p!r}")
    return found[:5]


@pytest.fixture(scope="module")
def both_engines(closed_history, tmp_path_factory: pytest.TempPathFactory):
    """(DuckDB connection, PostgreSQL connection, DuckDB mart schema, dbt's exit and log)."""
    settings = closed_history.settings
    outcome = closed_history.outcomes[PERIOD]
    assert outcome.success, outcome.failures
    warehouse = settings.home / "warehouse.duckdb"
    area = _run_area_of(warehouse, outcome.run_id)
    work = tmp_path_factory.mktemp("postgres")
    with throwaway_cluster() as cluster:
        copied = copy_tables(warehouse, cluster, "raw", work=work)
        copied |= {
            f"certified.{table}": rows
            for table, rows in copy_tables(
                warehouse, cluster, "certified", where=f"WHERE period < '{PERIOD}'", work=work
            ).items()
        }
        variables = json.loads(dbt_vars_argument(f"{PERIOD}-01"))
        build = [
            str(Path(sys.executable).parent / "dbt"), "build",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--vars", json.dumps(variables), "--exclude-resource-type", "unit_test",
        ]  # fmt: skip
        dbt = subprocess.run(
            build,
            env={**os.environ, "PERFGOV_TARGET": "postgres", **cluster.environment()},
            capture_output=True,
            text=True,
        )
        with (
            contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as duck,
            contextlib.closing(cluster.connect()) as pg,
        ):
            yield duck, pg, f"marts__{area}", dbt, copied


def test_dbt_builds_and_tests_every_model_on_postgres(both_engines) -> None:
    _, _, _, dbt, copied = both_engines
    assert copied["crm__opportunity"] > 0 and copied["certified.publication_log"] == 2, copied
    assert dbt.returncode == 0, dbt.stdout[-4000:]
    assert "ERROR=0" in dbt.stdout and "SKIP=0" in dbt.stdout, dbt.stdout[-2000:]


def test_every_mart_equals_duckdbs_row_by_row(both_engines) -> None:
    duck, pg, duck_marts, dbt, _ = both_engines
    assert dbt.returncode == 0, dbt.stdout[-4000:]
    marts = [
        row[0]
        for row in duck.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
            "ORDER BY table_name",
            [duck_marts],
        ).fetchall()
    ]
    assert set(PAID_AND_CERTIFIED) <= set(marts)
    problems: list[str] = []
    for mart in marts:
        d_names, d_rows = table_rows(duck, f'SELECT * FROM "{duck_marts}"."{mart}"')
        p_names, p_rows = table_rows(pg, f'SELECT * FROM marts."{mart}"')
        if d_names != p_names:
            problems.append(f"{mart}: columns {d_names} on DuckDB, {p_names} on PostgreSQL")
            continue
        problems += _differences(mart, d_rows, p_rows, d_names)
    assert not problems, "\n".join(problems)


def test_payouts_are_the_certified_ones_to_the_cent(both_engines) -> None:
    """Not an empty comparison: PostgreSQL's payouts are the certified 2026-10 payouts."""
    duck, pg, _, _, _ = both_engines
    certified = duck.execute(
        "SELECT employee_id, payout_eur FROM certified.incentive_payouts "
        "WHERE period = ? ORDER BY employee_id",
        [PERIOD],
    ).fetchall()
    cur = pg.cursor()
    cur.execute("SELECT employee_id, payout_eur FROM marts.payouts ORDER BY employee_id")
    on_postgres = cur.fetchall()
    assert len(certified) > 10 and sum(amount or 0 for _, amount in certified) > 0
    assert on_postgres == certified


def test_divide_half_up_is_exact_on_postgres_too(both_engines) -> None:
    """The money macro's PostgreSQL rendering: the DuckDB cases, then 1 000 random amounts
    and rates against Python's Decimal ROUND_HALF_UP (half away from zero)."""
    _, pg, _, _, _ = both_engines
    cur = pg.cursor()
    for numerator, denominator, scale, expected in DIVISION_CASES:
        call = f"divide_half_up({numerator!r}, {denominator!r}, {scale})"
        cur.execute(f"SELECT {_render(call, 'postgres')}")
        value = cur.fetchone()[0]
        assert value == expected and value.as_tuple().exponent == -scale, (numerator, denominator)
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
    cur.execute(
        "CREATE TEMPORARY TABLE cases (i integer, amount numeric(18,2), rate numeric(18,6))"
    )
    cur.executemany(
        "INSERT INTO cases VALUES (%s, %s, %s)", [(i, a, r) for i, (a, r) in enumerate(cases)]
    )
    division = _render("divide_half_up('amount', 'rate', 2)", "postgres")
    cur.execute(f"SELECT i, {division} FROM cases")
    results = dict(cur.fetchall())
    for i, (amount, rate) in enumerate(cases):
        expected = (amount / rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert results[i] == expected, (amount, rate)
