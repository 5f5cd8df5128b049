"""Loading into the raw tables: provenance on every row, a period replaced atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.errors import SourceFileError
from dagster_project.ingest.loader import load_source_file

CLIENTS = SOURCES_BY_NAME["erp__client"]
HEADER = "code_client;raison_sociale;siren;pays;segment\n"


def drop(landing: Path, period: str, body: str) -> bytes:
    data = (HEADER + body).encode("cp1252")
    path = landing / f"erp/{period}/clients.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_rows_carry_provenance_and_counts_tie(tmp_path: Path) -> None:
    data = drop(tmp_path, "2026-10", "C1;Alpha;;FR;ENTREPRISE\n\nC2;Béta;;FR;PARTICULIER\nC3;x\n")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    at = dt.datetime(2026, 11, 2, 8, 0)
    summary = load_source_file(conn, CLIENTS, tmp_path, "2026-10", loaded_at=at)
    rows = conn.sql(
        "SELECT code_client, _period, _source_file, _source_sha256, _source_row, _loaded_at "
        "FROM raw.erp__client ORDER BY _source_row"
    ).fetchall()
    sha = hashlib.sha256(data).hexdigest()
    assert rows == [
        ("C1", "2026-10", "erp/2026-10/clients.csv", sha, 2, at),
        ("C2", "2026-10", "erp/2026-10/clients.csv", sha, 4, at),
    ]
    assert conn.sql("SELECT source, _source_row, reason FROM raw.quarantine").fetchall() == [
        ("erp__client", 5, "expected 5 fields, found 2")
    ]
    log = conn.execute(
        "SELECT records_read, rows_loaded, rows_quarantined, blank_rows_skipped "
        "FROM raw.source_file_log"
    ).fetchone()
    assert log == (3, 2, 1, 1)
    assert summary.sha256 == sha


def test_reloading_a_period_replaces_only_that_period(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    drop(tmp_path, "2026-09", "C1;Alpha;;FR;ENTREPRISE\n")
    load_source_file(conn, CLIENTS, tmp_path, "2026-09")
    drop(tmp_path, "2026-10", "C1;Alpha;;FR;ENTREPRISE\nC2;Beta;;FR;ENTREPRISE\n")
    load_source_file(conn, CLIENTS, tmp_path, "2026-10")
    load_source_file(conn, CLIENTS, tmp_path, "2026-10")  # a re-run changes nothing
    counts = conn.sql(
        "SELECT _period, count(*) FROM raw.erp__client GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert counts == [("2026-09", 1), ("2026-10", 2)]


def test_a_bad_file_leaves_the_previous_load_untouched(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    drop(tmp_path, "2026-10", "C1;Alpha;;FR;ENTREPRISE\n")
    load_source_file(conn, CLIENTS, tmp_path, "2026-10")
    (tmp_path / "erp/2026-10/clients.csv").write_bytes(b"code_client;pays\nC9;FR\n")
    with pytest.raises(SourceFileError, match="missing column"):
        load_source_file(conn, CLIENTS, tmp_path, "2026-10")
    assert conn.sql("SELECT code_client FROM raw.erp__client").fetchall() == [("C1",)]


def test_money_and_rates_are_decimal_in_the_raw_tables(tmp_path: Path) -> None:
    from dagster_project.ingest.contracts import SOURCES
    from dagster_project.ingest.loader import ensure_raw_schema

    conn = duckdb.connect()
    ensure_raw_schema(conn, SOURCES)
    types = dict(
        conn.sql(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw'"
        ).fetchall()
    )
    assert types["erp__facture.montant_ht"] == "DECIMAL(18,2)"
    assert types["erp__taux_change.taux"] == "DECIMAL(18,6)"
    assert types["crm__opportunity.Amount"] == "DECIMAL(18,2)"
    assert not [name for name, t in types.items() if t in ("DOUBLE", "FLOAT", "REAL")]
