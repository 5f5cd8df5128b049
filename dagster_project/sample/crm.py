"""The Salesforce Data Export of one period: full snapshots of five objects.

Each file shows every record as it stood at the end of the period (``dates.cutoff``), in
Salesforce's own CSV dialect: UTF-8 with a BOM, every field quoted, CRLF line ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import cutoff
from .files import CsvDialect, write_csv
from .formats import sf_bool, sf_datetime
from .world import Account

if TYPE_CHECKING:
    from .world import SampleWorld

SALESFORCE_CSV = CsvDialect(delimiter=",", quote_all=True, line_end="\r\n", bom=True)

CRM_FIELDS = {
    "Account": (
        "Id",
        "Name",
        "Type",
        "Industry",
        "BillingCountry",
        "Segment__c",
        "ERP_Customer_Code__c",
        "OwnerId",
        "CreatedDate",
        "IsDeleted",
    ),
    "User": ("Id", "Username", "Email", "FirstName", "LastName", "IsActive", "EmployeeNumber"),
    "Opportunity": (
        "Id",
        "AccountId",
        "OwnerId",
        "Name",
        "StageName",
        "Amount",
        "CurrencyIsoCode",
        "Probability",
        "CloseDate",
        "CreatedDate",
        "LastModifiedDate",
        "Type",
        "LeadSource",
        "IsClosed",
        "IsWon",
        "IsDeleted",
    ),
    "OpportunitySplit": ("Id", "OpportunityId", "SplitOwnerId", "SplitPercentage", "SplitTypeName"),
    "Task": ("Id", "WhatId", "AccountId", "OwnerId", "ActivityDate", "TaskSubtype", "Status"),
}


def write_crm(world: SampleWorld, root: Path, period: str) -> None:
    """``crm/<period>/<Object>.csv`` for the five objects."""
    snapshot = cutoff(period)
    builders: dict[str, Callable[[SampleWorld, datetime], list[list[str]]]] = {
        "Account": _account_rows,
        "User": _user_rows,
        "Opportunity": _opportunity_rows,
        "OpportunitySplit": _split_rows,
        "Task": _task_rows,
    }
    for name, build in builders.items():
        path = root / "crm" / period / f"{name}.csv"
        write_csv(path, CRM_FIELDS[name], build(world, snapshot), SALESFORCE_CSV)


def _erp_code_as_typed(account: Account) -> str:
    """The ERP code as a person typed it in the CRM: blank, lower-case or padded at times."""
    code = account.erp_code or ""
    return {
        None: code,
        "plain": code,
        "blank": "",
        "lower": code.lower(),
        "padded": f" {code}  ",
        "lower_padded": f"  {code.lower()} ",
    }[account.code_style]


def _account_rows(world: SampleWorld, snapshot: datetime) -> list[list[str]]:
    rows = []
    for a in world.accounts:
        if a.created > snapshot:
            continue
        customer = a.customer_since is not None and a.customer_since <= snapshot.date()
        account_type = (
            "Partner"
            if a.initial_type == "Partner"
            else ("Customer" if customer else a.initial_type)
        )
        code = _erp_code_as_typed(a) if customer else ""
        rows.append(
            [
                a.id,
                a.name,
                account_type,
                a.industry,
                a.country,
                a.segment,
                code,
                a.owner_at(snapshot),
                sf_datetime(a.created),
                "false",
            ]
        )
    return sorted(rows)


def _user_rows(world: SampleWorld, snapshot: datetime) -> list[list[str]]:
    day = snapshot.date()
    return sorted(
        [
            u.id,
            u.username,
            u.email,
            u.first_name,
            u.last_name,
            sf_bool(u.inactive_from is None or u.inactive_from > day),
            u.employee_number,
        ]
        for u in world.users
        if u.active_from <= day
    )


def _opportunity_rows(world: SampleWorld, snapshot: datetime) -> list[list[str]]:
    rows = []
    for o in world.opportunities:
        if o.created > snapshot:
            continue
        state, modified = o.state_at(snapshot)
        rows.append(
            [
                o.id,
                o.account.id,
                state["OwnerId"],
                o.name,
                state["StageName"],
                state["Amount"],
                o.currency,
                state["Probability"],
                state["CloseDate"],
                sf_datetime(o.created),
                sf_datetime(modified),
                o.type,
                o.lead_source,
                state["IsClosed"],
                state["IsWon"],
                state["IsDeleted"],
            ]
        )
    return sorted(rows)


def _split_rows(world: SampleWorld, snapshot: datetime) -> list[list[str]]:
    return sorted(
        [s.id, s.opportunity_id, s.owner_id, s.percentage, s.type_name]
        for s in world.splits
        if s.created <= snapshot
    )


def _task_rows(world: SampleWorld, snapshot: datetime) -> list[list[str]]:
    day = snapshot.date()
    return sorted(
        [
            t.id,
            t.what_id,
            t.account_id,
            t.owner_id,
            t.activity_date.isoformat(),
            t.subtype,
            "Completed" if t.completed_on is not None and t.completed_on <= day else "Open",
        ]
        for t in world.tasks
        if t.created <= snapshot
    )
