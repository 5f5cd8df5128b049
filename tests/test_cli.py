"""The `perfgov` command's contract: exit codes and one-line reasons, without a full close."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.cli import main
from dagster_project.ingest.contracts import SOURCES


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "../2026-10", "2026-10-01", "oct"])
def test_a_period_that_is_not_yyyy_mm_is_refused(
    period: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["close", period, "--landing", str(tmp_path), "--home", str(tmp_path / "h")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == f"perfgov: period must be a month written YYYY-MM, got {period!r}"
    assert not (tmp_path / "h").exists()  # nothing written


def test_an_incomplete_drop_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every file of the period but two.
    skipped = {"crm/2026-10/Opportunity.csv", "sales_ops/2026-10/evaluations.csv"}
    for source in SOURCES:
        relative = source.relative_path("2026-10")
        if relative not in skipped:
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / relative).write_bytes(b"x")
    home = tmp_path / "home"
    status = main(["close", "2026-10", "--landing", str(tmp_path), "--home", str(home)])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err == (
        "perfgov: period 2026-10 cannot be closed: 2 file(s) missing from the landing zone: "
        "crm/2026-10/Opportunity.csv, sales_ops/2026-10/evaluations.csv"
    )
    assert not home.exists()
    # Refusing is cheap: Dagster's definitions are never loaded (checked in a fresh process:
    # other tests of this session load them).
    probe = (
        "import sys\n"
        "from dagster_project.cli import main\n"
        f"status = main(['close', '2026-10', '--landing', {str(tmp_path)!r}, "
        f"'--home', {str(home)!r}])\n"
        "assert status == 2, status\n"
        "assert 'dagster_project.definitions' not in sys.modules\n"
        "assert 'dagster' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_close_on_a_target_it_cannot_close_on_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target perfgov has no engine for (dbt/profiles.yml has no such output either)."""
    monkeypatch.setenv("PERFGOV_TARGET", "snowflake")
    home = tmp_path / "home"
    status = main(["close", "2026-10", "--landing", str(tmp_path), "--home", str(home)])
    assert status == 2
    assert capsys.readouterr().err.strip() == (
        "perfgov: target 'snowflake': a close runs on duckdb, postgres, spark (README, "
        "'Running on PostgreSQL, Spark or another warehouse')"
    )
    assert not home.exists()


def test_a_postgres_close_that_cannot_reach_its_database_says_where_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection comes from the environment; an unreachable server is named (never its
    password) before any file is read or any Dagster run starts."""
    home = tmp_path / "home"  # the bundled sample's drop: complete
    monkeypatch.setenv("PERFGOV_PG_HOST", str(tmp_path / "no-server"))  # a socket folder
    monkeypatch.setenv("PERFGOV_PG_PORT", "5999")
    monkeypatch.setenv("PERFGOV_PG_PASSWORD", "s3cret-not-shown")
    status = main(["close", "2026-10", "--home", str(home), "--target", "postgres"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith(
        f"perfgov: PostgreSQL postgresql://perfgov@{tmp_path / 'no-server'}:5999/perfgov "
        "cannot be reached: "
    ), err
    assert "s3cret" not in err
    assert not (home / "dagster").exists() and not (home / "warehouse.duckdb").exists()


def test_a_missing_landing_folder_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["close", "2026-10", "--landing", str(tmp_path / "nope"), "--home", str(tmp_path)]
    )
    assert status == 2
    assert capsys.readouterr().err.strip() == (
        f"perfgov: landing folder {tmp_path / 'nope'} does not exist"
    )


def test_the_help_answers_without_loading_dagster(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "close" in capsys.readouterr().out


def test_a_report_step_failing_after_the_publication_says_the_period_is_certified() -> None:
    from dagster_project.closing import CloseOutcome, first_failure

    outcome = CloseOutcome(period="2026-10", run_id="r1", success=False)
    outcome.failures = ["reports__monthly_pack: disk full"]
    assert first_failure(outcome) == "period 2026-10 failed: reports__monthly_pack: disk full"
    outcome.publication = {"publication_id": "p-1", "version": 1}
    assert first_failure(outcome) == (
        "period 2026-10 is certified (publication p-1), but a report step failed: "
        "reports__monthly_pack: disk full"
    )
