"""The bad-input matrix (tests/bad_input_cases.py), each case asserted at the cheapest level
that shows its outcome.

- ``error``: the loader refuses the file with ``SourceFileError`` naming the file and the
  problem, and the raw table keeps the load it had (nothing partial);
- ``quarantine``: the broken rows, and only they, are in quarantine with the reason, and
  rows read = rows loaded + rows quarantined;
- ``accepted``: the variant reads exactly as the sample;
- ``warn`` / ``hold`` / ``block``: the file is loaded into a fresh warehouse by the loader
  and the reviewed raw suite is run on it (slow: imports GX); the verdict is the expected
  one and the named rule fails, where it does not on the sample's own file.

The cases found only by dbt (a currency with no rate, a split owner who is no user...) are
closed for real in tests/test_bad_input_closes.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.errors import SourceFileError
from dagster_project.ingest.loader import load_source_file, read_source_file
from tests.bad_input_cases import CASES, PERIOD, Case, copy_sample_file, markdown_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "bad-inputs.md"
READER_OUTCOMES = {"error", "quarantine", "accepted"}
GATE_OUTCOMES = {"warn", "hold", "block"}


def _param(case: Case):
    marks = [pytest.mark.slow] if case.outcome in GATE_OUTCOMES else []
    return pytest.param(case, id=case.id, marks=marks)


def _broken_drop(case: Case, landing: Path) -> Path:
    path = copy_sample_file(case.source, landing)
    case.mutate(path)
    return path


@cache
def _clean_read(source: str):
    """The sample's own file of ``source``, read: what a harmless variant must equal."""
    from dagster_project.settings import SAMPLE_LANDING

    return read_source_file(SOURCES_BY_NAME[source], SAMPLE_LANDING, PERIOD)


def _quarantine_reasons(typed) -> list[str]:
    return typed.quarantine.column("reason").to_pylist()


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.outcome in READER_OUTCOMES])
def test_a_bad_file_is_refused_or_its_bad_rows_quarantined(case: Case, tmp_path: Path) -> None:
    source = SOURCES_BY_NAME[case.source]
    clean_typed, clean = _clean_read(case.source)
    if case.outcome == "error":
        # The sample's file is loaded first: a refused file must leave that load as it was.
        conn = duckdb.connect()
        load_source_file(conn, source, _sample_landing(), PERIOD)
        before = conn.execute(f"SELECT count(*) FROM {source.raw_table}").fetchone()
        _broken_drop(case, tmp_path)
        with pytest.raises(SourceFileError) as refused:
            load_source_file(conn, source, tmp_path, PERIOD)
        message = str(refused.value)
        assert message.startswith(f"{case.file}: "), message
        assert case.expect in message, message
        assert "\n" not in message and "Traceback" not in message
        assert conn.execute(f"SELECT count(*) FROM {source.raw_table}").fetchone() == before
        assert before[0] == clean.rows_loaded > 0
        return

    _broken_drop(case, tmp_path)
    typed, summary = read_source_file(source, tmp_path, PERIOD)
    assert summary.records_read == summary.rows_loaded + summary.rows_quarantined
    if case.outcome == "accepted":
        assert typed.rows.equals(clean_typed.rows)
        assert typed.quarantine.num_rows == 0 == clean.rows_quarantined
        return
    reasons = _quarantine_reasons(typed)
    new = [r for r in reasons if case.expect in r]
    assert len(new) == case.rows, reasons
    assert not [r for r in _quarantine_reasons(clean_typed) if case.expect in r]
    assert summary.rows_quarantined == clean.rows_quarantined + case.rows
    # Nothing else was lost: every other row of the sample is still typed and loaded.
    assert (
        summary.rows_loaded
        == clean.rows_loaded + (summary.records_read - clean.records_read) - case.rows
    )
    # A reason names the field and the expected format, never the value delivered.
    bad_records = [
        json.loads(r) for r, why in zip(
            typed.quarantine.column("record").to_pylist(), reasons, strict=True
        ) if case.expect in why
    ]  # fmt: skip
    assert bad_records, "the delivered strings are kept for the person who fixes the file"


def _sample_landing() -> Path:
    from dagster_project.settings import SAMPLE_LANDING

    return SAMPLE_LANDING


class _Warehouse:
    """The ``WarehouseLike`` the gate reads through: one DuckDB file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = duckdb.connect(str(self.path), read_only=read_only)
        try:
            yield conn
        finally:
            conn.close()


def _gate(source: str, landing: Path, folder: Path):
    from dagster_project.quality.gx_validation import validate_raw_table

    warehouse = _Warehouse(folder / "warehouse.duckdb")
    with warehouse.connect() as conn:
        load_source_file(conn, SOURCES_BY_NAME[source], landing, PERIOD)
    return validate_raw_table(warehouse, source, PERIOD)


def _failed_rows(result) -> dict[str, int]:
    """Failed expectations of a gate run: rule -> rows failing it (1 for table-level ones)."""
    return {e.rule: e.unexpected_count or 1 for e in result.expectations if not e.success}


@pytest.fixture(scope="module")
def sample_failures(tmp_path_factory: pytest.TempPathFactory):
    """The gate's failures on the sample's own files, by source (computed once each)."""
    failures: dict[str, dict[str, int]] = {}

    def of(source: str) -> dict[str, int]:
        if source not in failures:
            folder = tmp_path_factory.mktemp(f"sample-{source}")
            failures[source] = _failed_rows(_gate(source, _sample_landing(), folder))
        return failures[source]

    return of


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.outcome in GATE_OUTCOMES])
def test_a_bad_value_is_stopped_by_the_raw_gate(
    case: Case, tmp_path: Path, sample_failures
) -> None:
    _broken_drop(case, tmp_path / "landing")
    result = _gate(case.source, tmp_path / "landing", tmp_path)
    verdict = result.verdict
    before = sample_failures(case.source)
    # The rule fails on more rows than it does on the sample's own file (which may already
    # fail it: the sample repeats one invoice line on purpose).
    worse = [
        rule
        for rule, rows in _failed_rows(result).items()
        if rule.startswith(case.expect) and rows > before.get(rule, 0)
    ]
    assert worse, (verdict.verdict, verdict.failing_rules)
    assert verdict.verdict.value == case.outcome, verdict.failing_rules
    # The evidence names rules and counts rows: no personal value of the file is in it.
    evidence = json.dumps(result.to_dict(), ensure_ascii=False)
    clean_typed, _ = _clean_read(case.source)
    for field in SOURCES_BY_NAME[case.source].personal_fields:
        values = {str(v) for v in clean_typed.rows.column(field).to_pylist() if v is not None}
        assert not [v for v in values if len(v) >= 4 and v in evidence], field


def test_the_matrix_has_at_least_forty_distinct_cases() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


def test_the_docs_table_is_the_matrix() -> None:
    text = DOCS.read_text(encoding="utf-8")
    table = markdown_table(CASES)
    assert table in text, (
        "docs/bad-inputs.md is not the matrix: paste the output of "
        "`python3 -m uv run python -m tests.bad_input_cases` into it"
    )
