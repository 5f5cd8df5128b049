"""Seeded random draws that several builders share.

Every draw takes the caller's ``random.Random`` stream (see ``SampleWorld.rng``), never the
global one: that is what keeps the sample byte-identical from one run to the next.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from .dates import is_business_day, month_end, month_start, on_or_after_business_day

T = TypeVar("T")


def weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    """One of the values of ``(value, weight)`` pairs, drawn in proportion to the weights."""
    values = [v for v, _ in options]
    return rng.choices(values, weights=[w for _, w in options])[0]


def random_business_day(rng: random.Random, start: date, end: date) -> date:
    """A business day in [start, end]: a random day moved to the next (or previous) one."""
    day = start + timedelta(days=rng.randint(0, (end - start).days))
    forward = on_or_after_business_day(day)
    if forward <= end:
        return forward
    while not is_business_day(day):
        day -= timedelta(days=1)
        if day < start:
            raise ValueError(f"no business day between {start} and {end}")
    return day


def random_business_day_in(rng: random.Random, period: str) -> date:
    """A business day of the month ``period``."""
    return random_business_day(rng, month_start(period), month_end(period))


def stamp_on(rng: random.Random, day: date, after: datetime | None = None) -> datetime:
    """A datetime on ``day`` during office hours, strictly after ``after`` when given.

    Events of one record are stamped in order, so a snapshot cut at any instant sees a
    consistent history; same-day events are a few minutes apart.
    """
    stamp = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59)))
    if after is not None and stamp <= after:
        stamp = after + timedelta(minutes=rng.randint(3, 50), seconds=rng.randint(0, 59))
    return stamp
