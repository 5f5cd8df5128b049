"""Shared fixtures: the bundled sample, and one real close of it shared by the slow tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.settings import SAMPLE_LANDING, Settings


@pytest.fixture(scope="session")
def sample_landing() -> Path:
    assert SAMPLE_LANDING.is_dir(), "the bundled sample landing zone is missing"
    return SAMPLE_LANDING


@pytest.fixture(scope="session")
def closed_sample(tmp_path_factory: pytest.TempPathFactory, sample_landing: Path):
    """The sample's last period closed once, in process, into a fresh home."""
    from dagster_project.closing import close_period

    settings = Settings.resolve(sample_landing, tmp_path_factory.mktemp("home"))
    outcome = close_period(settings, "2026-10")
    return settings, outcome
