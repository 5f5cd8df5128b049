"""The bad inputs that only dbt finds, closed for real through ``perfgov close``.

Slow: each group of tests/bad_input_cases.CLOSE_GROUPS is one close. The close is a
restatement of 2026-10 on a copy of the session's history home (conftest ``closed_history``,
so no extra close is needed to reach 2026-10), from a landing holding the sample's 2026-10
drop with the group's cases applied. Each case must show its outcome on the command line
(exit code and the one-line reason on stderr, the failed check in the summary), and a
blocked close must leave everything certified exactly as it was.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.ingest.contracts import SOURCES
from dagster_project.settings import SAMPLE_LANDING
from tests.bad_input_cases import CASES, CLOSE_GROUPS, PERIOD, Case
from tests.conftest import tree_hashes

pytestmark = pytest.mark.slow

CASES_BY_ID = {case.id: case for case in CASES}


@dataclass
class BadClose:
    status: int
    out: str
    err: str
    certified_before: dict
    certified_after: dict
    versions_after: list
    payouts_after: dict  # employee_id -> (status, hold_reason) in certified/<P>/


def _payouts(home: Path) -> dict[str, tuple[str, str]]:
    with open(home / "certified" / PERIOD / "incentive_payouts.csv", encoding="utf-8") as f:
        return {r["employee_id"]: (r["status"], r["hold_reason"]) for r in csv.DictReader(f)}


def _versions(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(
            "SELECT period, version FROM certified.publication_log ORDER BY period, version"
        ).fetchall()


def _close_group(group: str, history_home: Path, work: Path) -> BadClose:
    home = work / "home"
    shutil.copytree(history_home, home, symlinks=True)
    landing = work / "landing"
    for source in SOURCES:
        relative = source.relative_path(PERIOD)
        (landing / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SAMPLE_LANDING / relative, landing / relative)
    for case_id in CLOSE_GROUPS[group]:
        case = CASES_BY_ID[case_id]
        case.mutate(landing / case.file)
    before = tree_hashes(home / "certified")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(
            [
                *("close", PERIOD, "--restate", "--reason", f"bad inputs: {group}"),
                *("--landing", str(landing), "--home", str(home)),
            ]
        )
    return BadClose(
        status=status,
        out=out.getvalue(),
        err=err.getvalue(),
        certified_before=before,
        certified_after=tree_hashes(home / "certified"),
        versions_after=_versions(home / "warehouse.duckdb"),
        payouts_after=_payouts(home),
    )


@pytest.fixture(scope="module")
def bad_closes(closed_history, tmp_path_factory: pytest.TempPathFactory) -> dict[str, BadClose]:
    return {
        group: _close_group(group, closed_history.settings.home, tmp_path_factory.mktemp(group))
        for group in CLOSE_GROUPS
    }


def _close_cases() -> list:
    grouped = {case_id: group for group, ids in CLOSE_GROUPS.items() for case_id in ids}
    return [
        pytest.param(case, grouped[case.id], id=case.id)
        for case in CASES
        if case.outcome.startswith("close-")
    ]


def test_every_close_case_is_in_one_close_group() -> None:
    grouped = [case_id for ids in CLOSE_GROUPS.values() for case_id in ids]
    assert sorted(grouped) == sorted(c.id for c in CASES if c.outcome.startswith("close-"))


@pytest.mark.parametrize(("case", "group"), _close_cases())
def test_a_bad_input_found_by_dbt_is_named_and_nothing_is_certified(
    case: Case, group: str, bad_closes: dict[str, BadClose]
) -> None:
    close = bad_closes[group]
    assert "Traceback" not in close.err + close.out
    if case.outcome == "close-hold":
        _assert_held(case, close)
        return
    # Every other group holds a refused file or a blocking case: the close fails (exit 1)
    # with one line naming it.
    assert close.status == 1, (close.out, close.err)
    reason = close.err.strip()
    assert reason.startswith(f"perfgov: period {PERIOD} "), reason
    assert "\n" not in reason
    if case.outcome in ("close-block", "close-error"):
        assert case.expect in reason, reason
    else:  # close-warn: reported in the summary, and not what stopped the close
        assert f"warn: {case.expect}" in close.out, close.out
        assert case.expect not in reason
    # Nothing certified changed: no new version, not one byte of the exports.
    assert close.certified_after == close.certified_before
    assert [v for p, v in close.versions_after if p == PERIOD] == [1]


def _assert_held(case: Case, close: BadClose) -> None:
    """The period is published again (version 2) with that worker's payout withheld and the
    reason, everyone else's as before; the raw gate's hold verdict is in the summary."""
    assert close.status == 0, (close.out, close.err)
    assert [v for p, v in close.versions_after if p == PERIOD] == [1, 2]
    employee_id, reason = case.expect.split(" held: ")
    status, hold_reason = close.payouts_after[employee_id]
    assert status == "held"
    assert reason in hold_reason.split("; ")
    assert "hold: raw/sales_ops/individual_quota:gx_sales_ops__individual_quota: " in close.out
    held = {e for e, (s, _) in close.payouts_after.items() if s == "held"}
    assert employee_id in held and len(held) < len(close.payouts_after) / 2
