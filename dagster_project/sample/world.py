"""The invented sales organisation: its people, teams, CRM users and accounts, and the
``SampleWorld`` that holds them together with everything built on top of them.

The builders (``organisation``, ``users``, ``accounts``, ``deals``, ``scenarios``,
``billing``...) fill a ``SampleWorld`` once; the writers (``crm``, ``erp``, ``hris``,
``sales_ops``) then replay it period by period. Keeping all state here, and nothing in the
writers, is what lets a snapshot of any period be cut from the same history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .dates import add_months, month_end, month_start, periods_between
from .ids import UNKNOWN_USER_SERIAL, IdFactory, salesforce_id
from .names import NameBook

if TYPE_CHECKING:
    from .billing import Document, ErpClient
    from .deals import Opportunity
    from .splits import Split
    from .tasks import Task

# The sample window of the bundled landing zone (see SCENARIOS.md).
DEFAULT_SEED = 20261031
DEFAULT_FIRST_PERIOD = "2025-11"
DEFAULT_LAST_PERIOD = "2026-10"

HISTORY_MONTHS = 2  # deals already closed before the first drop, so it is not an empty CRM
FORWARD_MONTHS = 4  # planned closes after the last drop: the open pipeline at the end
EXTRACTION_LAG_DAYS = 4  # a drop is extracted on the first days of the next month
HISTORY_YEARS = 10  # workers and customers are hired / created up to this long before

HUNTER, FARMER, NEGOTIATOR = "Hunter", "Farmer", "Negotiator"
MANAGER, SUPPORT = "Sales Manager", "Sales Support"
REP_ROLES = (HUNTER, FARMER, NEGOTIATOR)
ENTERPRISE, MID_MARKET, RETAIL = "Enterprise", "Mid-Market", "Retail"

CURRENCY_OF_COUNTRY = {"US": "USD", "GB": "GBP", "CH": "CHF"}


@dataclass(eq=False)
class RoleChange:
    """A worker moved to another role (and profile) from ``effective`` on."""

    effective: date
    role: str
    job_profile: str


@dataclass(eq=False)
class Team:
    name: str
    business_line: str
    block: int  # copy of the organisation the team belongs to (``scale`` copies)
    index: int  # position in ``organisation.TEAMS``
    manager: Worker | None = None
    members: list[Worker] = field(default_factory=list)
    support: Worker | None = None


@dataclass(eq=False)
class Worker:
    """A Workday worker, plus what the generator needs to make them sell."""

    employee_id: str
    first_name: str
    last_name: str
    email: str
    role: str | None
    org: str
    manager_id: str | None
    business_line: str | None
    hire_date: date
    job_profile: str | None = None
    fte: str = "1"
    country: str | None = "FR"
    target_variable: int | None = None
    termination_date: date | None = None
    termination_known: date | None = None  # first day the HRIS shows the termination
    role_change: RoleChange | None = None
    absent_as_null: bool = False  # absent values as null (else: key missing)
    team: Team | None = None
    user: User | None = None
    skill: float = 1.0
    stretch: float = 1.0
    accounts: list[Account] = field(default_factory=list)
    replacement: Worker | None = None
    handover: date | None = None
    quota_from: str | None = None
    quota_until: str | None = None
    quota_skip: frozenset[str] = frozenset()
    ramp: tuple[float, ...] = ()  # share of the full quota in the first months after hire

    def role_on(self, day: date) -> tuple[str | None, str | None]:
        if self.role_change and day >= self.role_change.effective:
            return self.role_change.role, self.role_change.job_profile
        return self.role, self.job_profile

    @property
    def selling_end(self) -> date | None:
        """Last day the worker sells (leaving, or moving to a non-selling role)."""
        if self.role_change:
            return self.role_change.effective - timedelta(days=1)
        return self.termination_date

    def sells_on(self, day: date) -> bool:
        end = self.selling_end
        return self.role in REP_ROLES and self.hire_date <= day and (end is None or day <= end)

    def employed_in(self, period: str) -> bool:
        return self.hire_date <= month_end(period) and (
            self.termination_date is None or self.termination_date >= month_start(period)
        )


@dataclass(eq=False)
class User:
    """A CRM user: one per worker, plus the integration users."""

    id: str
    username: str
    email: str
    first_name: str
    last_name: str
    employee_number: str
    active_from: date
    inactive_from: date | None = None


@dataclass(eq=False)
class Account:
    id: str
    name: str
    erp_name: str
    industry: str
    country: str
    segment: str  # B2B / B2C
    initial_type: str  # Customer / Prospect / Partner
    created: datetime
    owner_changes: list[tuple[datetime, str]]
    block: int
    customer_since: date | None = None
    erp_code: str | None = None
    code_style: str | None = None  # how the CRM shows the ERP code; None: drawn later
    twin_of: Account | None = None  # a duplicate account carrying the same ERP code
    dormant_from: date | None = None

    @property
    def currency(self) -> str:
        return CURRENCY_OF_COUNTRY.get(self.country, "EUR")

    def owner_at(self, cutoff: datetime) -> str:
        """The OwnerId a snapshot taken at ``cutoff`` shows."""
        owner = self.owner_changes[0][1]
        for stamp, owner_id in self.owner_changes:
            if stamp <= cutoff:
                owner = owner_id
        return owner


@dataclass(eq=False)
class Scenario:
    """One deliberate edge case, listed in SCENARIOS.md."""

    what: str
    ids: str
    period: str
    rule: str


class SampleWorld:
    """The invented company over the sample window, built once, then written per period.

    ``generate.build_world`` runs the builders in a fixed order: ids are handed out
    sequentially, so the order is part of the output.
    """

    def __init__(self, seed: int, scale: int, first_period: str, last_period: str) -> None:
        if scale < 1:
            raise ValueError("scale must be 1 or more")
        if first_period > last_period:
            raise ValueError("first_period must not be after last_period")
        self.seed, self.scale = seed, scale
        self.periods = periods_between(first_period, last_period)
        self.first, self.last = first_period, last_period
        self.end = month_end(last_period)
        self.ids = IdFactory()
        self.names = NameBook()
        self.workers: list[Worker] = []
        self.teams: list[Team] = []
        self.users: list[User] = []
        self.accounts: list[Account] = []
        self.opportunities: list[Opportunity] = []
        self.splits: list[Split] = []
        self.tasks: list[Task] = []
        self.clients: list[ErpClient] = []
        self.documents: list[Document] = []
        self.rates: dict[str, dict[date, Decimal]] = {}
        self.scenarios: list[Scenario] = []
        self.integration_user: User | None = None
        self.marketing_user: User | None = None
        self.unknown_owner_id = salesforce_id("005", UNKNOWN_USER_SERIAL)
        self.duplicate_repeat: Document | None = None
        self.scenario_accounts: dict[str, Account] = {}
        self.client_of: dict[str, ErpClient] = {}
        self.team_quota_gap: tuple[str, str] | None = None
        self.evaluation_gap: tuple[str, str] | None = None

    def rng(self, *topic: object) -> random.Random:
        """An independent, seeded stream per topic: adding data to one topic moves no other."""
        return random.Random(f"{self.seed}/" + "/".join(str(t) for t in topic))

    @property
    def history_first(self) -> str:
        """The first month with closed deals: a little before the first drop."""
        return add_months(self.first, -HISTORY_MONTHS)

    @property
    def history_start(self) -> date:
        return month_start(self.history_first)

    @property
    def close_months(self) -> list[str]:
        """Months in which deals are planned to close, the open pipeline at the end included."""
        return periods_between(self.history_first, add_months(self.last, FORWARD_MONTHS))

    @property
    def workers_by_id(self) -> list[Worker]:
        return sorted(self.workers, key=lambda w: w.employee_id)

    def team_member(self, team_index: int, role: str, nth: int = 0) -> Worker:
        """The ``nth`` block-0 member of a team with that (initial) role: scenarios pick
        their people this way, so that they stay the same people at every scale."""
        team = self.teams[team_index]
        return [w for w in team.members if w.role == role][nth]

    def record_scenario(self, what: str, ids: str, period: str, rule: str) -> None:
        """Add a line to the scenario table of SCENARIOS.md (in the order of recording)."""
        self.scenarios.append(Scenario(what, ids, period, rule))
