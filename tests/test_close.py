"""A real close of one sample period, in process: Dagster, the readers, dbt and the gates.

Slow (tens of seconds): it starts dbt and imports Great Expectations. One close is shared by
every test here (see ``closed_sample`` in conftest).
"""

from __future__ import annotations

import json

import duckdb
import pytest

from dagster_project.ingest.contracts import SOURCES

pytestmark = pytest.mark.slow


def test_the_close_succeeds_and_loads_every_source_file(closed_sample) -> None:
    settings, outcome = closed_sample
    assert outcome.success, outcome.failures
    loaded = {load["file"] for load in outcome.loads}
    assert loaded == {s.relative_path("2026-10") for s in SOURCES}
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        for source in SOURCES:
            rows = conn.execute(
                f"SELECT count(*) FROM {source.raw_table} WHERE _period = '2026-10'"
            ).fetchone()[0]
            assert rows > 0, source.raw_table


def test_rows_in_equal_rows_loaded_plus_quarantined_for_every_file(closed_sample) -> None:
    settings, _ = closed_sample
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        log = conn.execute(
            "SELECT source, records_read, rows_loaded, rows_quarantined FROM raw.source_file_log "
            "WHERE _period = '2026-10'"
        ).fetchall()
        assert len(log) == len(SOURCES)
        for source, read, loaded, quarantined in log:
            assert read == loaded + quarantined, source
            in_table = conn.execute(
                f"SELECT count(*) FROM raw.{source} WHERE _period = '2026-10'"
            ).fetchone()[0]
            in_quarantine = conn.execute(
                "SELECT count(*) FROM raw.quarantine WHERE _period = '2026-10' AND source = ?",
                [source],
            ).fetchone()[0]
            assert (in_table, in_quarantine) == (loaded, quarantined), source


def test_staging_models_are_built_for_the_period(closed_sample) -> None:
    settings, _ = closed_sample
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        views = {
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'"
            ).fetchall()
        }
        assert {"stg_crm__opportunities", "stg_erp__invoices", "stg_hris__workers"} <= views
        # Staging carries the raw rows of the period, renamed: nothing lost on the way.
        staged = conn.execute(
            "SELECT count(*) FROM staging.stg_crm__opportunities WHERE snapshot_period = '2026-10'"
        ).fetchone()[0]
        raw = conn.execute(
            "SELECT count(*) FROM raw.crm__opportunity WHERE _period = '2026-10'"
        ).fetchone()[0]
        assert staged == raw > 0


def test_every_raw_table_was_gated_and_evidence_written(closed_sample) -> None:
    settings, outcome = closed_sample
    # dbt's tests are asset checks too; the GX gates are the checks on the raw assets.
    gated = {c["check"].split(":")[0] for c in outcome.checks if c["check"].startswith("raw/")}
    assert gated == {f"raw/{s.system}/{s.entity}" for s in SOURCES}
    run_dir = settings.home / "audit" / "2026-10" / "validations" / outcome.run_id
    raw = [p for p in run_dir.glob("*.json") if json.loads(p.read_text())["layer"] == "raw"]
    assert sorted(json.loads(p.read_text())["suite"] for p in raw) == sorted(
        s.name for s in SOURCES
    )


def test_the_run_is_recorded_in_the_persistent_dagster_instance(closed_sample) -> None:
    import dagster as dg

    settings, outcome = closed_sample
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        run = instance.get_run_by_id(outcome.run_id)
        assert run is not None
        assert run.tags["dagster/partition"] == "2026-10-01"
