"""The DuckDB settings of the ingest connections, from config/ingest.yaml.

DuckDB's default memory limit is 80 % of the machine's RAM: a 10-million-row file would
take what the rest of the close needs. The limit and the spill folder are operating
choices, so they live in configuration, not in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from ..settings import PROJECT_ROOT
from ..sql_text import quote_text

INGEST_CONFIG: Path = PROJECT_ROOT / "config" / "ingest.yaml"


class IngestConfigError(ValueError):
    """config/ingest.yaml is missing a setting or holds one DuckDB refuses."""


@dataclass(frozen=True)
class IngestDuckdbSettings:
    memory_limit: str  # as DuckDB writes it: "2GB", "512MB"
    spill_folder: str  # relative to the perfgov home


def ingest_settings(path: Path = INGEST_CONFIG) -> IngestDuckdbSettings:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IngestConfigError(f"{path}: cannot be read ({exc})") from exc
    values = {}
    for key in ("memory_limit", "spill_folder"):
        value = doc.get(key) if isinstance(doc, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise IngestConfigError(f"{path}: {key} must be set (a text value)")
        values[key] = value.strip()
    if Path(values["spill_folder"]).is_absolute() or ".." in Path(values["spill_folder"]).parts:
        raise IngestConfigError(f"{path}: spill_folder must be a folder inside the home")
    return IngestDuckdbSettings(**values)


def configure_ingest_connection(
    conn: duckdb.DuckDBPyConnection, home: Path | None, path: Path = INGEST_CONFIG
) -> None:
    """Apply the memory limit, and the spill folder under ``home`` (DuckDB's default, the
    warehouse's folder or the working directory, when there is no home)."""
    settings = ingest_settings(path)
    try:
        conn.execute(f"SET memory_limit = {quote_text(settings.memory_limit)}")
    except duckdb.Error as exc:
        raise IngestConfigError(
            f"{path}: memory_limit {settings.memory_limit!r} is not a size DuckDB accepts"
        ) from exc
    if home is not None:
        spill = Path(home) / settings.spill_folder
        spill.mkdir(parents=True, exist_ok=True)
        # A database kept open by the close (engines.warehouse_kept_open) already has it, and
        # DuckDB refuses to set it again, even to the same folder, once something spilled.
        ((current,),) = conn.execute("SELECT current_setting('temp_directory')").fetchall()
        if current != str(spill):
            conn.execute(f"SET temp_directory = {quote_text(str(spill))}")
