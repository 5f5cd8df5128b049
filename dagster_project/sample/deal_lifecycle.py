"""The life of one deal as a list of stamped field updates, from creation to close.

CRM drops are full snapshots: a deal must show, in each month's file, the stage, amount and
close date it had at that month's end. Recording the life as events, and cutting it at the
snapshot instant (``Opportunity.state_at``), gives consistent snapshots for free.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from .draws import stamp_on
from .formats import round_to, sf_bool

Event = tuple[datetime, dict[str, str]]

STAGES = (("Prospecting", 10), ("Qualification", 20), ("Proposal", 50), ("Negotiation", 75))
SLIP_SHARE = 0.25  # deals whose planned close date is pushed back once
EARLY_AMOUNT_SHARE = 0.4  # deals with an Amount from creation (the others: blank until Proposal)
AMOUNT_STAGE = 2  # the stage (Proposal) at which every open deal has an Amount


def closed_state(owner_id: str, day: date, won: bool, amount: Decimal) -> dict[str, str]:
    """Every field of a deal closed (won or lost) on ``day``."""
    return {
        "OwnerId": owner_id,
        "StageName": "Closed Won" if won else "Closed Lost",
        "Amount": f"{amount:.2f}",
        "Probability": "100" if won else "0",
        "CloseDate": day.isoformat(),
        "IsClosed": "true",
        "IsWon": sf_bool(won),
        "IsDeleted": "false",
    }


def lifecycle(
    rng: random.Random, owner_id: str, created: datetime, close: date, won: bool, final: Decimal
) -> list[Event]:
    """Stage changes from creation to close, stamped in order along the sales cycle.

    The Amount is often blank until the Proposal stage, the planned close date sometimes
    slips once, and the close itself is stamped on the CloseDate.
    """
    cycle = max(1, (close - created.date()).days)
    estimate = f"{round_to(float(final) * rng.uniform(0.85, 1.25), 100)}.00"
    planned = close
    if rng.random() < SLIP_SHARE and cycle > 30:
        planned = close - timedelta(days=rng.randint(10, min(40, cycle - 14)))
    first = {
        "OwnerId": owner_id,
        "StageName": STAGES[0][0],
        "Probability": str(STAGES[0][1]),
        "Amount": estimate if rng.random() < EARLY_AMOUNT_SHARE else "",
        "CloseDate": planned.isoformat(),
        "IsClosed": "false",
        "IsWon": "false",
        "IsDeleted": "false",
    }
    events: list[Event] = [(created, first)]
    last_stage = len(STAGES) - 1 if won else rng.randint(0, len(STAGES) - 1)
    previous = created
    for stage in range(1, last_stage + 1):
        fraction = stage / len(STAGES) + rng.uniform(-0.08, 0.08)
        day = created.date() + timedelta(days=int(cycle * fraction))
        previous = stamp_on(rng, min(day, close), previous)
        update = {"StageName": STAGES[stage][0], "Probability": str(STAGES[stage][1])}
        if stage == AMOUNT_STAGE:
            update["Amount"] = estimate
        events.append((previous, update))
    if planned != close:
        events.append((stamp_on(rng, planned), {"CloseDate": close.isoformat()}))
        events.sort(key=lambda e: e[0])
        previous = max(previous, events[-1][0])
    closing = closed_state(owner_id, close, won, final if won else Decimal(estimate))
    del closing["OwnerId"]
    events.append((stamp_on(rng, close, previous), closing))
    return events
