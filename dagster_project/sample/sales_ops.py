"""The Sales Ops files: the monthly evaluations CSV and the yearly targets workbook.

Both are edited by hand in Excel, so both carry hand-edit quirks: evaluations saved as
"CSV UTF-8" (BOM, CRLF) with commas and quotes in comments; quotas typed as text now and
then, trailing spaces in ids, blank rows, March typed as a date, an extra ``Notes`` sheet.
The workbook zip is rewritten (``normalise_xlsx``) so that it is byte-identical every run.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import month_end
from .files import CsvDialect, write_csv, write_file
from .quotas import individual_quota, team_quota
from .world import NEGOTIATOR

if TYPE_CHECKING:
    from .world import SampleWorld

EXCEL_CSV_UTF8 = CsvDialect(line_end="\r\n", bom=True)

EVALUATION_SCORES = (55, 96)
EVALUATION_COMMENTS = (
    "Très bonne préparation des négociations, à poursuivre.",
    "Bonne écoute client; doit mieux documenter les concessions accordées.",
    "Dossiers solides, quelques retards dans les comptes rendus.",
    'A su débloquer deux contrats difficiles, "excellent" travail d\u2019équipe.',
    "Progrès nets sur la qualification, reste à structurer les relances.",
    "Négociations menées avec rigueur, attention aux marges, surtout en fin de trimestre.",
    "Relation client remarquable; peut encore gagner en anticipation.",
)

TEXT_QUOTA_SHARE = 0.05
TRAILING_SPACE_ID_SHARE = 0.04
BLANK_ROW_AFTER_TEAMS = (2, 5)  # team indexes followed by a blank row (individual quotas)
BLANK_ROW_AFTER_MONTH = 6  # month followed by a blank row (team quotas)
DATE_TYPED_MONTH = 3  # typed as a date once, as Excel does with 2026-03
NOTES = (
    "Objectifs commerciaux {year} - fichier tenu par Sales Ops",
    "Validés en comité de direction; toute modification passe par Sales Ops.",
    "Quota_EUR : objectif mensuel de prises de commandes en euros, hors taxes.",
    "Les nouveaux arrivants ont un objectif réduit les trois premiers mois (montée en charge).",
    "Quotas équipe = somme des quotas individuels arrondie au millier.",
    "Ne pas renommer les onglets ni les en-têtes de colonnes.",
)

# Fixed stamps that make the xlsx byte-identical on every run.
XLSX_TIMESTAMP = datetime(2026, 1, 1, 0, 0, 0)
ZIP_DATE_TIME = (2026, 1, 1, 0, 0, 0)

Row = list[object] | None  # None: a blank row left by an edit

# --- evaluations ----------------------------------------------------------------------------


def write_sales_ops_period(world: SampleWorld, root: Path, period: str) -> None:
    """Evaluations as Excel saves a "CSV UTF-8": BOM and CRLF."""
    write_csv(
        root / "sales_ops" / period / "evaluations.csv",
        ("Employee_ID", "Periode", "Score_Qualitatif", "Evaluateur_ID", "Commentaire"),
        _evaluation_rows(world, period),
        EXCEL_CSV_UTF8,
    )


def _evaluation_rows(world: SampleWorld, period: str) -> list[list[str]]:
    """The qualitative score of every negotiator employed in the period, but the one the
    scenario leaves out (its draws are still made, so that the others do not move)."""
    rng = world.rng("evaluations", period)
    rows = []
    for worker in world.workers_by_id:
        role, _ = worker.role_on(month_end(period))
        if role != NEGOTIATOR or not worker.employed_in(period):
            continue
        score = rng.randint(*EVALUATION_SCORES)
        text = str(score) if rng.random() < 0.8 else f"{score - 1}.5"
        if (worker.employee_id, period) == world.evaluation_gap:
            continue
        rows.append(
            [
                worker.employee_id,
                period,
                text,
                worker.manager_id or "",
                rng.choice(EVALUATION_COMMENTS),
            ]
        )
    return rows


# --- targets workbook -----------------------------------------------------------------------


def _quota_cell(rng: random.Random, value: int) -> int | str:
    """Mostly numbers; sometimes the number typed as text, the way people do."""
    if rng.random() >= TEXT_QUOTA_SHARE:
        return value
    thousands, units = divmod(value, 1000)
    return rng.choice(
        (f"{value} ", f"{value},00", f"{thousands} {units:03d}" if thousands else f"{value} ")
    )


def _id_cell(rng: random.Random, text: str) -> str:
    return text + " " if rng.random() < TRAILING_SPACE_ID_SHARE else text


def _individual_quota_rows(world: SampleWorld, year: int) -> list[Row]:
    """Rows by team and worker."""
    rng = world.rng("quotas", year)
    rows: list[Row] = []
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    for team in world.teams:
        for worker in sorted(team.members, key=lambda w: w.employee_id):
            for month in months:
                value = individual_quota(worker, month)
                if value is not None:
                    rows.append([_id_cell(rng, worker.employee_id), month, _quota_cell(rng, value)])
        if team.index in BLANK_ROW_AFTER_TEAMS:
            rows.append(None)
    return rows


def _team_quota_rows(world: SampleWorld, year: int) -> list[Row]:
    """Rows by month and team."""
    rng = world.rng("team-quotas", year)
    rows: list[Row] = []
    for month_number in range(1, 13):
        month = f"{year:04d}-{month_number:02d}"
        for team in world.teams:
            value = team_quota(world, team, month)
            if value is None:
                continue
            mois: object = month
            if month_number == DATE_TYPED_MONTH:
                mois = datetime(year, month_number, 1)
            rows.append([_id_cell(rng, team.name), mois, _quota_cell(rng, value)])
        if month_number == BLANK_ROW_AFTER_MONTH:
            rows.append(None)
    return rows


def write_targets_workbook(world: SampleWorld, root: Path, year: int) -> None:
    """The year's targets workbook, with hand-edit quirks, saved byte-identically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheets = (
        (
            "Quotas_Individuels",
            ("Employee_ID", "Mois", "Quota_EUR"),
            _individual_quota_rows(world, year),
        ),
        ("Quotas_Equipe", ("Equipe", "Mois", "Quota_EUR"), _team_quota_rows(world, year)),
    )
    for index, (title, header, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row_number, row in enumerate(rows, start=2):
            if row is None:
                continue  # left blank
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm"
        sheet.column_dimensions["A"].width = 28
    notes = workbook.create_sheet("Notes")
    for line in NOTES:
        notes.append([line.format(year=year)])
    workbook.properties.creator = "Sales Ops"
    workbook.properties.lastModifiedBy = "Sales Ops"
    workbook.properties.created = XLSX_TIMESTAMP
    workbook.properties.modified = XLSX_TIMESTAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_file(
        root / "sales_ops" / f"{year:04d}" / f"objectifs_{year:04d}.xlsx",
        normalise_xlsx(buffer.getvalue()),
    )


_CORE_STAMP = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(data: bytes) -> bytes:
    """Rewrite an xlsx zip so that it no longer depends on when it was written.

    openpyxl stamps the current time into docProps/core.xml and every zip entry; entries are
    rewritten in their original order with a fixed date, fixed attributes and no compression
    (stored entries do not depend on the zlib build either).
    """
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_STAMP.sub(rf"\g<1>{stamp}\g<3>", content.decode()).encode()
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()
