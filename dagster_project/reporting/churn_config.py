"""The churn-risk configuration (config/churn.yaml), validated on load and turned into dbt vars.

The score is additive: each driver that fires adds its weight. Weights, thresholds, tier
floors and the suggested next steps live in the YAML file so that the business can tune
them without touching SQL; this module refuses a file that cannot be right (a missing
driver, weights above 100 in total, tiers not increasing) with a message naming the file
and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..settings import PROJECT_ROOT

CHURN_CONFIG = PROJECT_ROOT / "config" / "churn.yaml"

# Driver -> its threshold field. The order is the order drivers are listed in on a tie.
DRIVERS: dict[str, str] = {
    "revenue_drop": "min_drop_share",
    "invoice_gap": "gap_multiple",
    "payment_delay": "overdue_days",
    "no_activity": "inactive_days",
    "credit_notes": "lookback_days",
}
TIERS = ("watch", "at_risk", "critical")
_INTEGER_THRESHOLDS = {"overdue_days", "inactive_days", "lookback_days"}


class ChurnConfigError(ValueError):
    """A churn configuration that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class Driver:
    name: str
    weight: int
    threshold: Decimal
    next_step: str


@dataclass(frozen=True)
class ChurnConfig:
    drivers: tuple[Driver, ...]
    tiers: dict[str, int]  # tier -> minimum score

    def dbt_vars(self) -> dict[str, str | int]:
        """Flat scalar vars (``churn_<driver>_weight``...): SQL reads them as constants."""
        out: dict[str, str | int] = {}
        for driver in self.drivers:
            out[f"churn_{driver.name}_weight"] = driver.weight
            out[f"churn_{driver.name}_threshold"] = str(driver.threshold)
            out[f"churn_{driver.name}_next_step"] = driver.next_step
        for tier, floor in self.tiers.items():
            out[f"churn_tier_{tier}"] = floor
        return out


def _fail(path: Path, field: str, problem: str) -> ChurnConfigError:
    return ChurnConfigError(f"{path}: {field}: {problem}")


def _integer(path: Path, field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(path, field, f"must be a whole number from {low} to {high}, got {value!r}")
    return value


def load_churn_config(path: Path = CHURN_CONFIG) -> ChurnConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ChurnConfigError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise _fail(path, "(file)", "must be a mapping with `drivers` and `tiers`")
    drivers_data = data.get("drivers")
    if not isinstance(drivers_data, dict):
        raise _fail(path, "drivers", "missing or not a mapping")
    unknown = sorted(set(drivers_data) - set(DRIVERS))
    if unknown:
        raise _fail(path, "drivers", f"unknown driver(s) {', '.join(unknown)}")
    drivers = []
    for name, threshold_field in DRIVERS.items():
        entry = drivers_data.get(name)
        if not isinstance(entry, dict):
            raise _fail(path, f"drivers.{name}", "missing")
        weight = _integer(path, f"drivers.{name}.weight", entry.get("weight"), 0, 100)
        field = f"drivers.{name}.{threshold_field}"
        raw = entry.get(threshold_field)
        if threshold_field in _INTEGER_THRESHOLDS:
            threshold = Decimal(_integer(path, field, raw, 1, 3650))
        else:
            try:
                threshold = Decimal(str(raw))
            except InvalidOperation:
                raise _fail(path, field, f"must be a number, got {raw!r}") from None
            if raw is None or isinstance(raw, bool) or not threshold > 0:
                raise _fail(path, field, f"must be a number above 0, got {raw!r}")
        step = entry.get("next_step")
        if not isinstance(step, str) or not step.strip():
            raise _fail(path, f"drivers.{name}.next_step", "must be a sentence")
        drivers.append(Driver(name, weight, threshold, step.strip()))
    total = sum(d.weight for d in drivers)
    if total > 100:
        raise _fail(path, "drivers.*.weight", f"weights sum to {total}, above 100")
    tiers_data = data.get("tiers")
    if not isinstance(tiers_data, dict) or set(tiers_data) != set(TIERS):
        raise _fail(path, "tiers", f"must give exactly {', '.join(TIERS)}")
    tiers = {t: _integer(path, f"tiers.{t}", tiers_data[t], 1, 100) for t in TIERS}
    floors = [tiers[t] for t in TIERS]
    if floors != sorted(set(floors)):
        raise _fail(path, "tiers", f"must increase from watch to critical, got {floors}")
    return ChurnConfig(tuple(drivers), tiers)
