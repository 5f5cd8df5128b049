"""A large landing zone for one period, written by DuckDB: the benchmark's input.

Why it exists: the bundled sample (``generate.py``) replays the life of a small company
deal by deal in Python, which is right for its scenarios and far too slow for a million
opportunities. This module writes one period's drop of any size (100k, 1M, 10M
opportunities per CRM snapshot, about 3 invoices per won deal, 5,000 workers) in the exact
formats the readers accept (``../../shared/spec/sources.md``): Salesforce CSV (UTF-8 BOM,
every field quoted, CRLF), ERP CSV (cp1252, ``;``, decimal comma, DD/MM/YYYY, LF), the
Workday JSON report, the Sales Ops targets workbook and the evaluations and learning CSVs.

Rows are made by SQL over ``range()`` and written with ``COPY``; pseudo-random choices are a
fixed integer hash of the row number, so the same arguments give the same files. Only the
workbook (5,000 workers x 12 months of quotas) goes through Python (openpyxl), since its size
does not grow with the opportunities.

The drop is one that a close certifies: every raw gate passes, every seller has quotas, every
negotiator a score, every credited currency a rate, and the unattributed credit (the few
deals owned by integration users) stays far below the block threshold. Quotas are set from
each seller's bookings of the period so that attainments spread over the whole payout curve
(below threshold, linear, accelerated, capped).

Usage: ``python -m dagster_project.sample.scale OUT --opportunities 1000000 [--period P]``.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

UTF8_BOM = b"\xef\xbb\xbf"
DEFAULT_PERIOD = "2026-10"
DEFAULT_WORKERS = 5000
TEAM_SIZE = 10  # 1 manager, 3 hunters, 3 farmers, 2 negotiators, 1 sales support
INTEGRATION_USERS = 3
# Share of the opportunities owned by an integration user (no worker): unattributed credit,
# kept an order of magnitude below the plan's 1 % block threshold.
INTEGRATION_OWNED_EVERY = 1000

# Pseudo-random integer in [0, k) from a row number and a salt: deterministic, vectorised.
_MACROS = """
CREATE OR REPLACE MACRO rnd(i, salt, k) AS
    ((i * 2654435761 + salt * 40503 + 12345) % 4294967291) % k;
CREATE OR REPLACE MACRO sf_id(prefix, i) AS prefix || lpad(i::VARCHAR, 10, '0') || 'AAA';
CREATE OR REPLACE MACRO sf_stamp(t) AS strftime(t, '%Y-%m-%dT%H:%M:%S.000Z');
CREATE OR REPLACE MACRO sf_bool(b) AS CASE WHEN b THEN 'true' ELSE 'false' END;
CREATE OR REPLACE MACRO fr_date(d) AS strftime(d, '%d/%m/%Y');
CREATE OR REPLACE MACRO fr_money(x) AS replace(printf('%.2f', x), '.', ',');
CREATE OR REPLACE MACRO first_name(i) AS (['Amélie', 'Benoît', 'Céline', 'Émile', 'François',
    'Hélène', 'Jérôme', 'Loïc', 'Noémie', 'Zoé', 'Thibault', 'Quentin'])[rnd(i, 91, 12) + 1];
CREATE OR REPLACE MACRO last_name(i) AS (['Dupont', 'Lefèvre', 'Moreau', 'Girard', 'Ménard',
    'Rousseau', 'Bérard', 'Faure', 'Lambert', 'Renaud', 'Müller', 'Côté'])[rnd(i, 92, 12) + 1];
CREATE OR REPLACE MACRO role_of(pos) AS CASE
    WHEN pos = 0 THEN 'Sales Manager' WHEN pos <= 3 THEN 'Hunter' WHEN pos <= 6 THEN 'Farmer'
    WHEN pos <= 8 THEN 'Negotiator' ELSE 'Sales Support' END;
-- The n-th seller (hunter, farmer or negotiator) is this worker number.
CREATE OR REPLACE MACRO seller_worker(s) AS (s // 8) * 10 + 1 + s % 8;
"""


def _month_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _build_tables(conn: duckdb.DuckDBPyConnection, opportunities: int, workers: int) -> None:
    """Every entity as a typed table; the writers below spell them in each format."""
    teams = workers // TEAM_SIZE
    sellers = teams * 8
    accounts = max(100, opportunities // 10)
    conn.execute(_MACROS)
    conn.execute(
        f"""
        CREATE TABLE workers AS
        SELECT i, 'E' || (10001 + i) AS emp, i // {TEAM_SIZE} AS team,
               role_of(i % {TEAM_SIZE}) AS role,
               'Team ' || lpad((i // {TEAM_SIZE} + 1)::VARCHAR, 4, '0') AS team_name,
               CASE WHEN i = 0 THEN NULL WHEN i % {TEAM_SIZE} = 0 THEN 'E10001'
                    ELSE 'E' || (10001 + (i // {TEAM_SIZE}) * {TEAM_SIZE}) END AS manager,
               CASE WHEN i % 100 = 42 THEN getvariable('p_start') + 9
                    ELSE DATE '2018-01-01' + rnd(i, 1, 2500)::INT END AS hire_date,
               CASE WHEN i % 200 = 7 THEN getvariable('p_start') + 14 END AS termination_date,
               CASE WHEN i % 20 = 3 THEN '0.8' ELSE '1' END AS fte,
               'user' || (10001 + i) || '@example.com' AS email
        FROM range({teams * TEAM_SIZE}) t(i)
        """
    )
    conn.execute(
        f"""
        CREATE TABLE users AS
        SELECT i, sf_id('0058d', i) AS id, w.emp, w.email,
               i % 5 < 3 AS has_employee_number
        FROM workers w
        UNION ALL
        SELECT {teams * TEAM_SIZE} + k, sf_id('0058d', {teams * TEAM_SIZE} + k), NULL,
               'integration' || k || '@example.com', false
        FROM range({INTEGRATION_USERS}) r(k)
        """
    )
    conn.execute(
        f"""
        CREATE TABLE accounts AS
        SELECT a, sf_id('0018d', a) AS id, 'C' || lpad(a::VARCHAR, 8, '0') AS code,
               rnd(a, 2, 100) < 90 AS b2b,
               (['FR', 'FR', 'FR', 'DE', 'BE', 'CH', 'GB', 'US'])[rnd(a, 3, 8) + 1] AS country,
               sf_id('0058d', seller_worker(rnd(a, 4, {sellers}))) AS owner
        FROM range({accounts}) t(a)
        """
    )
    conn.execute(
        f"""
        CREATE TABLE opportunities AS
        WITH base AS (
            SELECT o, rnd(o, 5, 100) AS stage_draw, rnd(o, 6, {accounts}) AS account,
                   CASE WHEN o % {INTEGRATION_OWNED_EVERY} = {INTEGRATION_OWNED_EVERY - 1}
                        THEN {teams * TEAM_SIZE} + o % {INTEGRATION_USERS}
                        ELSE seller_worker(rnd(o, 7, {sellers})) END AS owner_user,
                   (1000 + rnd(o, 8, 99000) + rnd(o, 9, 100) / 100)::DECIMAL(18, 2) AS amount,
                   rnd(o, 10, 100) AS currency_draw
            FROM range({opportunities}) t(o)
        )
        SELECT o, sf_id('0068d', o) AS id, account, owner_user, amount,
               CASE WHEN stage_draw < 30 THEN 'Closed Won'
                    WHEN stage_draw < 50 THEN 'Closed Lost'
                    WHEN stage_draw < 62 THEN 'Prospecting'
                    WHEN stage_draw < 74 THEN 'Qualification'
                    WHEN stage_draw < 87 THEN 'Proposal' ELSE 'Negotiation' END AS stage,
               stage_draw < 50 AS closed, stage_draw < 30 AS won,
               CASE WHEN currency_draw < 70 THEN 'EUR' WHEN currency_draw < 85 THEN 'USD'
                    WHEN currency_draw < 95 THEN 'GBP' ELSE 'CHF' END AS currency,
               CASE WHEN stage_draw < 50 THEN getvariable('p_end') - rnd(o, 11, 365)::INT
                    ELSE getvariable('p_end') + rnd(o, 11, 180)::INT END AS close_date
        FROM base
        """
    )


def _copy_crm(conn: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    """Salesforce Data Export: UTF-8 with a BOM, every field quoted, CRLF line ends."""
    staged = path.with_suffix(".tmp")
    conn.execute(
        f"COPY ({select}) TO '{staged}' (FORMAT csv, FORCE_QUOTE *, HEADER true, NEW_LINE '\r\n')"
    )
    with open(path, "wb") as out, open(staged, "rb") as body:
        out.write(UTF8_BOM)
        shutil.copyfileobj(body, out, 16 << 20)
    staged.unlink()


def _copy_erp(conn: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    """French ERP export: cp1252, ``;``, LF. DuckDB writes UTF-8; the text is re-encoded in
    large blocks (the codec runs in C, not a loop over rows)."""
    staged = path.with_suffix(".tmp")
    conn.execute(f"COPY ({select}) TO '{staged}' (FORMAT csv, DELIMITER ';', HEADER true)")
    with (
        open(staged, encoding="utf-8", newline="") as body,
        open(path, "w", encoding="cp1252", newline="") as out,
    ):
        while block := body.read(16 << 20):
            out.write(block)
    staged.unlink()


def _copy_plain(conn: duckdb.DuckDBPyConnection, select: str, path: Path, *, excel: bool) -> None:
    """UTF-8 comma CSV; ``excel``: as Excel saves "CSV UTF-8" (BOM, CRLF, minimal quoting)."""
    if not excel:
        conn.execute(f"COPY ({select}) TO '{path}' (FORMAT csv, HEADER true)")
        return
    staged = path.with_suffix(".tmp")
    conn.execute(f"COPY ({select}) TO '{staged}' (FORMAT csv, HEADER true, NEW_LINE '\r\n')")
    with open(path, "wb") as out, open(staged, "rb") as body:
        out.write(UTF8_BOM)
        shutil.copyfileobj(body, out, 16 << 20)
    staged.unlink()


def _write_crm(conn: duckdb.DuckDBPyConnection, folder: Path) -> None:
    _copy_crm(
        conn,
        """
        SELECT id AS "Id",
               (['Ateliers', 'Société', 'Établissements', 'Maison', 'Compagnie'])[rnd(a, 20, 5) + 1]
                   || ' ' || last_name(a) || ' ' || a AS "Name",
               CASE WHEN rnd(a, 21, 100) < 80 THEN 'Customer' WHEN rnd(a, 21, 100) < 95
                    THEN 'Prospect' ELSE 'Partner' END AS "Type",
               (['Manufacturing', 'Insurance', 'Retail', 'Logistics'])[rnd(a, 22, 4) + 1]
                   AS "Industry",
               country AS "BillingCountry", CASE WHEN b2b THEN 'B2B' ELSE 'B2C' END AS "Segment__c",
               CASE WHEN a % 50 = 1 THEN '' WHEN a % 20 = 2 THEN lower(code)
                    WHEN a % 20 = 3 THEN ' ' || code || ' ' ELSE code END AS "ERP_Customer_Code__c",
               owner AS "OwnerId",
               sf_stamp(TIMESTAMP '2019-01-01 08:00:00' + INTERVAL (rnd(a, 23, 200000000)) SECOND)
                   AS "CreatedDate",
               'false' AS "IsDeleted"
        FROM accounts ORDER BY a
        """,
        folder / "Account.csv",
    )
    _copy_crm(
        conn,
        """
        SELECT id AS "Id", email || '.perfgov' AS "Username",
               CASE WHEN has_employee_number OR emp IS NULL THEN email
                    ELSE ' ' || upper(email[1]) || email[2:] || ' ' END AS "Email",
               CASE WHEN emp IS NULL THEN 'Integration' ELSE first_name(i) END AS "FirstName",
               CASE WHEN emp IS NULL THEN 'User' ELSE last_name(i) END AS "LastName",
               'true' AS "IsActive",
               CASE WHEN has_employee_number THEN emp ELSE '' END AS "EmployeeNumber"
        FROM users ORDER BY i
        """,
        folder / "User.csv",
    )
    _copy_crm(
        conn,
        """
        SELECT id AS "Id", sf_id('0018d', account) AS "AccountId",
               sf_id('0058d', owner_user) AS "OwnerId", 'Contrat cadre ' || o AS "Name",
               stage AS "StageName",
               CASE WHEN NOT closed AND o % 7 = 0 THEN '' ELSE amount::VARCHAR END AS "Amount",
               currency AS "CurrencyIsoCode",
               CASE WHEN won THEN '100' WHEN closed THEN '0'
                    ELSE (10 + rnd(o, 30, 9) * 10)::VARCHAR END AS "Probability",
               strftime(close_date, '%Y-%m-%d') AS "CloseDate",
               sf_stamp(close_date - (30 + rnd(o, 31, 90))::INT
                   + INTERVAL (rnd(o, 32, 36000) + 28800) SECOND) AS "CreatedDate",
               sf_stamp(least(close_date, getvariable('p_end'))
                   + INTERVAL (rnd(o, 33, 36000) + 28800) SECOND) AS "LastModifiedDate",
               (['New Business', 'Existing Business - Upsell', 'Existing Business - Renewal'])
                   [rnd(o, 34, 3) + 1] AS "Type",
               (['Web', 'Phone Inquiry', 'Partner Referral', 'Trade Show'])[rnd(o, 35, 4) + 1]
                   AS "LeadSource",
               sf_bool(closed) AS "IsClosed", sf_bool(won) AS "IsWon", 'false' AS "IsDeleted"
        FROM opportunities ORDER BY o
        """,
        folder / "Opportunity.csv",
    )
    # One deal in ten is split: 60/40 Revenue between its owner and a teammate, plus an
    # Overlay for the team's sales support (which earns no credit).
    _copy_crm(
        conn,
        """
        WITH split AS (
            SELECT o, id, owner_user, (owner_user // 10) * 10 AS team_first FROM opportunities
            WHERE o % 10 = 3 AND owner_user % 10 <> 0
        )
        SELECT sf_id('04t8d', o * 3 + k) AS "Id", id AS "OpportunityId",
               sf_id('0058d', CASE k WHEN 0 THEN owner_user
                    WHEN 1 THEN team_first + 1 + (owner_user - team_first) % 8
                    ELSE team_first + 9 END) AS "SplitOwnerId",
               (['60.00', '40.00', '10.00'])[k + 1] AS "SplitPercentage",
               CASE WHEN k < 2 THEN 'Revenue' ELSE 'Overlay' END AS "SplitTypeName"
        FROM split, range(3) r(k) ORDER BY o, k
        """,
        folder / "OpportunitySplit.csv",
    )
    _copy_crm(
        conn,
        """
        SELECT sf_id('00T8d', o) AS "Id", id AS "WhatId", sf_id('0018d', account) AS "AccountId",
               sf_id('0058d', owner_user) AS "OwnerId",
               strftime(close_date - rnd(o, 40, 60)::INT, '%Y-%m-%d') AS "ActivityDate",
               (['Call', 'Email', 'Task'])[rnd(o, 41, 3) + 1] AS "TaskSubtype",
               CASE WHEN closed THEN 'Completed' ELSE 'Open' END AS "Status"
        FROM opportunities ORDER BY o
        """,
        folder / "Task.csv",
    )


def _write_erp(conn: duckdb.DuckDBPyConnection, folder: Path) -> None:
    _copy_erp(
        conn,
        """
        SELECT code AS code_client,
               (['Ateliers', 'Société', 'Établissements', 'Maison', 'Compagnie'])[rnd(a, 20, 5) + 1]
                   || ' ' || last_name(a) || ' ' || a AS raison_sociale,
               CASE WHEN a % 10 <> 4 THEN (100000000 + rnd(a, 50, 899999999))::VARCHAR END AS siren,
               country AS pays, CASE WHEN b2b THEN 'ENTREPRISE' ELSE 'PARTICULIER' END AS segment
        FROM accounts ORDER BY a
        """,
        folder / "clients.csv",
    )
    # Three documents of the period per won deal (instalments); one in fifty is a credit
    # note, with a positive amount as the ERP writes it.
    _copy_erp(
        conn,
        """
        WITH docs AS (
            SELECT o.o * 3 + k AS n, o.o, o.id, o.account, o.amount, o.currency,
                   getvariable('p_start') + rnd(o.o * 3 + k, 51, getvariable('p_days'))::INT AS day
            FROM opportunities o, range(3) r(k) WHERE o.won
        )
        SELECT CASE WHEN n % 50 = 7 THEN 'AV' ELSE 'FA' END || strftime(day, '%Y') || '-'
                   || lpad(n::VARCHAR, 9, '0') AS num_piece,
               CASE WHEN n % 50 = 7 THEN 'AV' ELSE 'FA' END AS type_piece,
               fr_date(day) AS date_piece, 'C' || lpad(account::VARCHAR, 8, '0') AS code_client,
               CASE WHEN n % 100 = 11 THEN NULL ELSE id END AS ref_opportunite,
               fr_money(round(amount / 3, 2)) AS montant_ht, currency AS devise,
               fr_date(day + 30) AS date_echeance,
               CASE WHEN n % 2 = 0 THEN fr_date(day + 20) END AS date_reglement
        FROM docs ORDER BY n
        """,
        folder / "factures.csv",
    )
    # ECB-style rates for every business day of the period, and for the first day whatever
    # it is (so that a deal closed on it has a rate without the previous period's file).
    _copy_erp(
        conn,
        """
        SELECT fr_date(d::DATE) AS date, devise,
               replace(printf('%.4f', base * (1 + (rnd(day(d) * 7 + k, 60, 200) - 100) / 10000)),
                       '.', ',') AS taux
        FROM range(getvariable('p_start')::TIMESTAMP,
                   getvariable('p_end')::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d),
             (VALUES (0, 'CHF', 0.94), (1, 'GBP', 0.86), (2, 'USD', 1.08)) c(k, devise, base)
        WHERE isodow(d) < 6 OR d::DATE = getvariable('p_start')
        ORDER BY d, devise
        """,
        folder / "taux_change.csv",
    )


def _write_hris(conn: duckdb.DuckDBPyConnection, folder: Path) -> None:
    staged = folder / "workers.tmp"
    conn.execute(
        f"""
        COPY (
            SELECT emp AS "Employee_ID", first_name(i) || ' ' || last_name(i) AS "Legal_Name",
                   email AS "Work_Email",
                   CASE role WHEN 'Sales Manager' THEN 'Responsable d''équipe commerciale'
                        WHEN 'Hunter' THEN 'Chargé d''affaires'
                        WHEN 'Farmer' THEN 'Gestionnaire de comptes'
                        WHEN 'Negotiator' THEN 'Négociateur grands comptes'
                        ELSE 'Assistant commercial' END AS "Job_Profile",
                   role AS "Sales_Role", team_name AS "Supervisory_Organization",
                   manager AS "Manager_ID",
                   (['Enterprise', 'Mid-Market', 'Retail'])[team % 3 + 1] AS "Business_Line",
                   strftime(hire_date, '%Y-%m-%d') AS "Hire_Date",
                   strftime(termination_date, '%Y-%m-%d') AS "Termination_Date",
                   fte AS "FTE", 'FR' AS "Country",
                   CASE role WHEN 'Sales Manager' THEN '36000' WHEN 'Negotiator' THEN '30000'
                        WHEN 'Sales Support' THEN '6000' ELSE '24000' END
                       AS "Annual_Target_Variable",
                   'EUR' AS "Currency"
            FROM workers ORDER BY i
        ) TO '{staged}' (FORMAT json, ARRAY true)
        """
    )
    with open(folder / "workers.json", "wb") as out, open(staged, "rb") as body:
        out.write(b'{"Report_Entry": ')
        shutil.copyfileobj(body, out, 16 << 20)
        out.write(b"}\n")
    staged.unlink()
    _copy_plain(
        conn,
        """
        SELECT emp AS "Employee_ID",
               (['Salesforce - gestion du pipeline', 'Négociation avancée',
                 'RGPD et données clients'])[rnd(i, 70, 3) + 1] AS "Course_Title",
               (['3.5', '7', '1.5'])[rnd(i, 71, 3) + 1] AS "Hours",
               strftime(getvariable('p_start') + rnd(i, 72, getvariable('p_days'))::INT, '%Y-%m-%d')
                   AS "Completion_Date",
               (['Peer-led', 'Classroom', 'E-learning'])[rnd(i, 73, 3) + 1] AS "Delivery"
        FROM workers WHERE i % 5 = 2 ORDER BY i
        """,
        folder / "learning.csv",
        excel=False,
    )


def _write_evaluations(conn: duckdb.DuckDBPyConnection, folder: Path, period: str) -> None:
    _copy_plain(
        conn,
        f"""
        SELECT emp AS "Employee_ID", '{period}' AS "Periode",
               (55 + rnd(i, 80, 42))::VARCHAR AS "Score_Qualitatif", manager AS "Evaluateur_ID",
               (['Très bonne préparation des négociations, à poursuivre.',
                 'A su débloquer deux contrats difficiles, "excellent" travail d’équipe.',
                 'Bonne écoute client; doit mieux documenter les concessions accordées.'])
                   [rnd(i, 81, 3) + 1] AS "Commentaire"
        FROM workers WHERE role = 'Negotiator' ORDER BY i
        """,
        folder / "evaluations.csv",
        excel=True,
    )


def _quota_rows(conn: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """Monthly quotas: each seller's is set from their bookings of the period, divided by an
    attainment drawn between 0.3 and 1.9, so that payouts cover the whole curve."""
    individual = conn.execute(
        """
        WITH booked AS (
            SELECT owner_user AS i, sum(amount) AS eur FROM opportunities
            WHERE won AND close_date BETWEEN getvariable('p_start') AND getvariable('p_end')
            GROUP BY ALL
        ), average AS (SELECT avg(eur) AS eur FROM booked)
        SELECT w.emp, w.team_name,
               greatest(1000, round(coalesce(b.eur, a.eur) / (0.3 + rnd(w.i, 90, 160) / 100),
                                    -2))::BIGINT
        FROM workers w LEFT JOIN booked b USING (i), average a
        WHERE w.role IN ('Hunter', 'Farmer', 'Negotiator') ORDER BY w.i
        """
    ).fetchall()
    team: dict[str, int] = {}
    for _, team_name, quota in individual:
        team[team_name] = team.get(team_name, 0) + quota
    return [(e, q) for e, _, q in individual], [(t, round(q, -3)) for t, q in team.items()]


def _write_workbook(conn: duckdb.DuckDBPyConnection, path: Path, year: int) -> None:
    """The year's targets workbook, saved as Excel saves one.

    Not openpyxl's write-only mode: that writes inline strings and no ``<dimension>``, which
    makes every read-only reader scan each sheet once more to size it, a cost no workbook
    saved by Excel has (measured: ~2 s per sheet read at 5,000 workers).
    """
    from openpyxl import Workbook

    individual, team = _quota_rows(conn)
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Quotas_Individuels"
    sheet.append(["Employee_ID", "Mois", "Quota_EUR"])
    for month in months:
        for employee_id, quota in individual:
            sheet.append([employee_id, month, quota])
    sheet = workbook.create_sheet("Quotas_Equipe")
    sheet.append(["Equipe", "Mois", "Quota_EUR"])
    for month in months:
        for team_name, quota in team:
            sheet.append([team_name, month, quota])
    notes = workbook.create_sheet("Notes")
    notes.append([f"Objectifs commerciaux {year} - fichier tenu par Sales Ops (jeu de charge)"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def write_scaled_landing(
    out_dir: Path,
    opportunities: int,
    *,
    period: str = DEFAULT_PERIOD,
    workers: int = DEFAULT_WORKERS,
) -> Path:
    """Write the drop of ``period`` with ``opportunities`` deals in its CRM snapshot.

    The system folders of ``out_dir`` are replaced, so that no file of an older run (or of
    another period) survives: the landing zone holds this one period, closable on its own.
    """
    if workers < TEAM_SIZE:
        raise ValueError(f"at least {TEAM_SIZE} workers (one team) are needed")
    out_dir = Path(out_dir)
    for system in ("crm", "erp", "hris", "sales_ops"):
        if (out_dir / system).is_dir():
            shutil.rmtree(out_dir / system)
        (out_dir / system / period).mkdir(parents=True)
    start, end = _month_bounds(period)
    conn = duckdb.connect()
    try:
        conn.execute("SET preserve_insertion_order = false")
        conn.execute("SET VARIABLE p_start = ?::DATE", [start])
        conn.execute("SET VARIABLE p_end = ?::DATE", [end])
        conn.execute("SET VARIABLE p_days = ?", [(end - start).days + 1])
        _build_tables(conn, opportunities, workers)
        _write_crm(conn, out_dir / "crm" / period)
        _write_erp(conn, out_dir / "erp" / period)
        _write_hris(conn, out_dir / "hris" / period)
        _write_evaluations(conn, out_dir / "sales_ops" / period, period)
        year = int(period[:4])
        _write_workbook(conn, out_dir / "sales_ops" / f"{year}" / f"objectifs_{year}.xlsx", year)
    finally:
        conn.close()
    return out_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.sample.scale",
        description="Write one period's landing zone at scale (benchmark input).",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--opportunities", type=int, required=True)
    parser.add_argument("--period", default=DEFAULT_PERIOD)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = write_scaled_landing(
        args.out_dir, args.opportunities, period=args.period, workers=args.workers
    )
    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(
        f"wrote {len(files)} files, {size / 1e6:.1f} MB, into {out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
