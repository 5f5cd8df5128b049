"""The ingest connections' DuckDB settings come from config/ingest.yaml, and bad ones are named."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.duckdb_settings import (
    IngestConfigError,
    configure_ingest_connection,
    ingest_settings,
)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ingest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_limit_and_the_spill_folder_are_applied(tmp_path: Path) -> None:
    config = _config(tmp_path, "memory_limit: 512MB\nspill_folder: spill/ingest\n")
    conn = duckdb.connect()
    configure_ingest_connection(conn, tmp_path / "home", config)
    limit, spill = conn.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert limit == "488.2 MiB"  # 512 MB as DuckDB shows it
    assert spill == str(tmp_path / "home" / "spill" / "ingest")
    assert (tmp_path / "home" / "spill" / "ingest").is_dir()


def test_the_project_config_sets_a_limit_below_duckdbs_default(tmp_path: Path) -> None:
    conn = duckdb.connect()
    default = conn.execute("SELECT current_setting('memory_limit')").fetchone()
    configure_ingest_connection(conn, tmp_path)
    assert conn.execute("SELECT current_setting('memory_limit')").fetchone() != default
    assert ingest_settings().memory_limit


@pytest.mark.parametrize(
    "text, problem",
    [
        ("spill_folder: spill\n", "memory_limit must be set"),
        ("memory_limit: 2GB\n", "spill_folder must be set"),
        ("memory_limit: lots\nspill_folder: spill\n", "memory_limit 'lots' is not a size"),
        ("memory_limit: 2GB\nspill_folder: ../elsewhere\n", "spill_folder must be a folder inside"),
    ],
)
def test_a_bad_setting_names_the_file_and_the_setting(tmp_path, text, problem) -> None:
    config = _config(tmp_path, text)
    with pytest.raises(IngestConfigError) as error:
        configure_ingest_connection(duckdb.connect(), tmp_path, config)
    assert str(error.value).startswith(f"{config}: {problem}")
