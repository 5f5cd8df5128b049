"""The quotas Sales Ops plans: per rep and month, and per team and month.

A quota is the rep's expected bookings (the same business numbers that drive ``deals``),
stretched a little, seasonal, ramped up for newcomers and rounded as people round them,
so that attainment in the sample lands around 100 % with a realistic spread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .dates import month_end
from .deals import SEASONALITY, WON_PER_MONTH, mean_deal_eur
from .formats import round_to
from .world import REP_ROLES, Team, Worker

if TYPE_CHECKING:
    from .world import SampleWorld

QUOTA_ROUNDING = 500
TEAM_QUOTA_ROUNDING = 1000


def individual_quota(rep: Worker, month: str, *, with_gaps: bool = True) -> int | None:
    """The individual quota Sales Ops planned for ``month``, or None (no row).

    ``with_gaps=False`` ignores a row forgotten in the workbook: team quotas were planned
    from the full list.
    """
    if rep.role not in REP_ROLES or (with_gaps and month in rep.quota_skip):
        return None
    if rep.hire_date > month_end(month):
        return None
    if rep.quota_from and month < rep.quota_from:
        return None
    if rep.quota_until and month > rep.quota_until:
        return None
    assert rep.role
    expected = sum(k * w for k, w in WON_PER_MONTH[rep.role]) / sum(
        w for _, w in WON_PER_MONTH[rep.role]
    )
    value = mean_deal_eur(rep) * expected * SEASONALITY[int(month[5:])] * rep.stretch
    months_in = (int(month[:4]) * 12 + int(month[5:])) - (
        rep.hire_date.year * 12 + rep.hire_date.month
    )
    if months_in < len(rep.ramp):
        value *= rep.ramp[months_in]
    return round_to(value, QUOTA_ROUNDING)


def team_quota(world: SampleWorld, team: Team, month: str) -> int | None:
    """The sum of the members' planned quotas, rounded; None where the scenario left it out."""
    if (team.name, month) == world.team_quota_gap:
        return None
    total = sum(individual_quota(member, month, with_gaps=False) or 0 for member in team.members)
    return round_to(total, TEAM_QUOTA_ROUNDING) if total else None
