"""CRM accounts: each rep's book of customers or prospects, the teams' partners, and the
accounts the scenarios need (a duplicate pair, foreign-currency customers, names with ’ and œ).

Accounts carry what later steps hang on them: the ERP code once they buy, the day they went
quiet (no more activity), and the owner changes when a rep leaves.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .dates import add_months, month_start, on_or_after_business_day
from .draws import random_business_day, stamp_on, weighted
from .names import SCENARIO_ACCOUNT_NAMES
from .world import (
    ENTERPRISE,
    FARMER,
    HISTORY_YEARS,
    HUNTER,
    MID_MARKET,
    NEGOTIATOR,
    REP_ROLES,
    RETAIL,
    Account,
    Worker,
)

if TYPE_CHECKING:
    from .world import SampleWorld

ACCOUNTS_PER_REP = {HUNTER: 11, FARMER: 11, NEGOTIATOR: 6}
NEWCOMER_ACCOUNTS = 4  # a rep hired during the sample starts with a few new accounts
PARTNERS_PER_TEAM = 2
NEW_PROSPECT_SHARE = 0.2  # hunters' prospects created during the sample window
INTEGRATION_OWNED_ACCOUNT_SHARE = 0.08
DORMANT_CUSTOMER_SHARE = 0.15  # customers with no activity over the last months
DORMANT_BEFORE_END_DAYS = 120
B2C_SHARE_RETAIL = 0.75
COUNTRY_WEIGHTS = {
    ENTERPRISE: {"FR": 68, "BE": 5, "DE": 5, "ES": 3, "IT": 3, "US": 7, "GB": 6, "CH": 3},
    MID_MARKET: {"FR": 84, "BE": 5, "LU": 2, "CH": 3, "GB": 3, "US": 3},
    RETAIL: {"FR": 90, "BE": 10},
}
INDUSTRIES = (
    "Manufacturing",
    "Retail",
    "Banking",
    "Healthcare",
    "Transportation",
    "Energy",
    "Food & Beverage",
    "Construction",
    "Technology",
    "Insurance",
)


def build_accounts(world: SampleWorld) -> None:
    """Every rep's accounts and every team's partners, then the scenario accounts, then the
    handover of a leaver's accounts to the replacement."""
    for team in world.teams:
        rng = world.rng("accounts", team.name)
        for rep in team.members:
            if rep.role not in REP_ROLES or rep.user is None:
                continue
            kind = "Prospect" if rep.role == HUNTER else "Customer"
            newcomer = rep.hire_date > world.history_start
            for _ in range(NEWCOMER_ACCOUNTS if newcomer else ACCOUNTS_PER_REP[rep.role]):
                created = None
                if newcomer:
                    day = on_or_after_business_day(rep.hire_date + timedelta(days=1))
                    created = stamp_on(rng, day)
                _new_account(
                    world,
                    rng,
                    rep,
                    team.business_line,
                    kind,
                    owner_id=rep.user.id,
                    block=team.block,
                    created=created,
                )
        assert team.manager and team.manager.user
        for _ in range(PARTNERS_PER_TEAM):
            _new_account(
                world,
                rng,
                None,
                team.business_line,
                "Partner",
                owner_id=team.manager.user.id,
                block=team.block,
                segment="B2B",
            )
    _mark_dormant_customers(world)
    _add_scenario_accounts(world)
    _hand_over_accounts(world)


def _new_account(
    world: SampleWorld,
    rng: random.Random,
    rep: Worker | None,
    line: str,
    kind: str,
    *,
    owner_id: str,
    block: int,
    created: datetime | None = None,
    name: str | None = None,
    country: str | None = None,
    segment: str | None = None,
) -> Account:
    """An account of ``kind`` (Customer, Prospect, Partner); what is not given is drawn."""
    if country is None:
        country = weighted(rng, list(COUNTRY_WEIGHTS[line].items()))
    if segment is None:
        segment = "B2C" if line == RETAIL and rng.random() < B2C_SHARE_RETAIL else "B2B"
    if segment == "B2C":
        first, last, _ = world.names.person(rng)
        name = name or f"{first} {last}"
        erp_name = f"{last.upper()} {first}"
        industry = ""
    else:
        name = name or world.names.company(rng, country)
        erp_name = name.upper() if rng.random() < 0.4 else name
        industry = rng.choice(INDUSTRIES)
    if created is None:
        created = stamp_on(rng, _creation_day(world, rng, kind))
    if rng.random() < INTEGRATION_OWNED_ACCOUNT_SHARE and rep is not None:
        assert world.integration_user and world.marketing_user
        owner_id = (world.marketing_user if kind == "Prospect" else world.integration_user).id
    account = Account(
        id=world.ids.new("001"),
        name=name,
        erp_name=erp_name,
        industry=industry,
        country=country,
        segment=segment,
        initial_type=kind,
        created=created,
        owner_changes=[(created, owner_id)],
        block=block,
        customer_since=created.date() if kind == "Customer" else None,
    )
    world.accounts.append(account)
    if rep is not None:
        rep.accounts.append(account)
    return account


def _creation_day(world: SampleWorld, rng: random.Random, kind: str) -> date:
    """Customers and partners are years old; prospects younger, some created in the window."""
    start = world.history_start
    if kind == "Prospect" and rng.random() < NEW_PROSPECT_SHARE:
        return random_business_day(rng, start, world.end - timedelta(days=60))
    if kind == "Prospect":
        return random_business_day(rng, start - timedelta(days=900), start - timedelta(days=30))
    return random_business_day(
        rng, start - timedelta(days=365 * HISTORY_YEARS), start - timedelta(days=120)
    )


def _mark_dormant_customers(world: SampleWorld) -> None:
    rng = world.rng("dormant")
    for account in world.accounts:
        if account.initial_type == "Customer" and rng.random() < DORMANT_CUSTOMER_SHARE:
            account.dormant_from = world.end - timedelta(
                days=DORMANT_BEFORE_END_DAYS + rng.randint(0, 150)
            )


def _add_scenario_accounts(world: SampleWorld) -> None:
    """Accounts that scenarios need: fixed names with ’ and œ, foreign-currency customers."""
    rng = world.rng("scenario-accounts")
    _duplicate_accounts(world, rng)
    owner = world.team_member(0, FARMER, 0)
    sge = _scenario_account(world, rng, "sge", owner, "FR")
    sge.erp_name = sge.name  # cp1252 é, ’ and É in clients.csv
    for key, (team, role, country) in {
        "usd": (0, HUNTER, "US"),
        "gbp": (1, FARMER, "GB"),
        "chf": (0, NEGOTIATOR, "CH"),
    }.items():
        _scenario_account(world, rng, key, world.team_member(team, role), country)


def _scenario_account(
    world: SampleWorld,
    rng: random.Random,
    key: str,
    rep: Worker,
    country: str,
    created: datetime | None = None,
) -> Account:
    """A customer of ``rep`` with the reserved name ``SCENARIO_ACCOUNT_NAMES[key]``, always
    active, rep-owned, and with its ERP code typed plainly unless the scenario says else."""
    assert rep.user and rep.business_line
    account = _new_account(
        world,
        rng,
        rep,
        rep.business_line,
        "Customer",
        owner_id=rep.user.id,
        block=0,
        name=SCENARIO_ACCOUNT_NAMES[key],
        country=country,
        segment="B2B",
        created=created,
    )
    account.dormant_from = None
    account.code_style = "plain"
    if account.owner_changes[0][1] != rep.user.id:  # keep scenario accounts rep-owned
        account.owner_changes = [(account.created, rep.user.id)]
    world.scenario_accounts[key] = account
    return account


def _duplicate_accounts(world: SampleWorld, rng: random.Random) -> None:
    """The same ERP customer created twice in the CRM, under a slightly different name."""
    farmer = world.team_member(4, FARMER, 0)
    heart = _scenario_account(world, rng, "heart", farmer, "FR")
    heart.erp_name = heart.name  # cp1252 œ (0x9C) in clients.csv
    created = month_start(add_months(world.last, -8)) + timedelta(days=9)
    twin = _scenario_account(world, rng, "twin", farmer, "FR", stamp_on(rng, created))
    twin.twin_of, twin.code_style, twin.industry = heart, "lower_padded", heart.industry
    world.record_scenario(
        "Duplicate accounts sharing one ERP customer code",
        f"{heart.id}, {twin.id}",
        "all",
        "ERP code compared trimmed and upper-cased; duplicate accounts",
    )


def _hand_over_accounts(world: SampleWorld) -> None:
    """A leaver's (or role-changer's) accounts go to the replacement on the handover day."""
    rng = world.rng("handover-accounts")
    for worker in world.workers:
        if worker.replacement is None or worker.handover is None:
            continue
        successor = worker.replacement
        assert successor.user and worker.user
        for account in worker.accounts:
            if account.owner_changes[-1][1] == worker.user.id:
                account.owner_changes.append((stamp_on(rng, worker.handover), successor.user.id))
        successor.accounts.extend(worker.accounts)
