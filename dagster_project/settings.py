"""Where perfgov reads its sources and writes its outputs.

Two folders matter: the landing root (the exports as the sources send them; read-only for
us) and the home (the warehouse, the Dagster instance, and later the certified outputs).
Both come from the command line, else ``PERFGOV_LANDING`` / ``PERFGOV_HOME``, else the
bundled sample and ``./.perfgov``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
SAMPLE_LANDING = PACKAGE_DIR / "sample" / "landing"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

PERIOD_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class PeriodError(ValueError):
    """A period argument that is not a calendar month written YYYY-MM."""


def validate_period(period: str) -> str:
    """Return ``period`` if it is ``YYYY-MM``; it also becomes part of paths, so be strict."""
    if not isinstance(period, str) or not PERIOD_PATTERN.fullmatch(period):
        raise PeriodError(f"period must be a month written YYYY-MM, got {period!r}")
    return period


@dataclass(frozen=True)
class Settings:
    landing: Path
    home: Path

    @classmethod
    def resolve(
        cls, landing: str | os.PathLike | None = None, home: str | os.PathLike | None = None
    ) -> Settings:
        landing = landing or os.environ.get("PERFGOV_LANDING") or SAMPLE_LANDING
        home = home or os.environ.get("PERFGOV_HOME") or Path.cwd() / ".perfgov"
        return cls(
            landing=Path(landing).expanduser().resolve(), home=Path(home).expanduser().resolve()
        )

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def export_environment(self) -> None:
        """Make these settings the process's, for Dagster definitions and dbt subprocesses."""
        os.environ["PERFGOV_LANDING"] = str(self.landing)
        os.environ["PERFGOV_HOME"] = str(self.home)
        os.environ["PERFGOV_WAREHOUSE"] = str(self.warehouse)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)

    def prepare_home(self) -> None:
        """Create the home folders and a Dagster instance config (telemetry off: offline)."""
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        config = self.dagster_home / "dagster.yaml"
        if not config.exists():
            config.write_text("telemetry:\n  enabled: false\n")
