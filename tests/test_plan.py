"""The plan file: read as the plan in force for a period, refused with a clear error if wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from dagster_project.incentives.plan import PLANS_DIR, PlanError, load_plan, plan_in_force

PLAN_FILE = PLANS_DIR / "central-variable-pay_2025-01.yaml"


def variant(tmp_path: Path, name: str = "plan.yaml", **changes) -> Path:
    """A copy of the plan in force with some top-level fields replaced."""
    data = yaml.safe_load(PLAN_FILE.read_text())
    data.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_plan_in_force_holds_the_spec_numbers_as_decimals() -> None:
    plan = plan_in_force("2026-10")
    assert plan.version == "2025.1"
    hunter, negotiator, manager = (plan.roles[r] for r in ("Hunter", "Negotiator", "Sales Manager"))
    assert (hunter.individual, hunter.collective) == (Decimal("0.70"), Decimal("0.30"))
    assert (negotiator.qualitative, negotiator.individual, negotiator.collective) == (
        Decimal("0.50"),
        Decimal("0.35"),
        Decimal("0.15"),
    )
    assert manager.collective == 1 and manager.individual == 0
    assert "Sales Support" not in plan.roles  # not eligible
    curve = plan.curve
    assert (curve.threshold, curve.target, curve.accelerator_slope, curve.cap) == (
        Decimal("0.5"),
        Decimal("1.0"),
        Decimal("1.5"),
        Decimal("2.0"),
    )
    assert plan.unattributed_credit_block_share == Decimal("0.01")


def test_weights_that_do_not_sum_to_one_are_refused(tmp_path: Path) -> None:
    roles = yaml.safe_load(PLAN_FILE.read_text())["roles"]
    roles["Hunter"] = {"qualitative": 0, "individual": 0.7, "collective": 0.2}
    with pytest.raises(PlanError) as error:
        load_plan(variant(tmp_path, roles=roles))
    assert str(error.value) == "plan.yaml: roles.Hunter: weights sum to 0.9, not 1"


def test_a_threshold_above_the_target_is_refused(tmp_path: Path) -> None:
    curve = {"threshold": 1.2, "target": 1.0, "accelerator_slope": 1.5, "cap": 2.0}
    with pytest.raises(PlanError, match="curve must satisfy 0 <= threshold <= target <= cap"):
        load_plan(variant(tmp_path, curve=curve))


def test_an_unknown_hold_rule_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="holds: unknown rule"):
        load_plan(variant(tmp_path, holds=["no_individual_quota", "bad_mood"]))


def test_a_period_with_no_plan_in_force_is_an_error() -> None:
    with pytest.raises(PlanError, match="is in force for 2024-12"):
        plan_in_force("2024-12")


def test_next_years_plan_takes_over_by_its_effective_date(tmp_path: Path) -> None:
    variant(tmp_path, "2025.yaml", effective_to="2026-12-31")
    roles = yaml.safe_load(PLAN_FILE.read_text())["roles"]
    roles["Hunter"] = {"qualitative": 0, "individual": 0.6, "collective": 0.4}
    variant(tmp_path, "2027.yaml", version="2027.1", effective_from="2027-01-01", roles=roles)
    assert plan_in_force("2026-12", tmp_path).version == "2025.1"
    later = plan_in_force("2027-01", tmp_path)
    assert later.version == "2027.1" and later.roles["Hunter"].individual == Decimal("0.6")


def test_two_plans_in_force_at_once_are_an_error(tmp_path: Path) -> None:
    variant(tmp_path, "a.yaml")
    variant(tmp_path, "b.yaml", version="2025.2")
    with pytest.raises(PlanError) as error:
        plan_in_force("2026-10", tmp_path)
    assert str(error.value) == "several plans are in force for 2026-10: a.yaml, b.yaml"
