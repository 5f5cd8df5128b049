"""Calendar arithmetic of the sample: periods (``YYYY-MM``) and TARGET business days.

Periods are handled as strings because every file of the landing zone is named by one;
business days matter because the ECB publishes no rate on weekends and TARGET holidays, and
because people do not close deals or send invoices on those days either.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache


def month_start(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def month_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Calendar months from ``first`` to ``last`` inclusive."""
    out, current = [], first
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def cutoff(period: str) -> datetime:
    """The instant a period's CRM snapshot reflects: the end of its last day."""
    return datetime.combine(month_end(period), time(23, 59, 59))


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm): TARGET closes on Good Friday and Monday."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


@lru_cache(maxsize=64)
def _target_holidays(year: int) -> frozenset[date]:
    """Days without an ECB reference rate besides weekends (TARGET2 closing days)."""
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _target_holidays(day.year)


def on_or_after_business_day(day: date) -> date:
    """``day`` itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def weekdays(start: date, end: date) -> Iterable[date]:
    """Monday to Friday from ``start`` to ``end`` inclusive (holidays included)."""
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)
