"""Opportunities: every rep's won and lost deals month after month, and the small web-shop
orders booked by the integration user.

Volumes and sizes are drawn around a few business numbers (deals per month, mean size per
business line, seasonality) so that bookings, quotas and attainment land in realistic
ranges; the same numbers plan the quotas (``quotas``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .dates import add_months, on_or_after_business_day, periods_between
from .deal_lifecycle import Event, closed_state, lifecycle
from .draws import random_business_day_in, stamp_on, weighted
from .formats import round_to
from .fx import to_currency
from .world import (
    ENTERPRISE,
    FARMER,
    HUNTER,
    MID_MARKET,
    NEGOTIATOR,
    REP_ROLES,
    RETAIL,
    Account,
    Team,
    Worker,
)

if TYPE_CHECKING:
    from .world import SampleWorld

# Deals: per rep and per month of close, a few won and a few lost.
WON_PER_MONTH = {
    HUNTER: ((1, 30), (2, 45), (3, 25)),
    FARMER: ((1, 30), (2, 45), (3, 25)),
    NEGOTIATOR: ((1, 40), (2, 45), (3, 15)),
}
LOST_PER_MONTH = (1, 3)
MEAN_DEAL_EUR = {ENTERPRISE: 34000, MID_MARKET: 14000, RETAIL: 4200}
ROLE_DEAL_FACTOR = {HUNTER: 1.0, FARMER: 0.9, NEGOTIATOR: 1.5}
DEAL_SIZE_SPREAD = (0.6, 1.8, 0.9)  # triangular low, high, mode; mean 1.1
DEAL_SIZE_MEAN = 1.1
SALES_CYCLE_DAYS = {ENTERPRISE: (35, 120), MID_MARKET: (20, 80), RETAIL: (7, 40)}
# Bookings by calendar month, relative to an average month (quiet August, strong December).
SEASONALITY = dict(
    enumerate((0.85, 0.9, 1.1, 0.95, 0.95, 1.15, 0.9, 0.7, 1.05, 1.05, 1.05, 1.25), 1)
)
WEB_ORDER_SHARE = 0.6  # months with a small web-shop order owned by the integration user
WEB_ORDER_EUR = (400, 1900)

PRODUCTS = (
    "Licences 2026",
    "Renouvellement maintenance",
    "Extension du parc",
    "Projet migration",
    "Formation des équipes",
    "Contrat cadre",
    "Support premium",
    "Module reporting",
    "Déploiement multi-sites",
    "Audit et conseil",
)
B2C_PRODUCTS = (
    "Équipement cuisine",
    "Abonnement annuel",
    "Pack confort",
    "Installation",
    "Extension de garantie",
)
LEAD_SOURCES = {
    HUNTER: (
        ("Web", 30),
        ("Phone Inquiry", 15),
        ("Partner Referral", 20),
        ("Purchased List", 15),
        ("Other", 10),
        ("", 10),
    ),
    FARMER: (("Other", 40), ("Phone Inquiry", 25), ("Web", 15), ("", 20)),
    NEGOTIATOR: (("Partner Referral", 40), ("Other", 30), ("Web", 10), ("", 20)),
}


@dataclass(eq=False)
class Billing:
    """What the ERP invoices for a won deal, in the deal's currency."""

    won_on: date
    amount: Decimal
    currency: str
    mode: str = "normal"  # normal | none | cancelled | resized
    change_on: date | None = None
    new_amount: Decimal | None = None


@dataclass(eq=False)
class Opportunity:
    id: str
    account: Account
    name: str
    currency: str
    type: str
    lead_source: str
    created: datetime
    events: list[Event]
    billing: Billing | None = None
    team: Team | None = None
    generic: bool = True  # False: a scenario or web order, kept out of random splits and tasks

    def state_at(self, cutoff: datetime) -> tuple[dict[str, str], datetime]:
        """Field values and LastModifiedDate as a snapshot taken at ``cutoff`` shows them."""
        state: dict[str, str] = {}
        last = self.created
        for stamp, update in self.events:
            if stamp > cutoff:
                break
            state.update(update)
            last = stamp
        return state, last

    def reassign(self, stamp: datetime, owner_id: str) -> None:
        """Hand the deal over to ``owner_id`` at ``stamp``, wherever that falls in its life."""
        self.events.append((stamp, {"OwnerId": owner_id}))
        self.events.sort(key=lambda e: e[0])


def build_generic_deals(world: SampleWorld) -> None:
    for worker in world.workers:
        if worker.role in REP_ROLES and worker.user is not None:
            _rep_deals(world, worker)
    _web_orders(world)


def mean_deal_eur(rep: Worker) -> float:
    """The rep's average deal: business line, role, personal skill and working time."""
    assert rep.role and rep.business_line
    return (
        MEAN_DEAL_EUR[rep.business_line]
        * ROLE_DEAL_FACTOR[rep.role]
        * rep.skill
        * float(Decimal(rep.fte))
    )


def _rep_deals(world: SampleWorld, rep: Worker) -> None:
    rng = world.rng("deals", rep.employee_id)
    assert rep.role
    for month in world.close_months:
        won = weighted(rng, WON_PER_MONTH[rep.role])
        lost = rng.randint(*LOST_PER_MONTH)
        for is_won in [True] * won + [False] * lost:
            _rep_deal(world, rng, rep, month, is_won)


def _rep_deal(world: SampleWorld, rng: random.Random, rep: Worker, month: str, won: bool) -> None:
    """One deal planned to close in ``month``, dropped when the rep was not selling when it
    would have started; a deal closing after the rep left goes to the replacement."""
    assert rep.business_line and rep.user and rep.role
    close = random_business_day_in(rng, month)
    cycle = rng.randint(*SALES_CYCLE_DAYS[rep.business_line])
    created_day = close - timedelta(days=cycle)
    factor = rng.triangular(*DEAL_SIZE_SPREAD) / DEAL_SIZE_MEAN
    end = rep.selling_end
    if created_day <= rep.hire_date or created_day > world.end:
        return
    if end is not None and created_day > end:
        return
    candidates = [
        a
        for a in rep.accounts
        if a.created.date() <= created_day
        and (a.dormant_from is None or created_day < a.dormant_from)
    ]
    if not candidates:
        return
    account = rng.choice(candidates)
    handover = None
    if end is not None and close > end:
        if rep.replacement is None or rep.handover is None:
            return
        if close <= rep.handover:
            close = on_or_after_business_day(rep.handover + timedelta(days=rng.randint(1, 6)))
        handover = (rep.handover, rep.replacement)
    amount_eur = round_to(mean_deal_eur(rep) * SEASONALITY[close.month] * factor, 100)
    opp = new_opportunity(
        world,
        rng,
        account=account,
        owner=rep.user.id,
        created=stamp_on(rng, created_day),
        close=close,
        won=won,
        amount_eur=amount_eur,
        deal_type=_deal_type(rng, rep.role),
        lead_source=weighted(rng, LEAD_SOURCES[rep.role]),
        team=rep.team,
    )
    if handover is not None:
        assert handover[1].user
        stamp = stamp_on(rng, handover[0])
        if stamp < opp.events[-1][0]:
            opp.reassign(stamp, handover[1].user.id)


def _deal_type(rng: random.Random, role: str) -> str:
    if role == HUNTER:
        return "New Business"
    if role == FARMER:
        return weighted(
            rng, (("Existing Business - Upsell", 60), ("Existing Business - Renewal", 40))
        )
    return weighted(
        rng,
        (
            ("New Business", 50),
            ("Existing Business - Upsell", 25),
            ("Existing Business - Renewal", 25),
        ),
    )


def new_opportunity(
    world: SampleWorld,
    rng: random.Random,
    *,
    account: Account,
    owner: str,
    created: datetime,
    close: date,
    won: bool,
    amount_eur: int,
    deal_type: str,
    lead_source: str,
    team: Team | None,
    generic: bool = True,
) -> Opportunity:
    """A deal with its life: stages advance over the cycle, then it is won or lost."""
    currency = account.currency
    final = to_currency(world.rates, amount_eur, currency, close)
    products = B2C_PRODUCTS if account.segment == "B2C" else PRODUCTS
    opp = Opportunity(
        id=world.ids.new("006"),
        account=account,
        name=f"{account.name} - {rng.choice(products)}",
        currency=currency,
        type=deal_type,
        lead_source=lead_source,
        created=created,
        events=lifecycle(rng, owner, created, close, won, final),
        team=team,
        generic=generic,
    )
    if won:
        opp.billing = Billing(close, final, currency)
    world.opportunities.append(opp)
    return opp


def _web_orders(world: SampleWorld) -> None:
    """Small web-shop orders booked by the integration user: a little unattributed credit."""
    retail_by_block: dict[int, list[Account]] = defaultdict(list)
    for account in world.accounts:
        active = account.initial_type == "Customer" and account.dormant_from is None
        if account.segment == "B2C" and active:
            retail_by_block[account.block].append(account)
    for block in range(world.scale):
        rng = world.rng("web-orders", block)
        retail = retail_by_block[block]
        for month in periods_between(world.history_first, add_months(world.last, -1)):
            if rng.random() >= WEB_ORDER_SHARE or not retail:
                continue
            day = random_business_day_in(rng, month)
            web_order(world, rng, rng.choice(retail), day, rng.randrange(*WEB_ORDER_EUR, 10))


def web_order(
    world: SampleWorld, rng: random.Random, account: Account, day: date, eur: int
) -> Opportunity:
    """A web-shop order: created won, in euros, owned by the integration user."""
    assert world.integration_user
    stamp = stamp_on(rng, day)
    opp = Opportunity(
        id=world.ids.new("006"),
        account=account,
        name=f"Commande web {day:%Y%m%d}-{rng.randint(1000, 9999)}",
        currency="EUR",
        type="New Business",
        lead_source="Web",
        created=stamp,
        events=[(stamp, closed_state(world.integration_user.id, day, True, Decimal(eur)))],
        billing=Billing(day, Decimal(eur), "EUR"),
        generic=False,
    )
    world.opportunities.append(opp)
    return opp
