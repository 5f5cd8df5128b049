"""A run record lists the reconciliation's unmatched lines up to a cap per kind, largest gaps
first, with the count of all of them: fast, on a hand-built marts schema."""

from __future__ import annotations

import duckdb

from dagster_project.quality.auditor_pack import _reconciliation
from dagster_project.quality.run_records import findings_of
from dagster_project.quality.suite_parameters import unmatched_lines_listed_per_kind


def _warehouse(not_invoiced: int, without_deal: int) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA marts")
    conn.execute(
        "CREATE TABLE marts.reconciliation AS SELECT '2026-10' AS period, "
        "100.00::DECIMAL(18, 2) AS booked_eur, 40.00::DECIMAL(18, 2) AS invoiced_eur"
    )
    conn.execute(
        "CREATE TABLE marts.reconciliation_by_opportunity AS "
        "SELECT '2026-10' AS period, 'booked_not_invoiced' AS reconciliation_status, "
        "'OPP' || lpad(i::VARCHAR, 5, '0') AS opportunity_id, NULL AS invoice_numbers, "
        "(i * 1.25)::DECIMAL(18, 2) AS booked_eur, NULL::DECIMAL(18, 2) AS invoiced_eur, "
        "(-i * 1.25)::DECIMAL(18, 2) AS gap_eur FROM range(1, ? + 1) t(i) "
        "UNION ALL SELECT '2026-10', 'invoice_without_deal', NULL, 'FA-' || i, NULL, "
        "i::DECIMAL(18, 2), i::DECIMAL(18, 2) FROM range(1, ? + 1) t(i) "
        "UNION ALL SELECT '2026-10', 'booked_and_invoiced', 'OPP-OK', 'FA-OK', 5, 5, 0",
        [not_invoiced, without_deal],
    )
    return conn


def test_the_record_keeps_the_largest_gaps_of_each_kind_and_counts_them_all() -> None:
    cap = unmatched_lines_listed_per_kind()
    found = findings_of(_warehouse(cap + 50, 3), "2026-10")
    assert found["reconciliation_unmatched_counts"] == {
        "booked_not_invoiced": cap + 50,
        "invoice_without_deal": 3,
    }
    listed = found["reconciliation_unmatched"]
    not_invoiced = [u for u in listed if u["reconciliation_status"] == "booked_not_invoiced"]
    assert len(not_invoiced) == cap
    # The largest gaps: deals cap+50 down to 51 (gap = -1.25 x deal number).
    assert not_invoiced[0]["opportunity_id"] == f"OPP{cap + 50:05d}"
    assert not_invoiced[-1]["opportunity_id"] == "OPP00051"
    assert [u["invoice_numbers"] for u in listed[cap:]] == ["FA-3", "FA-2", "FA-1"]

    section = _reconciliation(found)
    assert f"{cap + 3} of {cap + 53} lines listed here" in section
    assert f"{cap + 50} booked_not_invoiced, 3 invoice_without_deal" in section


def test_a_short_list_is_listed_whole_without_the_cap_note() -> None:
    found = findings_of(_warehouse(2, 1), "2026-10")
    assert len(found["reconciliation_unmatched"]) == 3
    assert "lines listed here" not in _reconciliation(found)
