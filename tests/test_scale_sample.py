"""The scale generator (benchmark input): the readers take its files as a real drop, and a
close of it is certified with the payouts that the benchmark's lower bound computes."""

from __future__ import annotations

import csv
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest

from dagster_project.ingest.contracts import SOURCES
from dagster_project.ingest.loader import read_source_file
from dagster_project.sample.scale import write_scaled_landing

PERIOD = "2026-10"
OPPORTUNITIES = 2_000
WORKERS = 100
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scaled_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scaled_landing(
        tmp_path_factory.mktemp("scaled"), OPPORTUNITIES, period=PERIOD, workers=WORKERS
    )


def test_every_file_is_read_without_quarantine(scaled_landing: Path) -> None:
    loaded = {}
    for source in SOURCES:
        typed, summary = read_source_file(source, scaled_landing, PERIOD)
        assert summary.rows_quarantined == 0, (summary.file, summary.quarantine_reasons)
        assert summary.rows_loaded > 0, summary.file
        loaded[source.name] = typed.rows
    assert loaded["crm__opportunity"].num_rows == OPPORTUNITIES
    assert loaded["hris__worker"].num_rows == WORKERS
    won = sum(loaded["crm__opportunity"].column("IsWon").to_pylist())
    assert loaded["erp__facture"].num_rows == 3 * won  # three instalments per won deal
    # every seller (hunter, farmer, negotiator) has a quota for each month of the year
    sellers = WORKERS // 10 * 8
    assert loaded["sales_ops__individual_quota"].num_rows == 12 * sellers


def test_files_are_spelled_as_the_sources_send_them(scaled_landing: Path) -> None:
    opportunity = (scaled_landing / "crm" / PERIOD / "Opportunity.csv").read_bytes()
    assert opportunity.startswith(b'\xef\xbb\xbf"Id","AccountId"')
    assert opportunity.count(b"\r\n") == OPPORTUNITIES + 1
    invoices = (scaled_landing / "erp" / PERIOD / "factures.csv").read_bytes()
    assert b"\r" not in invoices
    first = invoices.split(b"\n")[1].split(b";")
    assert first[2][2:3] == b"/" and b"," in first[5]  # DD/MM/YYYY, decimal comma
    clients = (scaled_landing / "erp" / PERIOD / "clients.csv").read_bytes()
    assert "é".encode("cp1252") in clients and "é".encode() not in clients  # cp1252, not UTF-8
    report = json.loads((scaled_landing / "hris" / PERIOD / "workers.json").read_bytes())
    assert all(isinstance(v, str | None) for e in report["Report_Entry"] for v in e.values())


def test_same_arguments_give_the_same_files(scaled_landing: Path, tmp_path: Path) -> None:
    again = write_scaled_landing(tmp_path, OPPORTUNITIES, period=PERIOD, workers=WORKERS)
    for csv_file in sorted(scaled_landing.rglob("*.csv")):
        twin = again / csv_file.relative_to(scaled_landing)
        assert twin.read_bytes() == csv_file.read_bytes(), csv_file.name


def _lower_bound():
    spec = importlib.util.spec_from_file_location(
        "lower_bound", REPO / "benchmarks" / "lower_bound.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_close_of_it_is_certified_with_the_lower_bound_payouts(
    scaled_landing: Path, tmp_path: Path
) -> None:
    from dagster_project.closing import close_period
    from dagster_project.settings import Settings

    settings = Settings(landing=scaled_landing, home=tmp_path / "home")
    outcome = close_period(settings, PERIOD)
    assert outcome.success, outcome.failures
    # No gate blocks or holds; warnings (e.g. synthetic accounts without an ERP code, the
    # CRM-finance gap) are reported and allowed.
    stopping = [
        c
        for c in outcome.checks
        if not c["passed"] and (c["severity"] == "ERROR" or c["verdict"] == "hold")
    ]
    assert stopping == [], stopping
    assert sum(load["quarantined"] or 0 for load in outcome.loads) == 0
    with open(settings.home / "certified" / PERIOD / "incentive_payouts.csv") as rows:
        payouts = {r["employee_id"]: r for r in csv.DictReader(rows)}
    assert all(r["status"] == "certified" for r in payouts.values())
    # attainments spread over the curve: below threshold, linear, accelerated and capped
    factors = [Decimal(r["individual_factor"]) for r in payouts.values() if r["individual_factor"]]
    assert min(factors) == 0 and max(factors) == 2
    assert any(Decimal("0.5") <= f <= 1 for f in factors)
    assert any(1 < f < 2 for f in factors)

    bound = _lower_bound().run(scaled_landing, PERIOD, tmp_path / "lower_bound")
    assert bound["gate_failures"] == 0 and bound["block_findings"] == 0
    assert Decimal(bound["payouts_eur"]) == sum(Decimal(r["payout_eur"]) for r in payouts.values())
