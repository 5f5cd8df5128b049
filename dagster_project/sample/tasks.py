"""CRM tasks: the calls and e-mails that show a rep is working an account.

Activity reports look for customers nobody has touched lately, so touches stop where an
account went dormant, and a few tasks stay Open (some overdue).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .draws import stamp_on, weighted
from .world import Account

if TYPE_CHECKING:
    from .world import SampleWorld

OPP_CALL_TASK_SHARE = 0.5
OPP_EMAIL_TASK_SHARE = 0.4
TOUCH_INTERVAL_DAYS = (40, 100)
OPEN_TASK_SHARE = 0.08  # tasks never completed


@dataclass(eq=False)
class Task:
    id: str
    what_id: str
    account_id: str
    owner_id: str
    created: datetime
    activity_date: date
    subtype: str
    completed_on: date | None


def build_tasks(world: SampleWorld) -> None:
    """A call when a deal opens, an e-mail before it closes, regular customer touches."""
    rng = world.rng("tasks")
    for opp in world.opportunities:
        if not opp.generic:
            continue
        owner = opp.events[0][1]["OwnerId"]
        if rng.random() < OPP_CALL_TASK_SHARE:
            _task(world, rng, opp.id, opp.account, owner, opp.created, opp.created.date(), "Call")
        close_stamp = opp.events[-1][0]
        if rng.random() < OPP_EMAIL_TASK_SHARE:
            day = close_stamp.date() - timedelta(days=rng.randint(0, 6))
            if day > opp.created.date():
                created = stamp_on(
                    rng, max(opp.created.date(), day - timedelta(days=3)), opp.created
                )
                owner_then = opp.state_at(created)[0]["OwnerId"]
                _task(world, rng, opp.id, opp.account, owner_then, created, day, "Email")
    for account in world.accounts:
        if account.customer_since is not None and account.initial_type == "Customer":
            _account_touches(world, rng, account)


def _account_touches(world: SampleWorld, rng: random.Random, account: Account) -> None:
    """Regular calls and e-mails on customers, stopping where the account went dormant."""
    day = max(account.created.date(), world.history_start - timedelta(days=60))
    day += timedelta(days=rng.randint(0, TOUCH_INTERVAL_DAYS[1]))
    stop = account.dormant_from or world.end + timedelta(days=20)
    while day < stop:
        created = stamp_on(rng, day - timedelta(days=rng.randint(0, 10)))
        owner = account.owner_at(created)
        if not (world.integration_user and owner == world.integration_user.id):
            subtype = weighted(rng, (("Call", 45), ("Email", 40), ("Task", 15)))
            _task(world, rng, account.id, account, owner, created, day, subtype)
        day += timedelta(days=rng.randint(*TOUCH_INTERVAL_DAYS))


def _task(
    world: SampleWorld,
    rng: random.Random,
    what_id: str,
    account: Account,
    owner: str,
    created: datetime,
    day: date,
    subtype: str,
) -> None:
    completed = None if rng.random() < OPEN_TASK_SHARE else day
    world.tasks.append(
        Task(world.ids.new("00T"), what_id, account.id, owner, created, day, subtype, completed)
    )
