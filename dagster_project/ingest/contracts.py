"""The source contracts: every file the upstream systems drop, as ../spec/sources.md describes it.

This module is the single place that says which files a period needs, how each one is
encoded and delimited, which fields it carries and how each field is typed. The readers,
the raw tables, the dbt sources and the GX source-shape suites all follow it, so a change
of an upstream export is one edit here.

Raw tables keep the source field names exactly as delivered (typed, nothing renamed):
renaming into the common vocabulary is dbt staging's job. Every raw table also carries
the provenance columns of ``PROVENANCE_COLUMNS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class FieldType(StrEnum):
    """How a source field is written in its file, and so how it is parsed."""

    TEXT = "text"  # kept as delivered (surrounding spaces included: staging normalises)
    BOOL = "bool"  # Salesforce `true` / `false`
    DATE_ISO = "date_iso"  # YYYY-MM-DD
    DATETIME_ISO = "datetime_iso"  # ISO 8601 UTC, 2026-10-03T14:22:10.000Z
    DATE_DMY = "date_dmy"  # French ERP dates, DD/MM/YYYY
    DECIMAL_DOT = "decimal_dot"  # 12345.67
    DECIMAL_COMMA = "decimal_comma"  # French ERP amounts, 12345,67 (no thousands separator)
    DECIMAL_LOOSE = "decimal_loose"  # hand-typed workbook numbers: 12 500,5 / 12500.5 / cells
    PERIOD = "period"  # YYYY-MM (a workbook may hold it as a date cell)


# DuckDB type of each field type in the raw tables. Money and rates are DECIMAL, never DOUBLE.
SQL_TYPES: dict[FieldType, str] = {
    FieldType.TEXT: "VARCHAR",
    FieldType.BOOL: "BOOLEAN",
    FieldType.DATE_ISO: "DATE",
    FieldType.DATETIME_ISO: "TIMESTAMP",
    FieldType.DATE_DMY: "DATE",
    FieldType.PERIOD: "VARCHAR",
}


@dataclass(frozen=True)
class Field:
    """One field of a source file.

    ``required`` fields must be present in every row: a row without one is quarantined.
    ``scale`` is the number of decimals kept for decimal fields (DECIMAL(18, scale)).
    ``personal`` marks personal data (names, e-mails, pay, scores, comments): such values
    may sit in the warehouse but never in logs, validation evidence or the auditor pack.
    """

    name: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    scale: int = 2
    personal: bool = False

    @property
    def sql_type(self) -> str:
        if self.type in (FieldType.DECIMAL_DOT, FieldType.DECIMAL_COMMA, FieldType.DECIMAL_LOOSE):
            return f"DECIMAL(18,{self.scale})"
        return SQL_TYPES[self.type]


class FileFormat(StrEnum):
    CSV = "csv"
    WORKDAY_JSON = "workday_json"
    XLSX_SHEET = "xlsx_sheet"


@dataclass(frozen=True)
class SourceFile:
    """One file (or one workbook sheet) that a period's drop must contain.

    ``path_template`` is relative to the landing root; ``{period}`` is ``YYYY-MM`` and
    ``{year}`` is ``YYYY``. ``key`` names the fields that identify a record, used for
    duplicate detection by the gates (None where the file has no natural key).
    """

    system: str
    entity: str
    path_template: str
    format: FileFormat
    fields: tuple[Field, ...]
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    sheet: str | None = None
    key: tuple[str, ...] | None = None
    description: str = ""

    @property
    def name(self) -> str:
        """Stable identifier, also the raw table name (``raw.<name>``)."""
        return f"{self.system}__{self.entity}"

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    def path(self, landing: Path, period: str) -> Path:
        return landing / self.path_template.format(period=period, year=period[:4])

    def relative_path(self, period: str) -> str:
        return self.path_template.format(period=period, year=period[:4])

    @property
    def personal_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.personal)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# Provenance columns added to every raw row: where it came from, exactly.
PROVENANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_period", "VARCHAR"),  # the drop's period, YYYY-MM
    ("_source_file", "VARCHAR"),  # path relative to the landing root
    ("_source_sha256", "VARCHAR"),  # hash of the file as delivered
    # Where a person finds the record: CSV line (header = line 1), worksheet row, or
    # Report_Entry index (JSON), 1-based.
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),  # when the ingest asset loaded it (UTC)
)

T = FieldType

_CRM = dict(format=FileFormat.CSV, encoding="utf-8-sig", delimiter=",")
_ERP = dict(format=FileFormat.CSV, encoding="cp1252", delimiter=";")

SOURCES: tuple[SourceFile, ...] = (
    # --- CRM: Salesforce Data Export, full snapshots -------------------------------
    SourceFile(
        "crm",
        "account",
        "crm/{period}/Account.csv",
        **_CRM,
        key=("Id",),
        description="Salesforce accounts (customers, prospects, partners), full snapshot.",
        fields=(
            Field("Id", required=True),
            Field("Name", personal=True),  # a person's name for B2C accounts
            Field("Type"),
            Field("Industry"),
            Field("BillingCountry"),
            Field("Segment__c"),
            Field("ERP_Customer_Code__c"),
            Field("OwnerId"),
            Field("CreatedDate", T.DATETIME_ISO),
            Field("IsDeleted", T.BOOL, required=True),
        ),
    ),
    SourceFile(
        "crm",
        "user",
        "crm/{period}/User.csv",
        **_CRM,
        key=("Id",),
        description="Salesforce users, integration users included, full snapshot.",
        fields=(
            Field("Id", required=True),
            Field("Username", personal=True),
            Field("Email", personal=True),
            Field("FirstName", personal=True),
            Field("LastName", personal=True),
            Field("IsActive", T.BOOL, required=True),
            Field("EmployeeNumber"),
        ),
    ),
    SourceFile(
        "crm",
        "opportunity",
        "crm/{period}/Opportunity.csv",
        **_CRM,
        key=("Id",),
        description="Salesforce opportunities, full snapshot as of extraction.",
        fields=(
            Field("Id", required=True),
            Field("AccountId"),
            Field("OwnerId"),
            Field("Name"),
            Field("StageName", required=True),
            Field("Amount", T.DECIMAL_DOT),
            Field("CurrencyIsoCode"),
            Field("Probability", T.DECIMAL_DOT),
            Field("CloseDate", T.DATE_ISO),
            Field("CreatedDate", T.DATETIME_ISO),
            Field("LastModifiedDate", T.DATETIME_ISO),
            Field("Type"),
            Field("LeadSource"),
            Field("IsClosed", T.BOOL, required=True),
            Field("IsWon", T.BOOL, required=True),
            Field("IsDeleted", T.BOOL, required=True),
        ),
    ),
    SourceFile(
        "crm",
        "opportunity_split",
        "crm/{period}/OpportunitySplit.csv",
        **_CRM,
        key=("Id",),
        description="Salesforce opportunity splits (Revenue and Overlay), full snapshot.",
        fields=(
            Field("Id", required=True),
            Field("OpportunityId", required=True),
            Field("SplitOwnerId", required=True),
            Field("SplitPercentage", T.DECIMAL_DOT, required=True, scale=4),
            Field("SplitTypeName", required=True),
        ),
    ),
    SourceFile(
        "crm",
        "task",
        "crm/{period}/Task.csv",
        **_CRM,
        key=("Id",),
        description="Salesforce activities (calls, e-mails, tasks), full snapshot.",
        fields=(
            Field("Id", required=True),
            Field("WhatId"),
            Field("AccountId"),
            Field("OwnerId"),
            Field("ActivityDate", T.DATE_ISO),
            Field("TaskSubtype"),
            Field("Status"),
        ),
    ),
    # --- ERP: French accounting export, cp1252, `;`, decimal comma ---------------------
    SourceFile(
        "erp",
        "client",
        "erp/{period}/clients.csv",
        **_ERP,
        key=("code_client",),
        description="ERP customers, full snapshot.",
        fields=(
            Field("code_client", required=True),
            Field("raison_sociale", personal=True),
            Field("siren"),
            Field("pays"),
            Field("segment"),
        ),
    ),
    SourceFile(
        "erp",
        "facture",
        "erp/{period}/factures.csv",
        **_ERP,
        key=("num_piece",),
        description="ERP invoices (FA) and credit notes (AV) dated within the period.",
        fields=(
            Field("num_piece", required=True),
            Field("type_piece", required=True),
            Field("date_piece", T.DATE_DMY, required=True),
            Field("code_client", required=True),
            Field("ref_opportunite"),
            Field("montant_ht", T.DECIMAL_COMMA, required=True),
            Field("devise", required=True),
            Field("date_echeance", T.DATE_DMY),
            Field("date_reglement", T.DATE_DMY),
        ),
    ),
    SourceFile(
        "erp",
        "taux_change",
        "erp/{period}/taux_change.csv",
        **_ERP,
        key=("date", "devise"),
        description="Reference FX rates of the period (ECB convention: units per euro).",
        fields=(
            Field("date", T.DATE_DMY, required=True),
            Field("devise", required=True),
            Field("taux", T.DECIMAL_COMMA, required=True, scale=6),
        ),
    ),
    # --- HRIS: Workday report, JSON, every value a string --------------------------------
    SourceFile(
        "hris",
        "worker",
        "hris/{period}/workers.json",
        format=FileFormat.WORKDAY_JSON,
        encoding="utf-8",
        key=("Employee_ID",),
        description="Workday workers report, full snapshot.",
        fields=(
            Field("Employee_ID", required=True),
            Field("Legal_Name", personal=True),
            Field("Work_Email", personal=True),
            Field("Job_Profile"),
            Field("Sales_Role"),
            Field("Supervisory_Organization"),
            Field("Manager_ID"),
            Field("Business_Line"),
            Field("Hire_Date", T.DATE_ISO),
            Field("Termination_Date", T.DATE_ISO),
            Field("FTE", T.DECIMAL_DOT, scale=4),
            Field("Country"),
            Field("Annual_Target_Variable", T.DECIMAL_DOT, personal=True),
            Field("Currency"),
        ),
    ),
    SourceFile(
        "hris",
        "learning",
        "hris/{period}/learning.csv",
        format=FileFormat.CSV,
        encoding="utf-8-sig",
        delimiter=",",
        description="Trainings completed within the period.",
        fields=(
            Field("Employee_ID", required=True),
            Field("Course_Title"),
            Field("Hours", T.DECIMAL_DOT),
            Field("Completion_Date", T.DATE_ISO),
            Field("Delivery"),
        ),
    ),
    # --- Sales Operations: maintained by hand ---------------------------------------
    SourceFile(
        "sales_ops",
        "individual_quota",
        "sales_ops/{year}/objectifs_{year}.xlsx",
        format=FileFormat.XLSX_SHEET,
        sheet="Quotas_Individuels",
        key=("Employee_ID", "Mois"),
        description="Monthly individual quotas of the year's targets workbook.",
        fields=(
            Field("Employee_ID", required=True),
            Field("Mois", T.PERIOD, required=True),
            Field("Quota_EUR", T.DECIMAL_LOOSE, required=True),
        ),
    ),
    SourceFile(
        "sales_ops",
        "team_quota",
        "sales_ops/{year}/objectifs_{year}.xlsx",
        format=FileFormat.XLSX_SHEET,
        sheet="Quotas_Equipe",
        key=("Equipe", "Mois"),
        description="Monthly team quotas of the year's targets workbook.",
        fields=(
            Field("Equipe", required=True),
            Field("Mois", T.PERIOD, required=True),
            Field("Quota_EUR", T.DECIMAL_LOOSE, required=True),
        ),
    ),
    SourceFile(
        "sales_ops",
        "evaluation",
        "sales_ops/{period}/evaluations.csv",
        format=FileFormat.CSV,
        encoding="utf-8-sig",
        delimiter=",",
        key=("Employee_ID", "Periode"),
        description="Qualitative evaluations (negotiators) of the period.",
        fields=(
            Field("Employee_ID", required=True),
            Field("Periode", T.PERIOD, required=True),
            Field("Score_Qualitatif", T.DECIMAL_DOT, personal=True),
            Field("Evaluateur_ID"),
            Field("Commentaire", personal=True),
        ),
    ),
)

SOURCES_BY_NAME: dict[str, SourceFile] = {s.name: s for s in SOURCES}


def files_of_period(landing: Path, period: str) -> dict[str, Path]:
    """Every distinct file a period's drop must contain, by path relative to the landing."""
    return {s.relative_path(period): s.path(landing, period) for s in SOURCES}
