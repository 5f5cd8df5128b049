"""The certificate of a publication: what proves where every certified figure came from.

It names the run, the code (git commit and whether the tree was dirty), the plan version,
the package versions, the sha256 of every input file, the suite versions and verdicts of
the gates, and control totals. It holds ids and counts only: no personal value.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from importlib import metadata
from pathlib import Path

import duckdb

from ..engines.dialect import as_text, engine_version
from ..settings import EXPECTATIONS_DIR, PROJECT_ROOT
from ..transform.run_area import relation
from ..warehouse_queries import rows_as_dicts, source_files

PACKAGES = (
    "perfgov",
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "great-expectations",
    "pandas",  # GX validates pandas frames
    "pyarrow",  # writes the Parquet exports
    "openpyxl",  # reads the targets workbook
)


def code_version(root: Path = PROJECT_ROOT) -> dict[str, object]:
    """The git commit the close ran from and whether the work tree had changes."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit, "dirty": bool(status) if status is not None else None}


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def gate_results(audit_dir: Path) -> list[dict]:
    """The sanitised validation results of this period (suite, version, result id, verdict)."""
    results = []
    for path in sorted(audit_dir.glob("*.json")):
        data = json.loads(path.read_text())
        results.append(
            {
                key: data.get(key)
                for key in (
                    "layer",
                    "suite",
                    "suite_version",
                    "suite_sha256",
                    "result_id",
                    "verdict",
                    "run_at",
                )
            }
        )
    return results


def build_certificate(
    conn: duckdb.DuckDBPyConnection,
    period: str,
    run_id: str,
    audit_dir: Path,
    plan: dict[str, str],
) -> dict:
    payouts, credit_lines, bookings, reconciliation = (
        relation(conn, f"marts.{name}", run_id)  # the run's own area
        for name in ("payouts", "credit_lines", "bookings", "reconciliation")
    )
    inputs = source_files(conn, period)
    booked = "coalesce(sum(credit_eur) FILTER (WHERE line_type = 'booking'), 0)"
    adjusted = "coalesce(sum(credit_eur) FILTER (WHERE line_type = 'adjustment'), 0)"
    totals = rows_as_dicts(
        conn,
        "SELECT count(*) AS workers, count(*) FILTER (WHERE status = 'held') AS held_workers, "
        f"{as_text(conn, 'coalesce(sum(payout_eur), 0)')} AS payouts_eur FROM {payouts} "
        "WHERE period = ?",
        [period],
    )[0]
    credit_totals = rows_as_dicts(
        conn,
        "SELECT count(*) AS credit_lines, "
        f"{as_text(conn, booked)} AS bookings_credited_eur, "
        f"{as_text(conn, adjusted)} AS adjustments_eur FROM {credit_lines} WHERE period = ?",
        [period],
    )[0]
    booking_totals = rows_as_dicts(
        conn,
        f"SELECT count(*) AS won_deals, {as_text(conn, 'coalesce(sum(amount_eur), 0)')} "
        "AS bookings_eur "
        f"FROM {bookings} WHERE snapshot_period = ?",
        [period],
    )[0]
    reconciliation = rows_as_dicts(
        conn,
        f"SELECT {as_text(conn, 'invoiced_eur')} AS invoiced_eur, "
        f"{as_text(conn, 'gap_eur')} AS reconciliation_gap_eur, "
        f"{as_text(conn, 'gap_percent')} AS reconciliation_gap_percent FROM {reconciliation} "
        "WHERE period = ?",
        [period],
    )
    return {
        "period": period,
        "run_id": run_id,
        "certified_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "engine": engine_version(conn),  # where the marts were built, judged and published
        "packages": package_versions(),
        "plan": plan,
        "inputs": inputs,
        "suites_dir": str(EXPECTATIONS_DIR.relative_to(PROJECT_ROOT)),
        "gates": gate_results(audit_dir),
        "control_totals": {
            **totals,
            **credit_totals,
            **booking_totals,
            **(reconciliation[0] if reconciliation else {}),
        },
    }
