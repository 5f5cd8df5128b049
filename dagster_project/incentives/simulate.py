"""Plan what-if: every certified payout of a range of periods, recomputed under a candidate plan.

What it reads. Only the certified history, through the consumer copy
``<home>/certified/certified.duckdb`` opened read-only (never the working warehouse, which a
close may be writing): for each period of the range that is certified, its publication in
force (latest version) and, per eligible worker, every input of the payout as certified.
Nothing certified is written; a simulation can run while a close runs.

Why the certified inputs are enough, and where they are not. A certified payout row keeps
the inputs of each step of the calculation before any plan number is applied to them:
annual target, FTE, days employed and days in period (-> TV), credited bookings with
adjustments and the individual quota (-> IA), the team's credit and quota (-> TA), the
qualitative score, and which workers are named on a split exception. So a candidate plan
that changes these numbers is simulated exactly:

- the weights of a role (and which hold rules bite: a component that gains weight needs its
  quota or score, as in the close), and dropping a role (its workers are no longer eligible);
- the curve: threshold, target, accelerator slope, cap;
- ``qualitative.score_scale``, ``target_variable.months_per_year``,
  ``rounding.attainment_decimals``;
- ``unattributed_credit_block_share``: checked against the period's certified credit lines;
  a period the candidate would have blocked is flagged (its payouts are still compared).

And these are refused, with the reason, because their effect lies upstream of what was
certified (re-running the close on the landing files would be needed, which a simulation
must not do): a new eligible role (its workers were never in the certified payouts), the
plan currency (a block rule on HR data), ``rounding.money_decimals`` (it also rounds every
booking and credit line), the hold and block rule lists (the close applies them to source
data), and a plan number with more decimals than the close's plan tables keep
(``plan_tables``: DECIMAL(9,4), share DECIMAL(9,6)): the close would not apply it as
written. Crediting rules (splits, FX, identity, adjustments) are not plan numbers at all.

How it computes. In Python Decimal, row by row (a period has hundreds of rows, not
millions), each step rounded exactly where and as the dbt models round
(``int_target_variables_prorated``, ``int_attainment_computed``, ``int_payout_components``,
``payouts``; macros ``divide_half_up`` and ``payout_curve``): exact divisions rounded half
away from zero, the curve kept to 10 decimals, the payout ``round(TV x sum(weight x
factor), money_decimals)`` of the unrounded sum. DuckDB's DECIMAL products are exact (width
capped at 38) and its casts round half away from zero: checked, and Decimal with a wide
context does the same. Before trusting any candidate figure, every worker of every period is
recomputed under the plan that certified the period (found in ``config/plans`` by the
sha256 in the certificate) and must give back the certified status, TV, attainments,
factors and payout to the cent; otherwise the simulation is refused, never approximated.
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import duckdb

from ..certify.consumer_copy import CONSUMER_COPY
from ..settings import validate_period
from .plan import PLANS_DIR, Plan, PlanError, RoleWeights, load_plan

# The close keeps plan numbers in DECIMAL(9,4) (weights, curve, score scale) and the
# unattributed share in DECIMAL(9,6) (incentives/plan_tables.py); attainments and factors are
# DECIMAL(18,10) (dbt payouts contract).
PLAN_NUMBER_DECIMALS = 4
SHARE_DECIMALS = 6
FACTOR_DECIMALS = 10

# Decimal context wide enough that no product or sum here is ever rounded by the context.
_EXACT = decimal.Context(prec=100, rounding=ROUND_HALF_UP)


class SimulationError(ValueError):
    """A simulation that cannot be run as asked; the message says why."""


def divide_half_up(numerator: Decimal, denominator: Decimal, scale: int) -> Decimal:
    """``numerator / denominator`` rounded half away from zero to ``scale`` decimals,
    exactly (the dbt macro ``divide_half_up``: a quotient of integers, never a float)."""
    quotient = Fraction(numerator) / Fraction(denominator) * 10**scale
    units = (abs(quotient.numerator) * 2 + abs(quotient.denominator)) // (
        2 * abs(quotient.denominator)
    )
    sign = -1 if quotient < 0 else 1
    return Decimal(sign * units).scaleb(-scale)


def round_half_up(value: Decimal, scale: int) -> Decimal:
    """DuckDB's ``round(x, n)`` / cast to DECIMAL(_, n): half away from zero."""
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=_EXACT)


@dataclass(frozen=True)
class CertifiedPayout:
    """One worker's certified payout row: the inputs of each step, and what was certified."""

    period: str
    employee_id: str
    sales_role: str
    team: str | None
    business_line: str | None
    status: str
    hold_rules: tuple[str, ...]
    fte: Decimal
    days_employed: int
    days_in_period: int
    annual_target_variable: Decimal
    target_variable_eur: Decimal
    credited_with_adjustments_eur: Decimal
    individual_quota_eur: Decimal | None
    individual_attainment: Decimal | None
    team_credited_eur: Decimal
    team_quota_eur: Decimal | None
    team_attainment: Decimal | None
    qualitative_score: Decimal | None
    qualitative_factor: Decimal | None
    individual_factor: Decimal | None
    collective_factor: Decimal | None
    payout_factor: Decimal
    payout_eur: Decimal | None


@dataclass(frozen=True)
class PeriodCertified:
    period: str
    publication_id: str
    version: int
    plan: dict  # the certificate's plan: plan_id, version, file, sha256
    payouts: tuple[CertifiedPayout, ...]
    bookings_credited_eur: Decimal
    unattributed_credit_eur: Decimal


@dataclass(frozen=True)
class Recomputed:
    """One worker's payout under one plan, with the figures the comparison counts."""

    eligible: bool
    status: str  # certified | held | not_eligible
    hold_rules: tuple[str, ...]
    target_variable_eur: Decimal | None
    individual_attainment: Decimal | None
    team_attainment: Decimal | None
    qualitative_factor: Decimal | None
    individual_factor: Decimal | None
    collective_factor: Decimal | None
    payout_factor: Decimal | None
    payout_eur: Decimal | None
    capped: bool  # a weighted curve component cut by the cap
    below_threshold: bool  # a weighted curve component below the threshold (pays 0)


@dataclass(frozen=True)
class WorkerComparison:
    certified: CertifiedPayout
    before: Recomputed
    after: Recomputed

    @property
    def change_eur(self) -> Decimal:
        return (self.after.payout_eur or Decimal(0)) - (self.before.payout_eur or Decimal(0))


@dataclass(frozen=True)
class PeriodComparison:
    period: str
    publication_id: str
    version: int
    certifying_plan: Plan  # the plan file that certified the period
    workers: tuple[WorkerComparison, ...]
    would_block: str | None  # the candidate's unattributed-credit block, if it bites


@dataclass
class Simulation:
    candidate: Plan
    first: str
    last: str
    periods: list[PeriodComparison]
    skipped_periods: list[str]  # in the range, not certified
    warnings: list[str] = field(default_factory=list)


# --- reading the certified history -----------------------------------------------------

_PAYOUT_COLUMNS = [
    name for name in CertifiedPayout.__dataclass_fields__ if name not in ("hold_rules",)
]


def _read_certified(certified_db: Path, first: str, last: str) -> list[PeriodCertified]:
    if not certified_db.exists():
        raise SimulationError(f"{certified_db} does not exist: no period of this home is certified")
    conn = duckdb.connect(str(certified_db), read_only=True)
    try:
        publications = conn.execute(
            "SELECT period, publication_id, version, certificate FROM publications_in_force "
            "WHERE period BETWEEN ? AND ? ORDER BY period",
            [first, last],
        ).fetchall()
        columns = ", ".join(f"p.{c}" for c in _PAYOUT_COLUMNS)
        periods = []
        for period, publication_id, version, certificate in publications:
            cursor = conn.execute(
                f"SELECT {columns}, p.hold_rules FROM incentive_payouts AS p "
                "WHERE p.publication_id = ? ORDER BY p.employee_id",
                [publication_id],
            )
            payouts = tuple(
                CertifiedPayout(
                    **dict(zip(_PAYOUT_COLUMNS, row[:-1], strict=True)),
                    hold_rules=tuple(row[-1].split("; ")) if row[-1] else (),
                )
                for row in cursor.fetchall()
            )
            unattributed, credited = conn.execute(
                "SELECT coalesce(sum(credit_eur) FILTER (WHERE employee_id IS NULL), 0), "
                "coalesce(sum(credit_eur), 0) FROM credit_lines "
                "WHERE publication_id = ? AND line_type = 'booking'",
                [publication_id],
            ).fetchone()
            periods.append(
                PeriodCertified(
                    period=period,
                    publication_id=publication_id,
                    version=version,
                    plan=json.loads(certificate).get("plan") or {},
                    payouts=payouts,
                    bookings_credited_eur=Decimal(credited),
                    unattributed_credit_eur=Decimal(unattributed),
                )
            )
        return periods
    finally:
        conn.close()


# --- the candidate plan: what can be simulated -----------------------------------------


def _certifying_plan(period: PeriodCertified, plans_dir: Path) -> Plan:
    """The plan file that certified the period, found by the sha256 in its certificate."""
    sha = period.plan.get("sha256")
    for path in sorted(plans_dir.glob("*.yaml")):
        try:
            plan = load_plan(path)
        except PlanError as exc:  # the close would refuse it too
            raise SimulationError(f"plan file refused: {exc}") from exc
        if plan.sha256 == sha:
            return plan
    raise SimulationError(
        f"the plan that certified {period.period} ({period.plan.get('file')}, sha256 "
        f"{str(sha)[:12]}...) is not in {plans_dir}: cannot tell what the candidate changes"
    )


def _decimals(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


def unsimulatable_changes(candidate: Plan, certifying: Plan) -> list[str]:
    """Why the candidate cannot be simulated from certified inputs (empty: it can)."""
    reasons = []
    if added := sorted(set(candidate.roles) - set(certifying.roles)):
        reasons.append(
            f"role(s) {', '.join(added)} made eligible: their workers are not in the "
            "certified payouts"
        )
    if candidate.currency != certifying.currency:
        reasons.append(
            f"currency {certifying.currency} -> {candidate.currency}: the not-in-plan-currency "
            "block applies to HR data"
        )
    if candidate.money_decimals != certifying.money_decimals:
        reasons.append(
            "rounding.money_decimals changed: it also rounds every booking and credit line"
        )
    if set(candidate.holds) != set(certifying.holds):
        reasons.append("the hold rules changed: the close applies them to source data")
    if set(candidate.blocks) != set(certifying.blocks):
        reasons.append("the block rules changed: the close applies them to source data")
    return reasons


def too_precise_numbers(candidate: Plan) -> list[str]:
    """Plan numbers the close's plan tables would round (so not apply as written)."""
    numbers = {
        f"roles.{role}.{component}": getattr(weights, component)
        for role, weights in candidate.roles.items()
        for component in ("qualitative", "individual", "collective")
    }
    numbers.update({f"curve.{k}": getattr(candidate.curve, k) for k in candidate.curve.__dict__})
    numbers["qualitative.score_scale"] = candidate.score_scale
    found = [
        f"{name} = {value} has more than {PLAN_NUMBER_DECIMALS} decimals"
        for name, value in numbers.items()
        if _decimals(value) > PLAN_NUMBER_DECIMALS
    ]
    if _decimals(candidate.unattributed_credit_block_share) > SHARE_DECIMALS:
        found.append(f"unattributed_credit_block_share has more than {SHARE_DECIMALS} decimals")
    if candidate.attainment_decimals > FACTOR_DECIMALS:
        found.append(f"rounding.attainment_decimals is above {FACTOR_DECIMALS}")
    return found


# --- the calculation, step by step as the dbt models do it ------------------------------


def _curve(attainment: Decimal | None, plan: Plan) -> tuple[Decimal | None, bool, bool]:
    """f(A) kept to 10 decimals (macro payout_curve), whether the cap cut it, and whether
    A is below the threshold."""
    if attainment is None:
        return None, False, False
    c = plan.curve
    if attainment < c.threshold:
        return Decimal(0), False, True
    if attainment <= c.target:
        return round_half_up(attainment, FACTOR_DECIMALS), False, False
    excess = _EXACT.subtract(attainment, c.target)
    uncapped = _EXACT.add(c.target, _EXACT.multiply(c.accelerator_slope, excess))
    return round_half_up(min(c.cap, uncapped), FACTOR_DECIMALS), uncapped > c.cap, False


def recompute(row: CertifiedPayout, plan: Plan) -> Recomputed:
    """One worker's payout under ``plan``, from the certified inputs."""
    weights = plan.roles.get(row.sales_role)
    if weights is None:
        return Recomputed(
            False, "not_eligible", (), None, None, None, None, None, None, None, None, False, False
        )
    tv = divide_half_up(
        _EXACT.multiply(_EXACT.multiply(row.annual_target_variable, row.fte), row.days_employed),
        Decimal(plan.months_per_year * row.days_in_period),
        plan.money_decimals,
    )
    ia = ta = q = None
    if row.individual_quota_eur is not None and row.individual_quota_eur > 0:
        ia = divide_half_up(
            row.credited_with_adjustments_eur, row.individual_quota_eur, plan.attainment_decimals
        )
    if row.team_quota_eur is not None and row.team_quota_eur > 0:
        ta = divide_half_up(row.team_credited_eur, row.team_quota_eur, plan.attainment_decimals)
    if row.qualitative_score is not None:
        q = min(
            Decimal(1),
            max(Decimal(0), divide_half_up(row.qualitative_score, plan.score_scale, 10)),
        )
    fi, cut_i, low_i = _curve(ia, plan)
    fc, cut_c, low_c = _curve(ta, plan)
    holds = []
    if weights.individual > 0 and ia is None:
        holds.append("no_individual_quota")
    if weights.collective > 0 and ta is None:
        holds.append("no_team_quota")
    if weights.qualitative > 0 and q is None:
        holds.append("no_qualitative_score")
    if "split_exception" in row.hold_rules:  # named on an exception: not a plan number
        holds.append("split_exception")
    factor = _EXACT.add(
        _EXACT.add(
            _EXACT.multiply(weights.qualitative, q or Decimal(0)),
            _EXACT.multiply(weights.individual, fi or Decimal(0)),
        ),
        _EXACT.multiply(weights.collective, fc or Decimal(0)),
    )
    payout = None if holds else round_half_up(_EXACT.multiply(tv, factor), plan.money_decimals)
    counted = not holds
    return Recomputed(
        eligible=True,
        status="held" if holds else "certified",
        hold_rules=tuple(holds),
        target_variable_eur=tv,
        individual_attainment=ia,
        team_attainment=ta,
        qualitative_factor=q,
        individual_factor=fi,
        collective_factor=fc,
        payout_factor=round_half_up(factor, FACTOR_DECIMALS),
        payout_eur=payout,
        capped=counted
        and ((weights.individual > 0 and cut_i) or (weights.collective > 0 and cut_c)),
        below_threshold=counted
        and ((weights.individual > 0 and low_i) or (weights.collective > 0 and low_c)),
    )


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)


def reproduction_errors(row: CertifiedPayout, again: Recomputed) -> list[str]:
    """The certified figures that recomputing under the certifying plan does not give back."""
    pairs = {
        "status": (row.status == again.status),
        "hold_rules": (row.hold_rules == again.hold_rules),
        "target_variable_eur": _same(row.target_variable_eur, again.target_variable_eur),
        "individual_attainment": _same(row.individual_attainment, again.individual_attainment),
        "team_attainment": _same(row.team_attainment, again.team_attainment),
        "qualitative_factor": _same(row.qualitative_factor, again.qualitative_factor),
        "individual_factor": _same(row.individual_factor, again.individual_factor),
        "collective_factor": _same(row.collective_factor, again.collective_factor),
        "payout_factor": _same(row.payout_factor, again.payout_factor),
        "payout_eur": _same(row.payout_eur, again.payout_eur),
    }
    return [name for name, ok in pairs.items() if not ok]


def _would_block(period: PeriodCertified, candidate: Plan) -> str | None:
    share = candidate.unattributed_credit_block_share
    if period.unattributed_credit_eur > share * period.bookings_credited_eur:
        return (
            f"unattributed credit {period.unattributed_credit_eur} EUR is above "
            f"{share * 100} % of the {period.bookings_credited_eur} EUR credited"
        )
    return None


def periods_between(first: str, last: str) -> list[str]:
    periods = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def load_candidate(path: Path) -> Plan:
    """The candidate plan, validated exactly like the plan in force (``load_plan``)."""
    if not path.is_file():
        raise SimulationError(f"candidate plan {path} does not exist")
    try:
        return load_plan(path)
    except PlanError as exc:
        raise SimulationError(f"candidate plan refused: {exc}") from exc


def simulate(
    home: Path, candidate_path: Path, first: str, last: str, plans_dir: Path = PLANS_DIR
) -> Simulation:
    """Compare the certified payouts of ``first``..``last`` with the candidate plan's."""
    validate_period(first)
    validate_period(last)
    if first > last:
        raise SimulationError(f"--from {first} is after --to {last}")
    candidate = load_candidate(candidate_path)
    if problems := too_precise_numbers(candidate):
        raise SimulationError(
            f"candidate plan {candidate.file} cannot be simulated: " + "; ".join(problems)
        )
    certified = _read_certified(home / "certified" / CONSUMER_COPY, first, last)
    if not certified:
        raise SimulationError(f"no period from {first} to {last} is certified in {home}")

    simulation = Simulation(
        candidate=candidate,
        first=first,
        last=last,
        periods=[],
        skipped_periods=sorted(set(periods_between(first, last)) - {p.period for p in certified}),
    )
    for period in certified:
        certifying = _certifying_plan(period, plans_dir)
        if reasons := unsimulatable_changes(candidate, certifying):
            raise SimulationError(
                f"candidate plan {candidate.file} cannot be simulated on {period.period} "
                f"(certified under {certifying.file}): " + "; ".join(reasons)
            )
        if not candidate.in_force_for(period.period):
            simulation.warnings.append(
                f"{period.period} lies outside the candidate's effective dates: "
                "simulated as if it were in force"
            )
        workers = []
        for row in period.payouts:
            before = recompute(row, certifying)
            if mismatched := reproduction_errors(row, before):
                raise SimulationError(
                    f"recomputing {period.period} under {certifying.file} does not give back "
                    f"the certified {', '.join(mismatched)} of worker {row.employee_id}: "
                    "the certified history cannot be simulated exactly"
                )
            workers.append(WorkerComparison(row, before, recompute(row, candidate)))
        would_block = _would_block(period, candidate)
        if would_block:
            simulation.warnings.append(
                f"{period.period} would have been blocked under the candidate: {would_block}"
            )
        simulation.periods.append(
            PeriodComparison(
                period=period.period,
                publication_id=period.publication_id,
                version=period.version,
                certifying_plan=certifying,
                workers=tuple(workers),
                would_block=would_block,
            )
        )
    return simulation


def _weights_text(weights: RoleWeights | None) -> str:
    if weights is None:
        return "not eligible"
    return f"{weights.qualitative}/{weights.individual}/{weights.collective}"


def changed_numbers(candidate: Plan, certifying: Plan) -> list[str]:
    """The plan numbers the candidate changes, for the report ("curve.cap: 2.0 -> 2.5")."""
    changes = []
    for role in sorted(set(candidate.roles) | set(certifying.roles)):
        old, new = certifying.roles.get(role), candidate.roles.get(role)
        if old != new:
            changes.append(
                f"roles.{role} (qualitative/individual/collective): "
                f"{_weights_text(old)} -> {_weights_text(new)}"
            )
    for key in ("threshold", "target", "accelerator_slope", "cap"):
        old, new = getattr(certifying.curve, key), getattr(candidate.curve, key)
        if old != new:
            changes.append(f"curve.{key}: {old} -> {new}")
    for label, old, new in (
        ("qualitative.score_scale", certifying.score_scale, candidate.score_scale),
        ("target_variable.months_per_year", certifying.months_per_year, candidate.months_per_year),
        (
            "rounding.attainment_decimals",
            certifying.attainment_decimals,
            candidate.attainment_decimals,
        ),
        (
            "unattributed_credit_block_share",
            certifying.unattributed_credit_block_share,
            candidate.unattributed_credit_block_share,
        ),
    ):
        if old != new:
            changes.append(f"{label}: {old} -> {new}")
    return changes
