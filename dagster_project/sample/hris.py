"""The Workday drop of one period: the workers report (``workers.json``) and the training
completions (``learning.csv``).

Workday's JSON sends every value as a string and an absent value either as ``null`` or as a
missing key, depending on the worker; the report shows a termination as soon as it is
entered, which can be a month before the last day.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import month_end, month_start
from .draws import random_business_day
from .files import CsvDialect, write_csv, write_file
from .world import MANAGER, REP_ROLES, Worker

if TYPE_CHECKING:
    from .world import SampleWorld

PLAIN_CSV = CsvDialect()

LEARNING_PER_MONTH = (6, 14)
COURSES = (
    ("Négociation avancée", ("7", "14")),
    ("Prospection téléphonique", ("3.5",)),
    ("RGPD : les essentiels", ("1.5",)),
    ("Salesforce - gestion du pipeline", ("2", "3.5")),
    ("Écoute active et questionnement", ("7",)),
    ("Préparer un comité d\u2019achat", ("3.5",)),
    ("Lutte anti-corruption (Sapin II)", ("1",)),
    ("Présentation orale percutante", ("7",)),
    ("Mentorat entre pairs : revue de deals", ("2",)),
)
DELIVERY_BY_HOURS = {
    "1": "E-learning",
    "1.5": "E-learning",
    "2": "Peer-led",
    "3.5": "Classroom",
    "7": "Classroom",
    "14": "Classroom",
}


def write_hris(world: SampleWorld, root: Path, period: str) -> None:
    """``hris/<period>/workers.json`` (everyone hired by the period's end) and
    ``learning.csv``."""
    end = month_end(period)
    entries = [_worker_entry(w, end) for w in world.workers_by_id if w.hire_date <= end]
    text = json.dumps({"Report_Entry": entries}, ensure_ascii=False, indent=2) + "\n"
    folder = root / "hris" / period
    write_file(folder / "workers.json", text.encode("utf-8"))
    header = ("Employee_ID", "Course_Title", "Hours", "Completion_Date", "Delivery")
    write_csv(folder / "learning.csv", header, _learning_rows(world, period), PLAIN_CSV)


def _worker_entry(worker: Worker, period_end: date) -> dict[str, str | None]:
    """One Workday Report_Entry: strings only; absent values as null or as a missing key."""
    role, profile = worker.role_on(period_end)
    terminated = worker.termination_known is not None and worker.termination_known <= period_end
    target = worker.target_variable if role in (*REP_ROLES, MANAGER) else None
    values: dict[str, str | None] = {
        "Employee_ID": worker.employee_id,
        "Legal_Name": f"{worker.first_name} {worker.last_name}",
        "Work_Email": worker.email,
        "Job_Profile": profile,
        "Sales_Role": role,
        "Supervisory_Organization": worker.org,
        "Manager_ID": worker.manager_id,
        "Business_Line": worker.business_line,
        "Hire_Date": worker.hire_date.isoformat(),
        "Termination_Date": worker.termination_date.isoformat()
        if terminated and worker.termination_date
        else None,
        "FTE": worker.fte,
        "Country": worker.country,
        "Annual_Target_Variable": str(target) if target is not None else None,
        "Currency": "EUR",
    }
    return {k: v for k, v in values.items() if v is not None or worker.absent_as_null}


def _learning_rows(world: SampleWorld, period: str) -> list[list[str]]:
    """A few course completions of team members employed in the period."""
    rng = world.rng("learning", period)
    staff = [w for w in world.workers if w.employed_in(period) and w.team is not None]
    count = rng.randint(*LEARNING_PER_MONTH) * world.scale
    rows = []
    for worker in rng.sample(staff, min(count, len(staff))):
        title, hours = rng.choice(COURSES)
        hour = rng.choice(hours)
        last_day = min(month_end(period), worker.termination_date or date.max)
        day = random_business_day(rng, max(month_start(period), worker.hire_date), last_day)
        rows.append([worker.employee_id, title, hour, day.isoformat(), DELIVERY_BY_HOURS[hour]])
    return sorted(rows, key=lambda r: (r[3], r[0]))
