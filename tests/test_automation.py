"""The sensor launches a close for complete drops only; both automations start switched off."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.automation import complete_drop_sensor, monthly_close_schedule
from dagster_project.settings import SAMPLE_LANDING


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample's last two drops, copied, with the newest one missing a file."""
    for system in ("crm", "erp", "hris"):
        for period in ("2026-09", "2026-10"):
            shutil.copytree(SAMPLE_LANDING / system / period, tmp_path / system / period)
    for folder in ("2026", "2026-09", "2026-10"):
        shutil.copytree(SAMPLE_LANDING / "sales_ops" / folder, tmp_path / "sales_ops" / folder)
    (tmp_path / "erp/2026-10/factures.csv").unlink()
    monkeypatch.setenv("PERFGOV_LANDING", str(tmp_path))
    return tmp_path


def evaluate() -> dg.SensorResult:
    return complete_drop_sensor(dg.build_sensor_context())


def test_only_complete_drops_are_launched(landing: Path) -> None:
    result = evaluate()
    assert [r.partition_key for r in result.run_requests] == ["2026-09-01"]


def test_the_missing_file_arriving_launches_its_period_once(landing: Path) -> None:
    first = {r.run_key for r in evaluate().run_requests}
    shutil.copy(SAMPLE_LANDING / "erp/2026-10/factures.csv", landing / "erp/2026-10/factures.csv")
    second = evaluate().run_requests
    assert [r.partition_key for r in second] == ["2026-09-01", "2026-10-01"]
    # The run key of an unchanged drop is stable, so Dagster launches each drop once.
    assert first <= {r.run_key for r in second}


def test_an_incomplete_drop_says_why_it_waits(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "crm/2026-10").mkdir(parents=True)
    (tmp_path / "crm/2026-10/Account.csv").write_text("x")
    monkeypatch.setenv("PERFGOV_LANDING", str(tmp_path))
    result = evaluate()
    assert not result.run_requests
    # 12 distinct files per drop (the workbook holds two sheets); Account.csv is there.
    assert result.skip_reason.skip_message == "incomplete drops: 2026-10 (11 file(s) missing)"


def test_automations_are_off_by_default() -> None:
    assert complete_drop_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert monthly_close_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
