"""How values are spelled in the exports, and how amounts are rounded before that.

Salesforce writes ISO stamps with milliseconds and ``true``/``false``; the French ERP writes
``DD/MM/YYYY`` and decimal commas. Each writer picks the spelling of its system from here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | float) -> Decimal:
    """An amount rounded to the cent, half up as accounting does."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def round_to(value: float, step: int) -> int:
    """``value`` rounded half up to a multiple of ``step``, never below one step."""
    return max(step, int(Decimal(str(value / step)).quantize(Decimal(1), ROUND_HALF_UP)) * step)


def sf_datetime(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sf_bool(value: bool) -> str:
    return "true" if value else "false"


def fr_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def fr_decimal(value: Decimal, places: int = 2) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places))).replace(".", ",")
