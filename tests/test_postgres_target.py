"""The money macro on PostgreSQL, and the comparison helpers of the engine tests (issue 10).

The dbt project's marts on PostgreSQL are compared with DuckDB's by the close itself:
tests/test_postgres_close.py closes the sample on PostgreSQL and compares every mart and
certified table. Here, ``divide_half_up``'s PostgreSQL rendering against Python's Decimal.
"""

from __future__ import annotations

import contextlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import HISTORY
from tests.postgres_cluster import throwaway_cluster
from tests.test_dbt_unit import DIVISION_CASES, _render, random_division_cases

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
    ``pg`` holds the rows of the other engine (``engine`` names it in the messages);
    ``table`` may carry its schema (``marts.kpi_benchmarks``)."""
    if len(duck) != len(pg):
        return [f"{table}: {len(duck)} rows on DuckDB, {len(pg)} on {engine}"]
    loose = QUARTILE_COLUMNS.get(table.split(".")[-1], set())
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
def postgres():
    """A connection to a throwaway cluster (no perfgov table in it)."""
    with throwaway_cluster() as cluster, contextlib.closing(cluster.connect()) as conn:
        yield conn


def test_divide_half_up_is_exact_on_postgres_too(postgres) -> None:
    """The money macro's PostgreSQL rendering: the DuckDB cases, then 1 000 random amounts
    and rates against Python's Decimal ROUND_HALF_UP (half away from zero)."""
    cur = postgres.cursor()
    for numerator, denominator, scale, expected in DIVISION_CASES:
        call = f"divide_half_up({numerator!r}, {denominator!r}, {scale})"
        cur.execute(f"SELECT {_render(call, 'postgres')}")
        value = cur.fetchone()[0]
        assert value == expected and value.as_tuple().exponent == -scale, (numerator, denominator)
    cases = random_division_cases()
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
