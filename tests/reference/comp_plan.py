"""An independent reference calculation of the variable-pay plan, in plain Python Decimal.

Written from ../shared/spec/comp-plan.md and the plan file, never from the SQL: the tests
compare the dbt models' payouts with this, to the cent. It reads its inputs through plain
dataclasses so that hypothesis can generate them, and ``inputs_from_landing`` builds them
from a landing zone (through the project's readers, which only parse formats).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dagster_project.incentives.plan import Plan

CENT = Decimal("0.01")


def half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass
class Worker:
    employee_id: str
    role: str | None
    team: str | None
    hire_date: dt.date | None
    termination_date: dt.date | None
    fte: Decimal | None
    annual_target: Decimal | None
    currency: str | None
    email: str | None = None


@dataclass
class User:
    user_id: str
    employee_number: str | None
    email: str | None


@dataclass
class Opportunity:
    opportunity_id: str
    owner_user_id: str | None
    amount: Decimal | None
    currency: str
    close_date: dt.date
    is_won: bool
    is_deleted: bool


@dataclass
class Split:
    opportunity_id: str
    owner_user_id: str
    percentage: Decimal
    split_type: str


@dataclass
class Inputs:
    period: str
    workers: list[Worker]
    users: list[User]
    opportunities: list[Opportunity]
    splits: list[Split]
    rates: dict[str, list[tuple[dt.date, Decimal]]]  # currency -> [(date, units per EUR)]
    individual_quotas: dict[str, Decimal]
    team_quotas: dict[str, Decimal]
    scores: dict[str, Decimal]
    # What earlier certified periods credited: (opportunity, employee or None) -> EUR.
    certified_credits: dict[tuple[str, str | None], Decimal] = field(default_factory=dict)
    certified_periods: set[str] = field(default_factory=set)


@dataclass
class PayoutRow:
    employee_id: str
    role: str
    team: str | None
    status: str  # certified | held
    hold_reasons: list[str]
    target_variable: Decimal
    credited: Decimal  # the period's own bookings
    adjustments: Decimal
    individual_attainment: Decimal | None
    team_attainment: Decimal | None
    qualitative_factor: Decimal | None
    payout: Decimal | None


@dataclass
class Result:
    payouts: dict[str, PayoutRow]
    credits: dict[tuple[str, str | None], Decimal]  # the period's credit lines
    adjustments: dict[tuple[str, str | None], Decimal]
    unattributed: Decimal
    bookings_credited: Decimal
    blocks: list[str]


def _bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month = int(period[:4]), int(period[5:])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _employed_days(worker: Worker, first: dt.date, last: dt.date) -> int:
    if worker.hire_date is None or worker.hire_date > last:
        return 0
    if worker.termination_date is not None and worker.termination_date < first:
        return 0
    start = max(first, worker.hire_date)
    end = min(last, worker.termination_date or last)
    return (end - start).days + 1


def _curve(a: Decimal, plan: Plan) -> Decimal:
    c = plan.curve
    if a < c.threshold:
        return Decimal(0)
    if a <= c.target:
        return a
    return min(c.cap, c.target + c.accelerator_slope * (a - c.target))


def _user_to_worker(inputs: Inputs) -> dict[str, str | None]:
    """CRM user id -> Employee_ID: EmployeeNumber, or (only if blank) the e-mail, trimmed
    and case-insensitive; an e-mail shared by two workers matches nobody."""
    ids = {w.employee_id for w in inputs.workers}
    by_email: dict[str, list[str]] = defaultdict(list)
    for w in inputs.workers:
        if w.email and w.email.strip():
            by_email[w.email.strip().lower()].append(w.employee_id)
    mapping: dict[str, str | None] = {}
    for user in inputs.users:
        number = (user.employee_number or "").strip()
        if number:
            mapping[user.user_id] = number if number in ids else None
        else:
            found = by_email.get((user.email or "").strip().lower(), [])
            mapping[user.user_id] = found[0] if len(found) == 1 else None
    return mapping


def _rate(inputs: Inputs, currency: str, day: dt.date) -> Decimal | None:
    if currency == "EUR":
        return Decimal(1)
    earlier = [(d, r) for d, r in inputs.rates.get(currency, []) if d <= day]
    return max(earlier)[1] if earlier else None


def _credit_opportunities(
    inputs: Inputs,
    opportunities: list[Opportunity],
    user_map: dict[str, str | None],
    blocks: list[str],
    exceptions: set[str],
) -> dict[tuple[str, str | None], Decimal]:
    """Credit lines (opportunity, employee or None) -> EUR for won, not-deleted deals."""
    splits: dict[str, list[Split]] = defaultdict(list)
    for s in inputs.splits:
        if s.split_type == "Revenue":
            splits[s.opportunity_id].append(s)
    lines: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for opp in opportunities:
        rate = _rate(inputs, opp.currency, opp.close_date)
        if rate is None:
            blocks.append(f"fx_rate_missing: {opp.currency} on {opp.close_date}")
            continue
        amount_eur = half_up((opp.amount or Decimal(0)) / rate, 2)
        shares = [(s.owner_user_id, s.percentage) for s in splits[opp.opportunity_id]]
        if not shares:
            shares = [(opp.owner_user_id, Decimal(100))]
        elif sum(p for _, p in shares) != 100:
            exceptions.add(opp.opportunity_id)
            continue
        for user_id, percentage in shares:
            worker = user_map.get(user_id) if user_id else None
            lines[(opp.opportunity_id, worker)] += half_up(amount_eur * percentage / 100, 2)
    return dict(lines)


def compute(inputs: Inputs, plan: Plan) -> Result:
    first, last = _bounds(inputs.period)
    blocks: list[str] = []
    user_map = _user_to_worker(inputs)
    live = [o for o in inputs.opportunities if o.is_won and not o.is_deleted]

    booked = [o for o in live if first <= o.close_date <= last]
    exceptions: set[str] = set()
    credits = _credit_opportunities(inputs, booked, user_map, blocks, exceptions)

    # Prior-period adjustments: what each deal of a certified period credits now, minus
    # what was certified for it.
    prior = [o for o in live if o.close_date.strftime("%Y-%m") in inputs.certified_periods]
    now = _credit_opportunities(inputs, prior, user_map, blocks, set())
    adjustments: dict[tuple[str, str | None], Decimal] = {}
    for key in set(now) | set(inputs.certified_credits):
        difference = now.get(key, Decimal(0)) - inputs.certified_credits.get(key, Decimal(0))
        if difference:
            adjustments[key] = difference

    per_worker: dict[str | None, Decimal] = defaultdict(Decimal)
    per_worker_adj: dict[str | None, Decimal] = defaultdict(Decimal)
    for (_, worker), amount in credits.items():
        per_worker[worker] += amount
    for (_, worker), amount in adjustments.items():
        per_worker_adj[worker] += amount
    unattributed = per_worker.get(None, Decimal(0))
    bookings_credited = sum(credits.values(), Decimal(0))
    if (
        bookings_credited
        and unattributed > plan.unattributed_credit_block_share * bookings_credited
    ):
        blocks.append("unattributed_credit_over_limit")

    held_users = set()
    for opp in booked:
        if opp.opportunity_id in exceptions:
            held_users.add(opp.owner_user_id)
            held_users.update(
                s.owner_user_id
                for s in inputs.splits
                if s.opportunity_id == opp.opportunity_id and s.split_type == "Revenue"
            )
    held_workers = {user_map.get(u) for u in held_users if u} - {None}

    members: dict[str, list[str]] = defaultdict(list)
    for w in inputs.workers:
        if w.team and _employed_days(w, first, last) > 0:
            members[w.team].append(w.employee_id)

    def total(employee_id: str) -> Decimal:
        return per_worker.get(employee_id, Decimal(0)) + per_worker_adj.get(employee_id, Decimal(0))

    digits = plan.attainment_decimals
    payouts: dict[str, PayoutRow] = {}
    days_in_period = (last - first).days + 1
    for w in inputs.workers:
        days = _employed_days(w, first, last)
        if w.role not in plan.roles or days == 0:
            continue
        if (w.currency or "") != plan.currency:
            blocks.append(f"eligible_worker_not_eur: {w.employee_id}")
            continue
        weights = plan.roles[w.role]
        tv = half_up(
            (w.annual_target or Decimal(0))
            * (w.fte or Decimal(0))
            * days
            / (plan.months_per_year * days_in_period),
            2,
        )
        reasons: list[str] = []
        ia = ta = q = None
        quota = inputs.individual_quotas.get(w.employee_id)
        if weights.individual:
            if quota is None or quota <= 0:
                reasons.append("no_individual_quota")
            else:
                ia = half_up(total(w.employee_id) / quota, digits)
        team_quota = inputs.team_quotas.get(w.team or "")
        if weights.collective:
            if team_quota is None or team_quota <= 0:
                reasons.append("no_team_quota")
            else:
                team_total = sum((total(m) for m in members[w.team]), Decimal(0))
                ta = half_up(team_total / team_quota, digits)
        if weights.qualitative:
            score = inputs.scores.get(w.employee_id)
            if score is None:
                reasons.append("no_qualitative_score")
            else:
                q = min(Decimal(1), max(Decimal(0), score / plan.score_scale))
        if w.employee_id in held_workers:
            reasons.append("split_exception")
        payout = None
        if not reasons:
            factor = (
                weights.qualitative * (q or 0)
                + weights.individual * (_curve(ia, plan) if ia is not None else 0)
                + weights.collective * (_curve(ta, plan) if ta is not None else 0)
            )
            payout = half_up(tv * factor, 2)
        payouts[w.employee_id] = PayoutRow(
            employee_id=w.employee_id,
            role=w.role,
            team=w.team,
            status="held" if reasons else "certified",
            hold_reasons=reasons,
            target_variable=tv,
            credited=per_worker.get(w.employee_id, Decimal(0)),
            adjustments=per_worker_adj.get(w.employee_id, Decimal(0)),
            individual_attainment=ia,
            team_attainment=ta,
            qualitative_factor=q,
            payout=payout,
        )
    return Result(payouts, credits, adjustments, unattributed, bookings_credited, blocks)


RowsOf = Callable[[str, str], list[dict]]  # (source name, drop period) -> typed rows


def _text(value: str | None) -> str | None:
    """Trimmed text, blank as None: how every system's codes and ids are compared."""
    return (value or "").strip() or None


def inputs_from_rows(period: str, rows: RowsOf, drops: Iterable[str]) -> Inputs:
    """The period's inputs from typed source rows (as the readers return them)."""
    rates: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for drop in sorted(p for p in drops if p <= period):
        for r in rows("erp__taux_change", drop):
            rates[_text(r["devise"]).upper()].append((r["date"], r["taux"]))
    workers = [
        Worker(
            _text(r["Employee_ID"]) or "", _text(r["Sales_Role"]),
            _text(r["Supervisory_Organization"]), r["Hire_Date"], r["Termination_Date"],
            r["FTE"], r["Annual_Target_Variable"], (_text(r["Currency"]) or "").upper() or None,
            r["Work_Email"],
        )
        for r in rows("hris__worker", period)
    ]  # fmt: skip
    return Inputs(
        period=period,
        workers=workers,
        users=[
            User(_text(r["Id"]), _text(r["EmployeeNumber"]), r["Email"])
            for r in rows("crm__user", period)
        ],
        opportunities=[
            Opportunity(
                _text(r["Id"]),
                _text(r["OwnerId"]),
                r["Amount"],
                (_text(r["CurrencyIsoCode"]) or "").upper(),
                r["CloseDate"],
                r["IsWon"],
                r["IsDeleted"],
            )
            for r in rows("crm__opportunity", period)
            if r["CloseDate"] is not None
        ],
        splits=[
            Split(
                _text(r["OpportunityId"]),
                _text(r["SplitOwnerId"]),
                r["SplitPercentage"],
                _text(r["SplitTypeName"]),
            )
            for r in rows("crm__opportunity_split", period)
        ],
        rates=dict(rates),
        individual_quotas={
            _text(r["Employee_ID"]): r["Quota_EUR"]
            for r in rows("sales_ops__individual_quota", period)
            if r["Mois"] == period
        },
        team_quotas={
            _text(r["Equipe"]): r["Quota_EUR"]
            for r in rows("sales_ops__team_quota", period)
            if r["Mois"] == period
        },
        scores={
            _text(r["Employee_ID"]): r["Score_Qualitatif"]
            for r in rows("sales_ops__evaluation", period)
            if r["Periode"] == period and r["Score_Qualitatif"] is not None
        },
    )


def inputs_from_landing(landing: Path, period: str) -> Inputs:
    """The period's inputs read from the landing zone's files (no warehouse, no dbt)."""
    from dagster_project.ingest.contracts import SOURCES_BY_NAME
    from dagster_project.ingest.landing import drop_periods
    from dagster_project.ingest.loader import read_source_file

    def rows(name: str, of_period: str) -> list[dict]:
        typed, _ = read_source_file(SOURCES_BY_NAME[name], landing, of_period)
        return typed.rows.to_pylist()

    return inputs_from_rows(period, rows, drop_periods(landing))
