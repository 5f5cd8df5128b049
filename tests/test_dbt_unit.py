"""The exact-money macros of dbt/macros/money.sql, and the dbt unit tests of the common
vocabulary (identity resolution, FX, crediting, invoices, workers).

DuckDB divides DECIMALs into a DOUBLE, so money is divided by the macro ``divide_half_up``
(HUGEINT arithmetic, half away from zero) and percentages taken by ``percent_of_half_up``.
The fast tests render the macros with plain Jinja, exactly as dbt would, run the SQL in an
in-memory DuckDB and compare with Python's ``decimal`` (ROUND_HALF_UP is half away from
zero). The slow test runs the project's dbt unit tests (``unit_tests:`` beside the models)
on the warehouse of a real close.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import jinja2
import pytest

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
MONEY_MACROS = DBT_DIR / "macros" / "money.sql"

D = Decimal


class _Dispatcher:
    """dbt's ``adapter.dispatch`` for one engine: ``x`` -> the macro ``<engine>__x``, or
    ``default__x`` when the engine has none."""

    def __init__(self, source: str, engine: str) -> None:
        self.source = source
        self.engine = engine

    def dispatch(self, name: str, package: str | None = None):
        module = _environment(self).from_string(self.source).module
        return getattr(module, f"{self.engine}__{name}", None) or getattr(
            module, f"default__{name}"
        )


def _environment(dispatcher: _Dispatcher) -> jinja2.Environment:
    env = jinja2.Environment()
    # dbt's `{{ return(x) }}` ends a macro with x: here the macro's output is x.
    env.globals.update({"adapter": dispatcher, "return": lambda value: value})
    return env


def _render(expression: str, engine: str = "duckdb") -> str:
    """Render a Jinja expression calling the money macros, as dbt renders a model on
    ``engine`` (the macros dispatch on the adapter: one rendering per engine)."""
    macros = MONEY_MACROS.read_text(encoding="utf-8")
    env = _environment(_Dispatcher(macros, engine))
    return env.from_string(macros + "{{ " + expression + " }}").render().strip()


def _divide(numerator: str, denominator: str, scale: int = 2) -> tuple[Decimal | None, str]:
    sql = _render(f"divide_half_up({numerator!r}, {denominator!r}, {scale})")
    with duckdb.connect() as conn:
        return conn.execute(f"select {sql}, typeof({sql})").fetchone()


def _percent(amount: str, percentage: str, scale: int = 2) -> tuple[Decimal | None, str]:
    sql = _render(f"percent_of_half_up({amount!r}, {percentage!r}, {scale})")
    with duckdb.connect() as conn:
        return conn.execute(f"select {sql}, typeof({sql})").fetchone()


def _half_up(value: Decimal, scale: int) -> Decimal:
    return value.quantize(D(1).scaleb(-scale), rounding=ROUND_HALF_UP)


# (numerator, denominator, scale, expected); tests/test_postgres_target.py runs them on
# PostgreSQL too.
DIVISION_CASES = [
    ("cast(1 as decimal(18,2))", "cast(3 as decimal(18,6))", 2, D("0.33")),
    ("cast(2 as decimal(18,2))", "cast(3 as decimal(18,6))", 2, D("0.67")),
    # The tie 100.01 * 0.5 = 50.005: half away from zero, 50.01 (a DOUBLE says 50.00).
    ("cast(100.01 as decimal(18,2))", "cast(2 as decimal(18,6))", 2, D("50.01")),
    ("cast(-100.01 as decimal(18,2))", "cast(2 as decimal(18,6))", 2, D("-50.01")),
    ("cast(100.01 as decimal(18,2))", "cast(-2 as decimal(18,6))", 2, D("-50.01")),
    ("cast(0.01 as decimal(18,2))", "cast(2 as decimal(18,6))", 2, D("0.01")),
    ("cast(0.01 as decimal(18,2))", "cast(3 as decimal(18,6))", 2, D("0.00")),
    ("cast(1000 as decimal(18,2))", "cast(1.0853 as decimal(18,6))", 2, D("921.40")),
    ("cast(1 as decimal(18,2))", "cast(3 as decimal(18,6))", 0, D("0")),
    ("cast(2.5 as decimal(18,2))", "cast(1 as decimal(18,6))", 0, D("3")),
    ("cast(1 as decimal(18,2))", "cast(3 as decimal(18,6))", 6, D("0.333333")),
    # The largest DECIMAL(18,2) amount by the smallest DECIMAL(18,6) rate: no overflow.
    (
        "cast(9999999999999999.99 as decimal(18,2))",
        "cast(0.000001 as decimal(18,6))",
        2,
        D("9999999999999999990000.00"),
    ),
]


def random_division_cases(count: int = 1000) -> list[tuple[Decimal, Decimal]]:
    """Amounts (2 decimals) and rates (6 decimals) for the other engines' division checks:
    ``count`` drawn with a fixed seed, then three halves that must round away from zero."""
    rng = random.Random(20261127)
    drawn = [
        (
            Decimal(rng.randrange(-(10**9), 10**9)).scaleb(-2),
            Decimal(rng.randrange(1, 2 * 10**7)).scaleb(-6),
        )
        for _ in range(count)
    ]
    halves = [
        (Decimal("0.05"), Decimal("10")),
        (Decimal("-0.05"), Decimal("10")),
        (Decimal("1.25"), Decimal("0.5")),
    ]
    return [*drawn, *halves]


@pytest.mark.parametrize(("numerator", "denominator", "scale", "expected"), DIVISION_CASES)
def test_divide_half_up_is_exact_and_rounds_half_away_from_zero(
    numerator: str, denominator: str, scale: int, expected: Decimal
) -> None:
    value, sql_type = _divide(numerator, denominator, scale)
    assert value == expected
    assert sql_type == f"DECIMAL(38,{scale})"


def test_divide_half_up_gives_null_for_null_or_zero() -> None:
    assert _divide("cast(null as decimal(18,2))", "cast(1 as decimal(18,6))")[0] is None
    assert _divide("cast(1 as decimal(18,2))", "cast(null as decimal(18,6))")[0] is None
    assert _divide("cast(1 as decimal(18,2))", "cast(0 as decimal(18,6))")[0] is None


def test_a_double_would_round_the_tie_the_wrong_way() -> None:
    """Why the macro exists: DuckDB's DECIMAL / DECIMAL is a DOUBLE, whose 2.675 is a hair
    below the half cent, so that round() gives 2.67; the macro gives 2.68."""
    with duckdb.connect() as conn:
        sql_type, rounded = conn.execute(
            "select typeof(2.675::decimal(18,3) / 1::decimal(18,6)),"
            " round(2.675::decimal(18,3) / 1::decimal(18,6), 2)"
        ).fetchone()
    assert sql_type == "DOUBLE"
    assert rounded == 2.67
    assert _divide("cast(2.675 as decimal(18,3))", "cast(1 as decimal(18,6))")[0] == D("2.68")


def test_divide_half_up_matches_python_decimal_on_random_amounts_and_rates() -> None:
    """1 000 EUR-like amounts and ECB-like rates, against Decimal ROUND_HALF_UP, in one query."""
    rng = random.Random(20261031)
    cases = []
    for _ in range(1000):
        amount = D(rng.randrange(-(10**9), 10**9)).scaleb(-2)
        rate = D(rng.randrange(1, 2 * 10**7)).scaleb(-6)
        cases.append((amount, rate))
    # A few exact ties at the half cent.
    cases += [
        (D("0.05"), D("10")),
        (D("-0.05"), D("10")),
        (D("123.45"), D("2")),
        (D("1.25"), D("0.5")),
    ]
    sql = _render("divide_half_up('amount', 'rate', 2)")
    with duckdb.connect() as conn:
        conn.execute("create table cases (i integer, amount decimal(18,2), rate decimal(18,6))")
        conn.executemany(
            "insert into cases values (?, ?, ?)",
            [(i, str(a), str(r)) for i, (a, r) in enumerate(cases)],
        )
        results = dict(conn.execute(f"select i, {sql} from cases").fetchall())
    for i, (amount, rate) in enumerate(cases):
        assert results[i] == _half_up(amount / rate, 2), (amount, rate)


@pytest.mark.parametrize(
    ("amount", "percentage", "expected"),
    [
        ("cast(100.01 as decimal(18,2))", "cast(50 as decimal(18,4))", D("50.01")),
        ("cast(-100.01 as decimal(18,2))", "cast(50 as decimal(18,4))", D("-50.01")),
        ("cast(1000.01 as decimal(18,2))", "cast(70 as decimal(18,4))", D("700.01")),
        ("cast(1000.01 as decimal(18,2))", "cast(30 as decimal(18,4))", D("300.00")),
        ("cast(1000.00 as decimal(18,2))", "cast(33.33 as decimal(18,4))", D("333.30")),
        ("cast(1000.00 as decimal(18,2))", "cast(33.34 as decimal(18,4))", D("333.40")),
        ("cast(60000.00 as decimal(18,2))", "cast(100 as decimal(18,4))", D("60000.00")),
    ],
)
def test_percent_of_half_up(amount: str, percentage: str, expected: Decimal) -> None:
    value, sql_type = _percent(amount, percentage)
    assert value == expected
    assert sql_type.startswith("DECIMAL(") and sql_type.endswith(",2)")


# ------------------------------------------------------------------ slow: dbt unit tests

VOCABULARY_UNIT_TESTS = {
    "int_fx_rates_as_of_carries_a_rate_over_weekends_and_across_drops",
    "int_won_opportunities_converted_to_eur_uses_the_rate_of_the_close_date_or_earlier",
    "int_won_opportunities_credited_applies_revenue_splits_and_keeps_unattributed_credit",
    "int_users_matched_to_workers_follows_the_plan_and_never_guesses",
    "bookings_are_the_won_deals_of_the_period_snapshot_closed_in_the_period",
    "invoices_count_credit_notes_negative_and_drop_repeated_lines",
    "workers_count_days_employed_and_eligibility",
}
# The reporting marts' fixtures (dbt/models/marts/reporting/_reporting__models.yml): every
# KPI by hand, edge cases included, and each churn driver firing alone.
REPORTING_UNIT_TESTS = {
    "kpi_sales_per_scope_by_hand",
    "kpi_attainment_distribution_by_hand",
    "kpi_benchmarks_place_each_scope_among_its_peers_with_trends",
    "int_churn_risk_signals_each_driver_fires_alone",
    "churn_risk_adds_the_weights_and_names_the_tier_drivers_and_next_step",
    "kpi_people_by_hand",
}


@pytest.mark.slow
def test_the_vocabulary_unit_tests_pass(closed_sample, tmp_path: Path, monkeypatch) -> None:
    """dbt runs the unit tests of the intermediate and mart models on the closed sample (the
    inputs' column types come from the warehouse); every one is there, and passes."""
    from dbt.cli.main import dbtRunner  # imported here: it costs seconds

    settings, _ = closed_sample
    monkeypatch.setenv("PERFGOV_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    result = dbtRunner().invoke([
        "test", "--select",
        "test_type:unit,path:models/intermediate", "test_type:unit,path:models/marts",
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ])  # fmt: skip
    statuses = {r.node.name: str(r.status) for r in result.result.results}
    expected = VOCABULARY_UNIT_TESTS | REPORTING_UNIT_TESTS
    assert set(statuses) >= expected, sorted(expected - set(statuses))
    failed = {name: s for name, s in statuses.items() if s != "pass"}
    assert not failed, failed
