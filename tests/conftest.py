"""Shared fixtures: the bundled sample, and one real history of closes shared by slow tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dagster_project.settings import SAMPLE_LANDING, Settings

HISTORY = ("2026-08", "2026-09", "2026-10")


@pytest.fixture(scope="session")
def sample_landing() -> Path:
    assert SAMPLE_LANDING.is_dir(), "the bundled sample landing zone is missing"
    return SAMPLE_LANDING


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass
class History:
    settings: Settings
    outcomes: dict = field(default_factory=dict)  # period -> CloseOutcome
    certified_after: dict = field(default_factory=dict)  # period closed -> hashes of certified/
    refused_out_of_order: str = ""


@pytest.fixture(scope="session")
def closed_history(tmp_path_factory: pytest.TempPathFactory, sample_landing: Path) -> History:
    """The sample's last three periods closed in order, in process, into a fresh home.

    Between the first and the second close, closing the third is tried (and refused):
    periods are closed in calendar order.
    """
    from dagster_project.closing import CloseError, close_period

    settings = Settings.resolve(sample_landing, tmp_path_factory.mktemp("home"))
    history = History(settings)
    for period in HISTORY:
        history.outcomes[period] = close_period(settings, period)
        history.certified_after[period] = tree_hashes(settings.home / "certified")
        if period == HISTORY[0]:
            try:
                close_period(settings, HISTORY[2])
            except CloseError as refused:
                history.refused_out_of_order = str(refused)
    return history


@pytest.fixture(scope="session")
def closed_sample(closed_history: History):
    """The sample's last period closed (after the two before it): (settings, outcome)."""
    return closed_history.settings, closed_history.outcomes[HISTORY[-1]]
