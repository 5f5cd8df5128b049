"""The values of the suites' ``{"$PARAMETER": name}`` kwargs for one period.

A suite states a rule ("an eligible worker is paid in the plan's currency"); the number or
code it compares with belongs to configuration: the plan in force for the period (already
written to ``raw.plan__parameters`` by the plan asset) and ``config/quality.yaml``. Both
are read here, so a suite file never repeats a figure the plan or the quality settings own.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ..settings import PROJECT_ROOT

QUALITY_CONFIG: Path = PROJECT_ROOT / "config" / "quality.yaml"


class QualityConfigError(ValueError):
    """config/quality.yaml is missing a setting or holds one that makes no sense."""


def _setting(path: Path, name: str) -> Any:
    """The value of ``name`` in the quality settings file (None when absent)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise QualityConfigError(f"{path}: cannot be read ({exc})") from exc
    return doc.get(name) if isinstance(doc, dict) else None


def reconciliation_tolerance_percent(path: Path = QUALITY_CONFIG) -> float:
    """The tolerance of the CRM-finance reconciliation, in % of bookings (0..100)."""
    value = _setting(path, "reconciliation_tolerance_percent")
    try:
        tolerance = Decimal(str(value))
    except (InvalidOperation, ValueError):
        tolerance = Decimal(-1)
    if isinstance(value, bool) or value is None or not 0 <= tolerance <= 100:
        raise QualityConfigError(
            f"{path}: reconciliation_tolerance_percent must be a number from 0 to 100 "
            f"(got {value!r})"
        )
    return float(tolerance)


def unmatched_lines_listed_per_kind(path: Path = QUALITY_CONFIG) -> int:
    """How many unmatched reconciliation lines of each kind a run record keeps (>= 1)."""
    value = _setting(path, "unmatched_lines_listed_per_kind")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise QualityConfigError(
            f"{path}: unmatched_lines_listed_per_kind must be a whole number from 1 (got {value!r})"
        )
    return value


def suite_parameters(
    conn: duckdb.DuckDBPyConnection, period: str, config: Path = QUALITY_CONFIG
) -> dict[str, Any]:
    """Every parameter the suites may use (``suites.SUITE_PARAMETERS``), for ``period``."""
    plan = conn.execute(
        "SELECT currency, curve_cap FROM raw.plan__parameters WHERE _period = ?", [period]
    ).fetchone()
    if plan is None:
        raise QualityConfigError(f"no plan in force was written for {period}")
    currency, curve_cap = plan
    return {
        "plan_currency": [currency],
        "plan_curve_cap": float(curve_cap),
        "reconciliation_tolerance_percent": reconciliation_tolerance_percent(config),
    }
