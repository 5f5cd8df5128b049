"""Daily exchange rates, ECB-style: units of foreign currency per euro.

Deals in USD, GBP and CHF are sized in euros and converted at the rate of their close date,
and the ERP exports the same table (``taux_change.csv``), so conversions can be checked.
Rates exist on TARGET business days only: converting on a weekend or holiday needs the
latest earlier rate, which is the rule the pipeline is tested on.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .dates import add_months, is_business_day, month_end, weekdays
from .formats import round_to
from .world import FORWARD_MONTHS

if TYPE_CHECKING:
    from .world import SampleWorld

FX = {  # start in integer units of 10**-decimals, decimals, max daily step
    "USD": (10850, 4, 38),
    "GBP": (85200, 5, 260),
    "CHF": (9420, 4, 30),
}
FX_BAND = 0.06  # the walk is pulled back inside +-6 % of its start

Rates = dict[str, dict[date, Decimal]]


def build_rates(world: SampleWorld) -> None:
    """Daily rates on TARGET business days, as a bounded integer random walk."""
    start = world.history_start - timedelta(days=200)
    end = month_end(add_months(world.last, FORWARD_MONTHS))
    for currency, (units, decimals, step) in sorted(FX.items()):
        rng = world.rng("fx", currency)
        low, high = int(units * (1 - FX_BAND)), int(units * (1 + FX_BAND))
        value, table = units, {}
        for day in weekdays(start, end):
            if not is_business_day(day):
                continue
            bias = -step // 3 if value > high else step // 3 if value < low else 0
            value += rng.randint(-step, step) + bias
            table[day] = Decimal(value).scaleb(-decimals)
        world.rates[currency] = table


def rate_on(rates: Rates, currency: str, day: date) -> Decimal:
    """The rate on ``day`` or, failing that, the latest earlier one."""
    if currency == "EUR":
        return Decimal(1)
    table = rates[currency]
    probe = day
    while probe not in table:
        probe -= timedelta(days=1)
    return table[probe]


def to_currency(
    rates: Rates, amount_eur: int, currency: str, day: date, step: int = 100
) -> Decimal:
    """A euro amount in ``currency`` on ``day``, rounded to ``step`` as a price list would."""
    if currency == "EUR":
        return Decimal(amount_eur)
    return Decimal(round_to(float(Decimal(amount_eur) * rate_on(rates, currency, day)), step))
