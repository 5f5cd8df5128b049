"""The sales organisation in Workday: a head of sales, a director per business line, and
teams of reps under a Sales Manager, plus the HR histories the scenarios need.

Eligibility, proration and team rules are all driven by who is in which role and team on
which day, so the HR edge cases (leavers, mid-month hires, part-time, a role change) are
built here with the people, before anything else is attached to them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .dates import add_months, month_start, on_or_after_business_day, period_of
from .draws import random_business_day
from .world import (
    ENTERPRISE,
    FARMER,
    HISTORY_YEARS,
    HUNTER,
    MANAGER,
    MID_MARKET,
    NEGOTIATOR,
    RETAIL,
    SUPPORT,
    RoleChange,
    Team,
    Worker,
)

if TYPE_CHECKING:
    from .world import SampleWorld

# name, business line, roles of the members besides the Sales Manager (8 teams of 7 + 4 heads)
_CORE = (HUNTER, HUNTER, FARMER, FARMER, NEGOTIATOR)
TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Team Paris Grands Comptes", ENTERPRISE, (*_CORE, SUPPORT)),
    ("Team Lyon Grands Comptes", ENTERPRISE, (*_CORE, HUNTER)),
    ("Team Paris PME", MID_MARKET, (*_CORE, FARMER)),
    ("Team Lyon PME", MID_MARKET, (*_CORE, SUPPORT)),
    ("Team Nantes PME", MID_MARKET, (*_CORE, HUNTER)),
    ("Team Lille PME", MID_MARKET, (*_CORE, FARMER)),
    ("Team Bordeaux Retail", RETAIL, (*_CORE, SUPPORT)),
    ("Team Marseille Retail", RETAIL, (*_CORE, FARMER)),
)
HEAD_ORG = "Direction des Ventes"
DIRECTOR_ORG = "Direction Commerciale {line}"
FIRST_EMPLOYEE_NUMBER = 10001

JOB_PROFILES = {
    HUNTER: "Ingénieur commercial - Nouveaux clients",
    FARMER: "Responsable de comptes",
    NEGOTIATOR: "Négociateur grands contrats",
    MANAGER: "Responsable d\u2019équipe commerciale",
    SUPPORT: "Assistant commercial",
}
ANNUAL_TARGET_VARIABLE = {  # EUR, drawn in steps of 500
    HUNTER: (18000, 26000),
    FARMER: (14000, 20000),
    NEGOTIATOR: (20000, 30000),
    MANAGER: (28000, 40000),
}
REP_SKILL = (0.75, 1.3, 1.0)  # triangular: some reps sell bigger deals than others
QUOTA_STRETCH = (0.95, 1.15, 1.05)  # triangular: quotas a little above the expected bookings
NEWCOMER_QUOTA_RAMP = (0.4, 0.6, 0.8)  # a mid-month hire without a pipeline of their own


def build_organisation(world: SampleWorld) -> None:
    """Every block (one per ``scale``) gets the directors and the eight teams; block 0 then
    gets the HR scenarios."""
    rng = world.rng("organisation")
    head = _new_worker(world, rng, role=None, org=HEAD_ORG, manager=None, line=None)
    head.job_profile = "Directeur des ventes"
    for block in range(world.scale):
        suffix = "" if block == 0 else f" {block + 1}"
        directors = {}
        for line in (ENTERPRISE, MID_MARKET, RETAIL):
            director = _new_worker(
                world,
                rng,
                role=None,
                org=DIRECTOR_ORG.format(line=line) + suffix,
                manager=head,
                line=line,
            )
            director.job_profile = f"Directeur commercial {line}"
            directors[line] = director
        for index, (name, line, roles) in enumerate(TEAMS):
            team = Team(name + suffix, line, block, index)
            world.teams.append(team)
            team.manager = _new_worker(
                world,
                rng,
                role=MANAGER,
                org=team.name,
                manager=directors[line],
                line=line,
                team=team,
            )
            for role in roles:
                worker = _new_worker(
                    world, rng, role=role, org=team.name, manager=team.manager, line=line, team=team
                )
                if role == SUPPORT:
                    team.support = worker
    _apply_hr_scenarios(world)


def _new_worker(
    world: SampleWorld,
    rng: random.Random,
    *,
    role: str | None,
    org: str,
    manager: Worker | None,
    line: str | None,
    team: Team | None = None,
    hire_date: date | None = None,
) -> Worker:
    first, last, email = world.names.person(rng)
    if hire_date is None:
        earliest = world.history_start - timedelta(days=365 * HISTORY_YEARS)
        hire_date = random_business_day(rng, earliest, world.history_start - timedelta(days=90))
    low_high = ANNUAL_TARGET_VARIABLE.get(role or "")
    worker = Worker(
        employee_id=f"E{FIRST_EMPLOYEE_NUMBER + len(world.workers)}",
        first_name=first,
        last_name=last,
        email=email,
        role=role,
        org=org,
        manager_id=manager.employee_id if manager else None,
        business_line=line,
        hire_date=hire_date,
        job_profile=JOB_PROFILES.get(role or ""),
        country="BE" if rng.random() < 0.04 else None if rng.random() < 0.03 else "FR",
        target_variable=rng.randrange(low_high[0], low_high[1] + 1, 500) if low_high else None,
        absent_as_null=rng.random() < 0.5,
        team=team,
        skill=rng.triangular(*REP_SKILL),
        stretch=rng.triangular(*QUOTA_STRETCH),
    )
    world.workers.append(worker)
    if team is not None:
        team.members.append(worker)
    return worker


def _hire(world: SampleWorld, team_index: int, role: str, hire: date) -> Worker:
    """A new member of a block-0 team, with quota rows from the month of hire."""
    team = world.teams[team_index]
    rng = world.rng("hire", team_index, hire.isoformat())
    worker = _new_worker(
        world,
        rng,
        role=role,
        org=team.name,
        manager=team.manager,
        line=team.business_line,
        team=team,
        hire_date=hire,
    )
    worker.quota_from = period_of(hire)
    return worker


def _apply_hr_scenarios(world: SampleWorld) -> None:
    """Block-0 people whose HR history is an edge case (see SCENARIOS.md)."""
    _roles_to_watch(world)
    _part_time(world)
    _leaver_and_newcomer(world)
    _leaver_of_previous_period(world)
    _older_leaver(world)
    _role_change(world)
    for worker in world.workers:
        if worker.replacement is not None:
            end = worker.selling_end
            assert end is not None
            worker.handover = on_or_after_business_day(
                max(end, worker.replacement.hire_date) + timedelta(days=1)
            )


def _roles_to_watch(world: SampleWorld) -> None:
    manager = world.teams[3].manager
    assert manager is not None
    world.record_scenario(
        f"Sales Manager of {world.teams[3].name}",
        manager.employee_id,
        world.last,
        "Sales Manager weights: 100 % collective f(TA)",
    )
    world.record_scenario(
        "Negotiator (qualitative 50 %)",
        world.team_member(0, NEGOTIATOR).employee_id,
        world.last,
        "Negotiator weights 50/35/15 with Score_Qualitatif",
    )


def _part_time(world: SampleWorld) -> None:
    for (team, role, nth), fte in (((2, FARMER, 0), "0.8"), ((6, HUNTER, 1), "0.5")):
        worker = world.team_member(team, role, nth)
        worker.fte = fte
        world.record_scenario(
            f"Part-time worker, FTE {fte}", worker.employee_id, world.last, "TV prorated by FTE"
        )


def _leaver_and_newcomer(world: SampleWorld) -> None:
    """A hunter resigns (known a month ahead) and is replaced by a mid-month hire."""
    last, prev = world.last, add_months(world.last, -1)
    leaver = world.team_member(1, HUNTER, 1)
    leaver.termination_date = month_start(last) + timedelta(days=9)
    leaver.termination_known = month_start(prev) + timedelta(days=14)
    newcomer = _hire(world, 1, HUNTER, month_start(last) + timedelta(days=14))
    newcomer.ramp = NEWCOMER_QUOTA_RAMP
    leaver.replacement = newcomer
    world.record_scenario(
        f"Hunter terminated {leaver.termination_date} (already in the {prev} HR snapshot)",
        leaver.employee_id,
        last,
        "TV prorated by days employed; eligible in both periods",
    )
    world.record_scenario(
        f"Hunter hired {newcomer.hire_date}, replaces that leaver, ramp-up quota",
        newcomer.employee_id,
        last,
        "TV prorated by days employed (hire day counts)",
    )


def _leaver_of_previous_period(world: SampleWorld) -> None:
    """A farmer leaves mid-month in the previous period; a teammate takes over."""
    prev = add_months(world.last, -1)
    leaver = world.team_member(4, FARMER, 1)
    leaver.termination_date = month_start(prev) + timedelta(days=17)
    leaver.termination_known = leaver.termination_date
    leaver.replacement = world.team_member(4, FARMER, 0)
    leaver.absent_as_null = True
    world.record_scenario(
        f"Farmer terminated {leaver.termination_date}; CRM user inactive from the {prev} snapshot",
        leaver.employee_id,
        prev,
        "eligible up to its last period; inactive owner of closed deals",
    )


def _older_leaver(world: SampleWorld) -> None:
    """An older leaver, replaced by a hire at the start of a month who inherits all."""
    left, hired = add_months(world.last, -7), add_months(world.last, -6)
    leaver = world.team_member(5, HUNTER, 0)
    leaver.termination_date = month_start(left) + timedelta(days=19)
    leaver.termination_known = leaver.termination_date
    leaver.quota_until = left
    replacement = _hire(world, 5, HUNTER, on_or_after_business_day(month_start(hired)))
    leaver.replacement = replacement
    world.record_scenario(
        f"Hunter terminated {leaver.termination_date}, replaced by a hire of "
        f"{replacement.hire_date} who inherits accounts and open deals",
        f"{leaver.employee_id} -> {replacement.employee_id}",
        f"{left}, {hired}",
        "eligibility by employment dates; OwnerId changes in the snapshots",
    )


def _role_change(world: SampleWorld) -> None:
    """A farmer moves to Sales Support and stays in the team."""
    effective = add_months(world.last, -3)
    mover = world.team_member(2, FARMER, 1)
    mover.role_change = RoleChange(month_start(effective), SUPPORT, JOB_PROFILES[SUPPORT])
    mover.quota_until = add_months(effective, -1)
    mover.replacement = world.team_member(2, FARMER, 2)
    world.record_scenario(
        f"Farmer who became Sales Support on {mover.role_change.effective} "
        "(stays a member of the team)",
        mover.employee_id,
        f"from {effective}",
        "Sales Support is not eligible; no quota rows after the change",
    )
