"""The deliberate edge cases on deals, and the scenario table of SCENARIOS.md.

Each scenario is a named function that builds the records it needs on block-0 people and
records one line of the table with the ids it produced, so SCENARIOS.md can point at real
records. HR, user, account and ERP scenarios are recorded where those records are built
(``organisation``, ``users``, ``accounts``, ``billing``); the table keeps the build order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .dates import add_months, month_end, month_start, on_or_after_business_day
from .deals import Opportunity, new_opportunity, web_order
from .draws import stamp_on
from .splits import add_split
from .world import FARMER, HUNTER, NEGOTIATOR, Account, Worker

if TYPE_CHECKING:
    from .world import SampleWorld


def build_deal_scenarios(world: SampleWorld) -> None:
    """The deliberate edge cases on deals (block 0), recorded for SCENARIOS.md."""
    for add in (
        _split_exception,
        _three_way_split,
        _support_split,
        _overlay,
        _unattributed,
        _inherited_deal,
        _sales_ops_gaps,
        _won_then_lost,
        _resized,
        _resplit,
        _backdated_win,
        _deleted,
        _unbilled,
        _fx,
        _forgotten_deal,
    ):
        add(world)


def scenario_table(world: SampleWorld) -> str:
    """The scenarios as the Markdown table of SCENARIOS.md."""
    lines = ["| # | who / what | ids | period | rule exercised |", "|---|---|---|---|---|"]
    for number, s in enumerate(world.scenarios, start=1):
        lines.append(f"| {number} | {s.what} | {s.ids} | {s.period} | {s.rule} |")
    return "\n".join(lines)


# --- building blocks ----------------------------------------------------------------------


def _scenario_deal(
    world: SampleWorld,
    key: str,
    owner: Worker | str,
    account: Account,
    *,
    created: date,
    close: date,
    amount_eur: int,
    won: bool = True,
) -> Opportunity:
    """A deal of a scenario, owned by a worker or by a bare user id; not split at random."""
    rng = world.rng("scenario", key)
    if isinstance(owner, Worker):
        assert owner.user
        owner_id, team = owner.user.id, owner.team
    else:
        owner_id, team = owner, None
    return new_opportunity(
        world,
        rng,
        account=account,
        owner=owner_id,
        created=stamp_on(rng, created),
        close=close,
        won=won,
        amount_eur=amount_eur,
        deal_type="New Business",
        lead_source="Other",
        team=team,
        generic=False,
    )


def _account_of(world: SampleWorld, rep: Worker, nth: int = 0) -> Account:
    """One of the rep's older, active, euro accounts: a plain backdrop for a scenario."""
    own = [
        a
        for a in rep.accounts
        if a.created.date() < world.history_start and a.dormant_from is None and a.currency == "EUR"
    ]
    return own[nth % len(own)]


def _deal_in(
    world: SampleWorld,
    key: str,
    owner: Worker | str,
    period: str,
    *,
    day: int,
    cycle: int,
    amount_eur: int,
    account: Account | None = None,
    won: bool = True,
) -> Opportunity:
    """A scenario deal closing on ``day`` of ``period`` after a ``cycle``-day sales cycle."""
    close = month_start(period) + timedelta(days=day - 1)
    if account is None:
        assert isinstance(owner, Worker)
        account = _account_of(world, owner)
    return _scenario_deal(
        world,
        key,
        owner,
        account,
        created=close - timedelta(days=cycle),
        close=close,
        amount_eur=amount_eur,
        won=won,
    )


def _split_after_close(
    world: SampleWorld,
    opp: Opportunity,
    shares: Sequence[tuple[Worker, str]],
    type_name: str = "Revenue",
) -> None:
    stamp = opp.events[-1][0] + timedelta(minutes=20)
    for worker, percentage in shares:
        add_split(world, opp, worker, percentage, type_name, stamp)


def _change(
    world: SampleWorld, opp: Opportunity, period: str, day: int, update: dict[str, str]
) -> date:
    """A later edit of a deal, on the first business day from ``day`` of ``period``."""
    when = on_or_after_business_day(month_start(period) + timedelta(days=day - 1))
    opp.events.append((stamp_on(world.rng("change", opp.id), when), update))
    return when


# --- credit allocation --------------------------------------------------------------------


def _split_exception(world: SampleWorld) -> None:
    """Revenue splits summing to 90: nobody is credited, owner and split owners are held."""
    owner, other = world.team_member(2, HUNTER, 1), world.team_member(2, NEGOTIATOR)
    opp = _deal_in(world, "split90", owner, world.last, day=21, cycle=50, amount_eur=21000)
    _split_after_close(world, opp, ((owner, "60.00"), (other, "30.00")))
    world.record_scenario(
        "Won deal whose Revenue splits sum to 90 %",
        f"{opp.id} ({owner.employee_id} 60 %, {other.employee_id} 30 %)",
        world.last,
        "split exception: nobody credited, both reps held",
    )


def _three_way_split(world: SampleWorld) -> None:
    """Shares that sum to exactly 100 in decimal but not in binary floating point."""
    owner = world.team_member(0, HUNTER, 1)
    partners = (world.team_member(0, FARMER, 1), world.team_member(0, NEGOTIATOR))
    opp = _deal_in(world, "split3", owner, world.last, day=13, cycle=70, amount_eur=60000)
    shares = zip((owner, *partners), ("33.34", "33.33", "33.33"), strict=True)
    _split_after_close(world, opp, tuple(shares))
    world.record_scenario(
        "Three-way Revenue split 33.34/33.33/33.33",
        opp.id,
        world.last,
        "sums to exactly 100 (decimal, not float)",
    )


def _support_split(world: SampleWorld) -> None:
    """A Sales Support worker (the former farmer) still named on a Revenue split."""
    mover = next(w for w in world.teams[2].members if w.role_change is not None)
    seller = world.team_member(2, HUNTER, 0)
    opp = _deal_in(world, "support-split", seller, world.last, day=8, cycle=40, amount_eur=18000)
    _split_after_close(world, opp, ((seller, "70.00"), (mover, "30.00")))
    world.record_scenario(
        "Sales Support worker (moved from Farmer) owns a 30 % Revenue split",
        f"{mover.employee_id} on {opp.id}",
        world.last,
        "ineligible: never paid, but counts for the team",
    )


def _overlay(world: SampleWorld) -> None:
    support, seller = world.teams[3].support, world.team_member(3, FARMER, 1)
    assert support
    opp = _deal_in(world, "overlay", seller, world.last, day=16, cycle=30, amount_eur=16500)
    _split_after_close(world, opp, ((support, "100.00"),), "Overlay")
    world.record_scenario(
        "Overlay split to a Sales Support worker",
        f"{support.employee_id} on {opp.id}",
        world.last,
        "Overlay earns nothing; owner keeps 100 %",
    )


def _unattributed(world: SampleWorld) -> None:
    """An integration-user web order and a deal of a deleted user: a little credit to
    nobody, well under the 1 % that would block the period."""
    rng = world.rng("scenario", "unattributed")
    retail = next(
        a
        for a in world.accounts
        if a.segment == "B2C"
        and a.dormant_from is None
        and a.initial_type == "Customer"
        and a.block == 0
    )
    web = web_order(world, rng, retail, month_start(world.last) + timedelta(days=21), 1250)
    ghost = _deal_in(
        world,
        "ghost",
        world.unknown_owner_id,
        world.last,
        day=9,
        cycle=25,
        amount_eur=2350,
        account=_account_of(world, world.team_member(4, HUNTER, 0), 1),
    )
    world.record_scenario(
        "Won deals owned by the integration user and by an unknown OwnerId",
        f"{web.id} (1 250 EUR), {ghost.id} (2 350 EUR, owner {world.unknown_owner_id})",
        world.last,
        "unattributed credit, well under 1 % of the month's bookings",
    )


def _inherited_deal(world: SampleWorld) -> None:
    """The leaver wins a deal before leaving; the mid-month hire wins one handed over."""
    start = month_start(world.last)
    newcomer = next(w for w in world.teams[1].members if w.hire_date >= start)
    leaver = next(w for w in world.teams[1].members if w.replacement is newcomer)
    assert leaver.user and newcomer.user and leaver.handover
    before = _deal_in(world, "last-win", leaver, world.last, day=6, cycle=45, amount_eur=31000)
    opp = _deal_in(world, "inherited", leaver, world.last, day=28, cycle=60, amount_eur=24000)
    opp.reassign(stamp_on(world.rng("scenario", "handover"), leaver.handover), newcomer.user.id)
    world.record_scenario(
        "Leaver's last win before leaving; its open deal handed over and won by the new hire",
        f"{before.id} ({leaver.employee_id}), {opp.id} ({newcomer.employee_id})",
        world.last,
        "credit follows OwnerId of the snapshot; prorated TV",
    )


def _sales_ops_gaps(world: SampleWorld) -> None:
    """Sales Ops files of the last period missing a quota row, a team quota, an evaluation."""
    last = world.last
    gap = world.team_member(5, FARMER, 1)
    gap.quota_skip = frozenset({last})
    world.record_scenario(
        "No individual quota row for the last period",
        gap.employee_id,
        last,
        "hold: no individual quota",
    )
    world.team_quota_gap = (world.teams[7].name, last)
    world.record_scenario(
        "No team quota for the last period",
        world.teams[7].name,
        last,
        "hold: no team quota (every member with a collective weight)",
    )
    world.evaluation_gap = (world.team_member(5, NEGOTIATOR).employee_id, last)
    world.record_scenario(
        "Negotiator without an evaluation for the last period",
        world.evaluation_gap[0],
        last,
        "hold: no qualitative score",
    )


# --- prior-period adjustments -------------------------------------------------------------


def _won_then_lost(world: SampleWorld) -> None:
    prev2, prev = add_months(world.last, -2), add_months(world.last, -1)
    rep = world.team_member(3, HUNTER, 0)
    opp = _deal_in(world, "won-then-lost", rep, prev2, day=21, cycle=45, amount_eur=18000)
    lost = {"StageName": "Closed Lost", "Probability": "0", "IsWon": "false"}
    assert opp.billing
    opp.billing.mode, opp.billing.change_on = "cancelled", _change(world, opp, prev, 10, lost)
    world.record_scenario(
        "Deal won, then Closed Lost in the next snapshot",
        opp.id,
        f"{prev2} -> {prev}",
        "prior-period adjustment (reversal)",
    )


def _resized(world: SampleWorld) -> None:
    prev2 = add_months(world.last, -2)
    rep, account = world.team_member(0, FARMER, 0), world.scenario_accounts["sge"]
    opp = _deal_in(
        world, "resized", rep, prev2, day=12, cycle=60, amount_eur=52000, account=account
    )
    assert opp.billing
    opp.billing.mode, opp.billing.new_amount = "resized", Decimal(39000)
    opp.billing.change_on = _change(world, opp, world.last, 7, {"Amount": "39000.00"})
    world.record_scenario(
        "Deal won, resized 52 000 -> 39 000 EUR two snapshots later",
        opp.id,
        f"{prev2} -> {world.last}",
        "prior-period adjustment (resize)",
    )


def _resplit(world: SampleWorld) -> None:
    prev = add_months(world.last, -1)
    rep, partner = world.team_member(3, FARMER, 0), world.team_member(3, NEGOTIATOR)
    opp = _deal_in(world, "resplit", rep, prev, day=15, cycle=50, amount_eur=30000)
    _change(world, opp, world.last, 5, {})  # the split edit touches LastModifiedDate
    stamp = opp.events[-1][0]
    add_split(world, opp, rep, "50.00", "Revenue", stamp)
    add_split(world, opp, partner, "50.00", "Revenue", stamp + timedelta(seconds=40))
    world.record_scenario(
        "Deal won without split, re-split 50/50 in the next snapshot",
        f"{opp.id} ({rep.employee_id}, {partner.employee_id})",
        f"{prev} -> {world.last}",
        "prior-period adjustment (re-split)",
    )


def _backdated_win(world: SampleWorld) -> None:
    """Open in the previous snapshot (planned to close later), won in the last one with a
    CloseDate back in the previous period."""
    prev = add_months(world.last, -1)
    rep = world.team_member(2, FARMER, 2)
    close_day = (month_end(prev) - timedelta(days=1)).day
    opp = _deal_in(world, "backdated", rep, prev, day=close_day, cycle=70, amount_eur=27000)
    closing = opp.events.pop()[1]
    opp.events = [opp.events[0], *(e for e in opp.events[1:] if "CloseDate" not in e[1])]
    opp.events[0][1]["CloseDate"] = (month_start(world.last) + timedelta(days=14)).isoformat()
    recorded = _change(world, opp, world.last, 6, closing)
    assert opp.billing
    opp.billing.won_on = recorded
    world.record_scenario(
        "Deal newly won in the last snapshot with a back-dated CloseDate",
        opp.id,
        f"CloseDate {prev}, visible {world.last}",
        "prior-period adjustment (late win)",
    )


def _deleted(world: SampleWorld) -> None:
    prev = add_months(world.last, -1)
    rep = world.team_member(6, HUNTER, 0)
    opp = _deal_in(world, "deleted", rep, prev, day=22, cycle=20, amount_eur=6400)
    _change(world, opp, world.last, 8, {"IsDeleted": "true"})
    assert opp.billing
    opp.billing.mode = "none"  # it was a duplicate entry: never invoiced
    world.record_scenario(
        "Deal won, IsDeleted=true in the next snapshot",
        opp.id,
        f"{prev} -> {world.last}",
        "prior-period adjustment (deletion)",
    )


# --- reconciliation, currencies, ownership -------------------------------------------------


def _unbilled(world: SampleWorld) -> None:
    prev2 = add_months(world.last, -2)
    rep = world.team_member(1, NEGOTIATOR)
    opp = _deal_in(world, "unbilled", rep, prev2, day=25, cycle=80, amount_eur=41000)
    assert opp.billing
    opp.billing.mode = "none"
    world.record_scenario(
        "Won deal with no invoice more than 30 days later",
        opp.id,
        prev2,
        "CRM/ERP reconciliation warning",
    )


def _fx(world: SampleWorld) -> None:
    """Foreign-currency deals closing on days without a rate."""
    last = world.last
    saturday = month_start(last)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    saturday += timedelta(days=14)
    rep = world.team_member(0, HUNTER, 0)
    usd = _scenario_deal(
        world,
        "usd-weekend",
        rep,
        world.scenario_accounts["usd"],
        created=saturday - timedelta(days=60),
        close=saturday,
        amount_eur=30000,
    )
    world.record_scenario(
        "USD deal closed on a Saturday",
        usd.id,
        last,
        "rate of the previous business day (Friday)",
    )
    firsts = [p for p in world.periods[1:] if month_start(p).weekday() >= 5][:2]
    for period, (key, team, role) in zip(
        firsts, (("chf", 0, NEGOTIATOR), ("gbp", 1, FARMER)), strict=False
    ):
        day = month_start(period)
        opp = _scenario_deal(
            world,
            f"first-weekend-{key}",
            world.team_member(team, role),
            world.scenario_accounts[key],
            created=day - timedelta(days=55),
            close=day,
            amount_eur=26000,
        )
        world.record_scenario(
            f"{opp.currency} deal closed on {day.isoformat()} ({day:%A})",
            opp.id,
            period,
            "needs the previous month's last rate (latest earlier rate)",
        )


def _forgotten_deal(world: SampleWorld) -> None:
    """An open deal of the previous period's leaver that nobody handed over."""
    leaver = world.team_member(4, FARMER, 1)
    assert leaver.termination_date
    opp = _scenario_deal(
        world,
        "forgotten",
        leaver,
        _account_of(world, leaver, 2),
        created=leaver.termination_date - timedelta(days=40),
        close=world.end + timedelta(days=75),
        amount_eur=12000,
        won=False,
    )
    opp.events = [e for e in opp.events if e[0].date() <= world.end]
    world.record_scenario(
        "Open deal still owned by an inactive user",
        opp.id,
        world.last,
        "no credit (open), ownership report",
    )
