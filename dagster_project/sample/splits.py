"""Opportunity splits: who shares the credit of a won deal.

Most won deals have none (the owner gets 100 %); some are split 70/30 or 50/50 with a
teammate (Revenue), some name a helper who earns nothing (Overlay). The split scenarios
(90 %, three-way, Sales Support) are added by ``scenarios``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .world import Worker

if TYPE_CHECKING:
    from .deals import Opportunity
    from .world import SampleWorld

REVENUE_SPLIT_SHARES = (("70.00", "30.00", 0.07), ("50.00", "50.00", 0.05))
OVERLAY_SPLIT_SHARE = 0.07
OVERLAY_PERCENTAGES = ("100.00", "50.00", "25.00")


@dataclass(eq=False)
class Split:
    id: str
    opportunity_id: str
    owner_id: str
    percentage: str
    type_name: str  # Revenue / Overlay
    created: datetime


def add_split(
    world: SampleWorld,
    opp: Opportunity,
    owner: Worker | str,
    percentage: str,
    type_name: str,
    created: datetime,
) -> Split:
    """A split line of ``opp`` for a worker, or for a bare CRM user id."""
    owner_id = owner if isinstance(owner, str) else owner.user.id if owner.user else ""
    split = Split(world.ids.new("04t"), opp.id, owner_id, percentage, type_name, created)
    world.splits.append(split)
    return split


def build_generic_splits(world: SampleWorld) -> None:
    """Most won deals have no split; some Revenue splits 70/30 or 50/50, some Overlays."""
    rng = world.rng("splits")
    for opp in world.opportunities:
        if not opp.generic or opp.billing is None or opp.team is None:
            continue
        if opp.account.segment == "B2C":
            continue
        close_stamp = opp.events[-1][0]
        owner_id = opp.state_at(close_stamp)[0]["OwnerId"]
        draw = rng.random()
        teammates = [
            w
            for w in opp.team.members
            if w.sells_on(opp.billing.won_on) and w.user and w.user.id != owner_id
        ]
        stamp = close_stamp + timedelta(minutes=rng.randint(5, 90))
        threshold = 0.0
        for owner_pct, other_pct, share in REVENUE_SPLIT_SHARES:
            threshold += share
            if draw < threshold and teammates:
                other = rng.choice(teammates)
                add_split(world, opp, owner_id, owner_pct, "Revenue", stamp)
                add_split(world, opp, other, other_pct, "Revenue", stamp)
                break
        else:
            if draw < threshold + OVERLAY_SPLIT_SHARE:
                helper = opp.team.support or opp.team.manager
                assert helper
                add_split(world, opp, helper, rng.choice(OVERLAY_PERCENTAGES), "Overlay", stamp)
