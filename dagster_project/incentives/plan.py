"""The variable-pay plan: a versioned YAML file with an effective date, validated on load.

The plan's numbers (weights, threshold, slope, cap, rounding, hold and block rules) live in
``config/plans/*.yaml``; this module reads them, refuses a plan that cannot be right (weights
of a role not summing to 1, a threshold above the target...) with a message naming the file
and the field, and picks the plan in force for a period. Changing a number changes no program.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..settings import PROJECT_ROOT, validate_period

PLANS_DIR = PROJECT_ROOT / "config" / "plans"

KNOWN_HOLDS = frozenset(
    {"no_individual_quota", "no_team_quota", "no_qualitative_score", "split_exception"}
)
KNOWN_BLOCKS = frozenset(
    {
        "source_file_unusable",
        "duplicate_key",
        "fx_rate_missing",
        "eligible_worker_not_eur",
        "unattributed_credit_over_limit",
    }
)
COMPONENTS = ("qualitative", "individual", "collective")


class PlanError(ValueError):
    """A plan file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class RoleWeights:
    qualitative: Decimal
    individual: Decimal
    collective: Decimal


@dataclass(frozen=True)
class Curve:
    threshold: Decimal
    target: Decimal
    accelerator_slope: Decimal
    cap: Decimal


@dataclass(frozen=True)
class Plan:
    """One plan version, as the file says it; Decimal everywhere (never float money)."""

    file: str
    sha256: str
    plan_id: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    currency: str
    roles: dict[str, RoleWeights]
    curve: Curve
    score_scale: Decimal
    months_per_year: int
    money_decimals: int
    attainment_decimals: int
    unattributed_credit_block_share: Decimal
    holds: tuple[str, ...]
    blocks: tuple[str, ...]

    def in_force_for(self, period: str) -> bool:
        first, last = period_bounds(period)
        return self.effective_from <= first and (
            self.effective_to is None or last <= self.effective_to
        )


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` period."""
    validate_period(period)
    year, month = int(period[:4]), int(period[5:])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _decimal(raw: dict[str, Any], key: str, where: str) -> Decimal:
    if key not in raw:
        raise PlanError(f"{where}: {key} is missing")
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PlanError(f"{where}: {key} must be a number")
    try:
        # str() first: a YAML float 0.7 must become Decimal('0.7'), not its binary expansion.
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PlanError(f"{where}: {key} must be a number") from exc


def _date(raw: dict[str, Any], key: str, where: str, optional: bool = False) -> dt.date | None:
    value = raw.get(key)
    if value is None and optional:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PlanError(f"{where}: {key} must be a date YYYY-MM-DD") from exc


def _section(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise PlanError(f"{where}: {key} must be a mapping")
    return value


def load_plan(path: Path) -> Plan:
    """Read and validate one plan file."""
    where = path.name
    try:
        data = path.read_bytes()
        raw = yaml.safe_load(data)
    except OSError as exc:
        raise PlanError(f"{where}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise PlanError(f"{where}: is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise PlanError(f"{where}: must be a mapping of plan fields")

    roles: dict[str, RoleWeights] = {}
    for role, weights in _section(raw, "roles", where).items():
        role_where = f"{where}: roles.{role}"
        if not isinstance(weights, dict):
            raise PlanError(f"{role_where} must map {', '.join(COMPONENTS)} to weights")
        unknown = sorted(set(weights) - set(COMPONENTS))
        if unknown:
            raise PlanError(f"{role_where}: unknown component(s) {', '.join(unknown)}")
        values = [_decimal(weights, c, role_where) for c in COMPONENTS]
        if any(v < 0 or v > 1 for v in values):
            raise PlanError(f"{role_where}: weights must lie within 0 and 1")
        if sum(values) != 1:
            raise PlanError(f"{role_where}: weights sum to {sum(values)}, not 1")
        roles[str(role)] = RoleWeights(*values)
    if not roles:
        raise PlanError(f"{where}: roles is empty")

    curve_raw = _section(raw, "curve", where)
    curve = Curve(
        *(
            _decimal(curve_raw, key, f"{where}: curve")
            for key in ("threshold", "target", "accelerator_slope", "cap")
        )
    )
    if not Decimal(0) <= curve.threshold <= curve.target <= curve.cap:
        raise PlanError(f"{where}: curve must satisfy 0 <= threshold <= target <= cap")
    if curve.accelerator_slope < 0:
        raise PlanError(f"{where}: curve.accelerator_slope must not be negative")

    rounding = _section(raw, "rounding", where)
    if rounding.get("mode") != "half_up":
        raise PlanError(f"{where}: rounding.mode must be half_up")
    money_decimals = int(_decimal(rounding, "money_decimals", f"{where}: rounding"))
    attainment_decimals = int(_decimal(rounding, "attainment_decimals", f"{where}: rounding"))

    holds = tuple(raw.get("holds") or ())
    blocks = tuple(raw.get("blocks") or ())
    if unknown := sorted(set(holds) - KNOWN_HOLDS):
        raise PlanError(f"{where}: holds: unknown rule(s) {', '.join(unknown)}")
    if unknown := sorted(set(blocks) - KNOWN_BLOCKS):
        raise PlanError(f"{where}: blocks: unknown rule(s) {', '.join(unknown)}")

    share = _decimal(raw, "unattributed_credit_block_share", where)
    if not Decimal(0) <= share <= 1:
        raise PlanError(f"{where}: unattributed_credit_block_share must lie within 0 and 1")
    score_scale = _decimal(_section(raw, "qualitative", where), "score_scale", where)
    months = int(_decimal(_section(raw, "target_variable", where), "months_per_year", where))
    if score_scale <= 0 or months <= 0:
        raise PlanError(f"{where}: score_scale and months_per_year must be positive")

    effective_from = _date(raw, "effective_from", where)
    effective_to = _date(raw, "effective_to", where, optional=True)
    if effective_to is not None and effective_to < effective_from:
        raise PlanError(f"{where}: effective_to is before effective_from")
    for key in ("plan_id", "version", "currency"):
        if not raw.get(key):
            raise PlanError(f"{where}: {key} is missing")

    return Plan(
        file=where,
        sha256=hashlib.sha256(data).hexdigest(),
        plan_id=str(raw["plan_id"]),
        version=str(raw["version"]),
        effective_from=effective_from,
        effective_to=effective_to,
        currency=str(raw["currency"]),
        roles=roles,
        curve=curve,
        score_scale=score_scale,
        months_per_year=months,
        money_decimals=money_decimals,
        attainment_decimals=attainment_decimals,
        unattributed_credit_block_share=share,
        holds=holds,
        blocks=blocks,
    )


def plan_in_force(period: str, plans_dir: Path = PLANS_DIR) -> Plan:
    """The one plan whose effective dates cover the whole period; none or two is an error."""
    plans = [load_plan(path) for path in sorted(plans_dir.glob("*.yaml"))]
    matching = [plan for plan in plans if plan.in_force_for(period)]
    if not matching:
        raise PlanError(f"no plan in {plans_dir} is in force for {period}")
    if len(matching) > 1:
        names = ", ".join(plan.file for plan in matching)
        raise PlanError(f"several plans are in force for {period}: {names}")
    return matching[0]
