"""Deterministic generator of the bundled sample landing zone.

Why it exists: ingest, dbt staging, the quality gates and the incentive calculation all need
monthly drops that look like the real exports, quirks included (../../shared/spec/sources.md),
and that contain a known list of edge cases to be tested on (``SCENARIOS.md``). Real exports
cannot be committed (personal data), so this module invents a sales organisation and replays
twelve months of its life into CRM, ERP, HRIS and Sales Ops files.

Determinism is the contract: the same seed, scale and periods give byte-identical files on
every run (no clock, seeded ``random.Random`` streams, sorted output, a normalised xlsx zip),
so the committed sample can be checked against a fresh regeneration.

Usage: ``python -m dagster_project.sample.generate OUT_DIR [--scale N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import json
import random
import re
import shutil
import sys
import time
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

# =============================================================================================
# Business numbers of the sample (scale 1). Everything random is drawn around these.
# =============================================================================================

DEFAULT_SEED = 20261031
DEFAULT_FIRST_PERIOD = "2025-11"
DEFAULT_LAST_PERIOD = "2026-10"

HISTORY_MONTHS = 2  # deals already closed before the first drop, so it is not an empty CRM
FORWARD_MONTHS = 4  # planned closes after the last drop: the open pipeline at the end
EXTRACTION_LAG_DAYS = 4  # a drop is extracted on the first days of the next month
HISTORY_YEARS = 10  # workers and customers are hired / created up to this long before

HUNTER, FARMER, NEGOTIATOR = "Hunter", "Farmer", "Negotiator"
MANAGER, SUPPORT = "Sales Manager", "Sales Support"
REP_ROLES = (HUNTER, FARMER, NEGOTIATOR)
ENTERPRISE, MID_MARKET, RETAIL = "Enterprise", "Mid-Market", "Retail"

# name, business line, roles of the members besides the Sales Manager (8 teams of 7 + 4 heads)
_CORE = (HUNTER, HUNTER, FARMER, FARMER, NEGOTIATOR)
TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Team Paris Grands Comptes", ENTERPRISE, (*_CORE, SUPPORT)),
    ("Team Lyon Grands Comptes", ENTERPRISE, (*_CORE, HUNTER)),
    ("Team Paris PME", MID_MARKET, (*_CORE, FARMER)),
    ("Team Lyon PME", MID_MARKET, (*_CORE, SUPPORT)),
    ("Team Nantes PME", MID_MARKET, (*_CORE, HUNTER)),
    ("Team Lille PME", MID_MARKET, (*_CORE, FARMER)),
    ("Team Bordeaux Retail", RETAIL, (*_CORE, SUPPORT)),
    ("Team Marseille Retail", RETAIL, (*_CORE, FARMER)),
)
HEAD_ORG = "Direction des Ventes"
DIRECTOR_ORG = "Direction Commerciale {line}"

JOB_PROFILES = {
    HUNTER: "Ingénieur commercial - Nouveaux clients",
    FARMER: "Responsable de comptes",
    NEGOTIATOR: "Négociateur grands contrats",
    MANAGER: "Responsable d\u2019équipe commerciale",
    SUPPORT: "Assistant commercial",
}
ANNUAL_TARGET_VARIABLE = {  # EUR, drawn in steps of 500
    HUNTER: (18000, 26000),
    FARMER: (14000, 20000),
    NEGOTIATOR: (20000, 30000),
    MANAGER: (28000, 40000),
}

ACCOUNTS_PER_REP = {HUNTER: 11, FARMER: 11, NEGOTIATOR: 6}
PARTNERS_PER_TEAM = 2
NEW_PROSPECT_SHARE = 0.2  # hunters' prospects created during the sample window
INTEGRATION_OWNED_ACCOUNT_SHARE = 0.08
DORMANT_CUSTOMER_SHARE = 0.15  # customers with no activity over the last months
DORMANT_BEFORE_END_DAYS = 120
B2C_SHARE_RETAIL = 0.75
COUNTRY_WEIGHTS = {
    ENTERPRISE: {"FR": 68, "BE": 5, "DE": 5, "ES": 3, "IT": 3, "US": 7, "GB": 6, "CH": 3},
    MID_MARKET: {"FR": 84, "BE": 5, "LU": 2, "CH": 3, "GB": 3, "US": 3},
    RETAIL: {"FR": 90, "BE": 10},
}
CURRENCY_OF_COUNTRY = {"US": "USD", "GB": "GBP", "CH": "CHF"}

# Deals: per rep and per month of close, a few won and a few lost.
WON_PER_MONTH = {
    HUNTER: ((1, 30), (2, 45), (3, 25)),
    FARMER: ((1, 30), (2, 45), (3, 25)),
    NEGOTIATOR: ((1, 40), (2, 45), (3, 15)),
}
LOST_PER_MONTH = (1, 3)
MEAN_DEAL_EUR = {ENTERPRISE: 34000, MID_MARKET: 14000, RETAIL: 4200}
ROLE_DEAL_FACTOR = {HUNTER: 1.0, FARMER: 0.9, NEGOTIATOR: 1.5}
DEAL_SIZE_SPREAD = (0.6, 1.8, 0.9)  # triangular low, high, mode; mean 1.1
DEAL_SIZE_MEAN = 1.1
REP_SKILL = (0.75, 1.3, 1.0)  # triangular: some reps sell bigger deals than others
SALES_CYCLE_DAYS = {ENTERPRISE: (35, 120), MID_MARKET: (20, 80), RETAIL: (7, 40)}
SLIP_SHARE = 0.25  # deals whose planned close date is pushed back once
EARLY_AMOUNT_SHARE = 0.4  # deals with an Amount from creation (the others: blank until Proposal)
# Bookings by calendar month, relative to an average month (quiet August, strong December).
SEASONALITY = dict(
    enumerate((0.85, 0.9, 1.1, 0.95, 0.95, 1.15, 0.9, 0.7, 1.05, 1.05, 1.05, 1.25), 1)
)
STAGES = (("Prospecting", 10), ("Qualification", 20), ("Proposal", 50), ("Negotiation", 75))
WEB_ORDER_SHARE = 0.6  # months with a small web-shop order owned by the integration user
WEB_ORDER_EUR = (400, 1900)

REVENUE_SPLIT_SHARES = (("70.00", "30.00", 0.07), ("50.00", "50.00", 0.05))
OVERLAY_SPLIT_SHARE = 0.07
OVERLAY_PERCENTAGES = ("100.00", "50.00", "25.00")

QUOTA_STRETCH = (0.95, 1.15, 1.05)  # triangular: quotas a little above the expected bookings
TEAM_QUOTA_ROUNDING = 1000
QUOTA_ROUNDING = 500
NEWCOMER_QUOTA_RAMP = (0.4, 0.6, 0.8)  # a mid-month hire without a pipeline of their own
TEXT_QUOTA_SHARE = 0.05
TRAILING_SPACE_ID_SHARE = 0.04

BLANK_EMPLOYEE_NUMBER_SHARE = 0.55
EMAIL_CASE_QUIRK_SHARE = 0.25
EMAIL_SPACE_QUIRK_SHARE = 0.15

OPP_CALL_TASK_SHARE = 0.5
OPP_EMAIL_TASK_SHARE = 0.4
TOUCH_INTERVAL_DAYS = (40, 100)
OPEN_TASK_SHARE = 0.08  # tasks never completed

# ERP
INVOICE_SCHEDULES = (((40, 30, 30), 80), ((50, 50), 10), ((100,), 10))
PAYMENT_TERMS_DAYS = ((30, 60), (45, 30), (15, 10))  # ENTREPRISE; PARTICULIER pay at once
CREDIT_NOTE_SHARE = 0.06
BLANK_REF_SHARE = 0.04
STANDALONE_INVOICES_PER_MONTH = (2, 4)
STANDALONE_INVOICE_EUR = (150, 2500)
ERP_ONLY_CLIENTS = 10
BLANK_SIREN_SHARE = 0.06
ERP_CODE_STYLES = (("plain", 75), ("blank", 8), ("lower", 7), ("padded", 7), ("lower_padded", 3))
FX = {  # start in integer units of 10**-decimals, decimals, max daily step, ECB-like
    "USD": (10850, 4, 38),
    "GBP": (85200, 5, 260),
    "CHF": (9420, 4, 30),
}
FX_BAND = 0.06  # the walk is pulled back inside +-6 % of its start

# HRIS / Sales Ops
LEARNING_PER_MONTH = (6, 14)
EVALUATION_SCORES = (55, 96)

# Fixed stamps that make the xlsx byte-identical on every run.
XLSX_TIMESTAMP = datetime(2026, 1, 1, 0, 0, 0)
ZIP_DATE_TIME = (2026, 1, 1, 0, 0, 0)

# =============================================================================================
# Invented names (French-sounding) and labels
# =============================================================================================


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string: long name lists stay readable and short."""
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    """Like ``_words`` for items that contain spaces, separated by ``|``."""
    return tuple(text.split("|"))


FIRST_NAMES = _words(
    "Camille Julien Hélène Thomas Anaïs Nicolas Élodie Mathieu Chloé Sébastien Léa "
    "Antoine Manon Guillaume Zoé Jérôme Gaëlle François Inès Benoît Margaux Loïc Pauline "
    "Romain Océane Cédric Aurélie Maxime Clémence Hugo Sarah Damien Noémie Bastien "
    "Justine Adrien Mélanie Quentin Céline Florian Agnès Rémi Laure Thibault Maëlle "
    "Yannick Solène Grégoire Estelle Arnaud Héloïse Lucas Victoire Étienne Capucine "
    "Olivier Bérénice Raphaël Nadège Vincent"
)
LAST_NAMES = _words(
    "Martin Lefèvre Ménard Girard Bérenger Gauthier Lemaître Roussel Fournier Chevalier "
    "Mercier Dubois Lambert Faure Rousseau Blanchard Guérin Boyer Garnier Perrin Morel "
    "Lacroix Dupré Carré Hébert Brunet Leroy Marchand Picard Noël Aubert Renaud Bouvier "
    "Besnard Caron Gaillard Joly Lemoine Barbier Rey Collet Daubié Vasseur Prévost Texier "
    "Meunier Cordier Hamon Lebrun Poirier Féraud Tessier Maréchal Giraud Rivière Delorme "
    "Jacquet Sauvage Langlois Bénard"
)
COMPANY_PREFIXES = _words(
    "Société Groupe Ateliers Établissements Laboratoires Transports Compagnie Industries "
    "Imprimerie Menuiserie Cabinet Fromagerie Brasserie Chaudronnerie Papeteries Verrerie "
    "Domaine"
)
COMPANY_CORES = _items(
    "du Rhône|de la Vallée|Lefèvre|Ménard & Fils|Bérenger|des Alpes|Côte d\u2019Opale|"
    "de Saint-Étienne|Beaulieu|Mercier|Océane|Val de Saône|des Sœurs Martin|"
    "de l\u2019Étoile|Bretagne Nord|Provence Énergie|Garonne|Loire Atlantique|"
    "de la Montagne Noire|des Cévennes|du Léman|Hébert|d\u2019Armor|Côte Vermeille|"
    "du Périgord|Vosges Précision|de l\u2019Estuaire|Cœur d\u2019Argoat|Morvan|"
    "du Béarn|Marne & Oise|Garrigues|Émeraude"
)
SCENARIO_ACCOUNT_NAMES = {  # reserved: no generic account takes these names
    "heart": "Cœur de Loire SARL",
    "twin": "Coeur de Loire",
    "sge": "Société Générale d\u2019Équipement",
    "usd": "Harbor Point Logistics Inc.",
    "gbp": "Thames Components Ltd",
    "chf": "Helvetia Präzision AG",
}
COMPANY_FORMS = ("SARL", "SAS", "SA", "", "")
FOREIGN_COMPANY_PARTS = {  # country: (names, activities and legal forms)
    "US": (
        _items(
            "Harbor Point|Great Lakes|Redwood|Blue Ridge|Summit Valley|Lakeshore|Granite Peak|"
            "Prairie Wind|Cedar Creek|Silver Bay"
        ),
        _items("Logistics Inc.|Fixtures LLC|Analytics Corp.|Packaging Inc.|Foods LLC|Systems Inc."),
    ),
    "GB": (
        _items("Thames|Pennine|Kestrel|Severn|Hadley & Crowe|Cotswold|Mersey|Highland"),
        _items("Components Ltd|Engineering plc|Retail Group Ltd|Instruments Ltd|Holdings Ltd"),
    ),
    "CH": (
        _items("Helvetia|Léman|Bergtal|Zürichsee|Jura|Engadin"),
        _items("Präzision AG|Horlogerie SA|Pharma AG|Logistik AG|Technik AG"),
    ),
    "DE": (
        _items("Rheinwerk|Nordlicht|Isar|Schwarzwald|Elbtal"),
        _items("Maschinenbau GmbH|Handel GmbH|Medizintechnik GmbH|Logistik GmbH"),
    ),
    "ES": (
        _items("Iberia|Costa Verde|Sierra Norte|Levante"),
        _items("Servicios SL|Alimentación SA|Industrial SL"),
    ),
    "IT": (
        _items("Officine Lombarde|Ceramiche del Po|Adriatica|Toscana Vetri"),
        _items("SpA|Srl"),
    ),
    "BE": (
        _items("Ardennes Métal|Liège Automation|Anvers Logistique|Brabant Bureautique"),
        _items("SA|SRL|NV"),
    ),
    "LU": (
        _items("Moselle Finance|Kirchberg Conseil"),
        _items("SA|SARL"),
    ),
}
INDUSTRIES = (
    "Manufacturing",
    "Retail",
    "Banking",
    "Healthcare",
    "Transportation",
    "Energy",
    "Food & Beverage",
    "Construction",
    "Technology",
    "Insurance",
)
PRODUCTS = (
    "Licences 2026",
    "Renouvellement maintenance",
    "Extension du parc",
    "Projet migration",
    "Formation des équipes",
    "Contrat cadre",
    "Support premium",
    "Module reporting",
    "Déploiement multi-sites",
    "Audit et conseil",
)
B2C_PRODUCTS = (
    "Équipement cuisine",
    "Abonnement annuel",
    "Pack confort",
    "Installation",
    "Extension de garantie",
)
LEAD_SOURCES = {
    HUNTER: (
        ("Web", 30),
        ("Phone Inquiry", 15),
        ("Partner Referral", 20),
        ("Purchased List", 15),
        ("Other", 10),
        ("", 10),
    ),
    FARMER: (("Other", 40), ("Phone Inquiry", 25), ("Web", 15), ("", 20)),
    NEGOTIATOR: (("Partner Referral", 40), ("Other", 30), ("Web", 10), ("", 20)),
}
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
EVALUATION_COMMENTS = (
    "Très bonne préparation des négociations, à poursuivre.",
    "Bonne écoute client; doit mieux documenter les concessions accordées.",
    "Dossiers solides, quelques retards dans les comptes rendus.",
    'A su débloquer deux contrats difficiles, "excellent" travail d\u2019équipe.',
    "Progrès nets sur la qualification, reste à structurer les relances.",
    "Négociations menées avec rigueur, attention aux marges, surtout en fin de trimestre.",
    "Relation client remarquable; peut encore gagner en anticipation.",
)

# =============================================================================================
# Calendar
# =============================================================================================


def _month_start(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def _month_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def _period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _add_months(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _periods(first: str, last: str) -> list[str]:
    """Calendar months from ``first`` to ``last`` inclusive."""
    out, current = [], first
    while current <= last:
        out.append(current)
        current = _add_months(current, 1)
    return out


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm): TARGET closes on Good Friday and Monday."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


@lru_cache(maxsize=64)
def _target_holidays(year: int) -> frozenset[date]:
    """Days without an ECB reference rate besides weekends (TARGET2 closing days)."""
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def _is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _target_holidays(day.year)


def _on_or_after_business_day(day: date) -> date:
    while not _is_business_day(day):
        day += timedelta(days=1)
    return day


def _weekdays(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _random_business_day(rng: random.Random, start: date, end: date) -> date:
    """A business day in [start, end]: a random day moved to the next (or previous) one."""
    day = start + timedelta(days=rng.randint(0, (end - start).days))
    forward = _on_or_after_business_day(day)
    if forward <= end:
        return forward
    while not _is_business_day(day):
        day -= timedelta(days=1)
        if day < start:
            raise ValueError(f"no business day between {start} and {end}")
    return day


def _at(rng: random.Random, day: date, after: datetime | None = None) -> datetime:
    """A datetime on ``day`` during office hours, strictly after ``after`` when given.

    Events of one record are stamped in order, so a snapshot cut at any instant sees a
    consistent history; same-day events are a few minutes apart.
    """
    stamp = datetime.combine(day, dtime(rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59)))
    if after is not None and stamp <= after:
        stamp = after + timedelta(minutes=rng.randint(3, 50), seconds=rng.randint(0, 59))
    return stamp


def _cutoff(period: str) -> datetime:
    """The instant a period's CRM snapshot reflects: the end of its last day."""
    return datetime.combine(_month_end(period), dtime(23, 59, 59))


# =============================================================================================
# Ids and formatting
# =============================================================================================

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_POD = "8d0"
ID_SERIAL_OFFSET = 3_500_000
ID_SERIAL_STRIDE = 7_919
UNKNOWN_USER_SERIAL = 9_000_000  # a deleted user: its id is in no User.csv


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    if number:
        raise ValueError("id serial overflow")
    return "".join(reversed(digits))


def salesforce_id(prefix: str, serial: int) -> str:
    """An 18-character case-safe Salesforce id: 15 characters plus the 3-character checksum.

    Base-62 digits sort in ASCII order, so ids sort in creation order like real ones.
    """
    id15 = prefix + ID_POD + _base62(ID_SERIAL_OFFSET + serial * ID_SERIAL_STRIDE, 9)
    suffix = ""
    for chunk in range(3):
        flags = sum(1 << i for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]) if ch.isupper())
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[flags]
    return id15 + suffix


class IdFactory:
    """Sequential Salesforce ids per key prefix (001 Account, 005 User, 006 Opportunity...)."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        serial = self._next.get(prefix, 0)
        self._next[prefix] = serial + 1
        return salesforce_id(prefix, serial)


CENT = Decimal("0.01")


def _money(value: Decimal | int | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _round_to(value: float, step: int) -> int:
    return max(step, int(Decimal(str(value / step)).quantize(Decimal(1), ROUND_HALF_UP)) * step)


def _sf_datetime(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _sf_bool(value: bool) -> str:
    return "true" if value else "false"


def _fr_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _fr_decimal(value: Decimal, places: int = 2) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places))).replace(".", ",")


def _ascii(text: str) -> str:
    """Accents removed, for e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c.isalnum())


def _weighted(rng: random.Random, options: Sequence[tuple[object, int]]):
    values = [v for v, _ in options]
    return rng.choices(values, weights=[w for _, w in options])[0]


def _luhn_siren(rng: random.Random) -> str:
    """A 9-digit SIREN with a valid Luhn check digit, as real ones have."""
    body = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
    for check in range(10):
        digits = [*body, check]
        total = 0
        for i, d in enumerate(reversed(digits)):
            d = d * 2 if i % 2 else d
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return "".join(map(str, digits))
    raise AssertionError("unreachable")


# =============================================================================================
# The model of the invented company
# =============================================================================================

Event = tuple[datetime, dict[str, str]]


@dataclass(eq=False)
class RoleChange:
    """A worker moved to another role (and profile) from ``effective`` on."""

    effective: date
    role: str
    job_profile: str


@dataclass(eq=False)
class Team:
    name: str
    business_line: str
    block: int
    index: int
    manager: Worker | None = None
    members: list[Worker] = field(default_factory=list)
    support: Worker | None = None


@dataclass(eq=False)
class Worker:
    """A Workday worker, plus what the generator needs to make them sell."""

    employee_id: str
    first_name: str
    last_name: str
    email: str
    role: str | None
    org: str
    manager_id: str | None
    business_line: str | None
    hire_date: date
    job_profile: str | None = None
    fte: str = "1"
    country: str | None = "FR"
    target_variable: int | None = None
    termination_date: date | None = None
    termination_known: date | None = None  # first day the HRIS shows the termination
    role_change: RoleChange | None = None
    absent_as_null: bool = False  # absent values as null (else: key missing)
    team: Team | None = None
    user: User | None = None
    skill: float = 1.0
    stretch: float = 1.0
    accounts: list[Account] = field(default_factory=list)
    replacement: Worker | None = None
    handover: date | None = None
    quota_from: str | None = None
    quota_until: str | None = None
    quota_skip: frozenset[str] = frozenset()
    ramp: tuple[float, ...] = ()  # share of the full quota in the first months after hire

    def role_on(self, day: date) -> tuple[str | None, str | None]:
        if self.role_change and day >= self.role_change.effective:
            return self.role_change.role, self.role_change.job_profile
        return self.role, self.job_profile

    @property
    def selling_end(self) -> date | None:
        """Last day the worker sells (leaving, or moving to a non-selling role)."""
        if self.role_change:
            return self.role_change.effective - timedelta(days=1)
        return self.termination_date

    def sells_on(self, day: date) -> bool:
        end = self.selling_end
        return self.role in REP_ROLES and self.hire_date <= day and (end is None or day <= end)

    def employed_in(self, period: str) -> bool:
        return self.hire_date <= _month_end(period) and (
            self.termination_date is None or self.termination_date >= _month_start(period)
        )


@dataclass(eq=False)
class User:
    id: str
    username: str
    email: str
    first_name: str
    last_name: str
    employee_number: str
    active_from: date
    inactive_from: date | None = None


@dataclass(eq=False)
class Account:
    id: str
    name: str
    erp_name: str
    industry: str
    country: str
    segment: str  # B2B / B2C
    initial_type: str  # Customer / Prospect / Partner
    created: datetime
    owner_changes: list[tuple[datetime, str]]
    block: int
    customer_since: date | None = None
    erp_code: str | None = None
    code_style: str | None = None  # how the CRM shows the ERP code; None: drawn later
    twin_of: Account | None = None  # a duplicate account carrying the same ERP code
    dormant_from: date | None = None

    @property
    def currency(self) -> str:
        return CURRENCY_OF_COUNTRY.get(self.country, "EUR")


@dataclass(eq=False)
class Billing:
    """What the ERP invoices for a won deal, in the deal's currency."""

    won_on: date
    amount: Decimal
    currency: str
    mode: str = "normal"  # normal | none | cancelled | resized
    change_on: date | None = None
    new_amount: Decimal | None = None


@dataclass(eq=False)
class Opportunity:
    id: str
    account: Account
    name: str
    currency: str
    type: str
    lead_source: str
    created: datetime
    events: list[Event]
    billing: Billing | None = None
    team: Team | None = None
    generic: bool = True

    def state_at(self, cutoff: datetime) -> tuple[dict[str, str], datetime]:
        """Field values and LastModifiedDate as a snapshot taken at ``cutoff`` shows them."""
        state: dict[str, str] = {}
        last = self.created
        for stamp, update in self.events:
            if stamp > cutoff:
                break
            state.update(update)
            last = stamp
        return state, last


@dataclass(eq=False)
class Split:
    id: str
    opportunity_id: str
    owner_id: str
    percentage: str
    type_name: str
    created: datetime


@dataclass(eq=False)
class Task:
    id: str
    what_id: str
    account_id: str
    owner_id: str
    created: datetime
    activity_date: date
    subtype: str
    completed_on: date | None


@dataclass(eq=False)
class ErpClient:
    code: str
    name: str
    siren: str
    country: str
    segment: str
    created: date
    terms_days: int


@dataclass(eq=False)
class Document:
    """An ERP invoice (FA) or credit note (AV); the number is given once all are known."""

    type_piece: str
    day: date
    client: ErpClient
    ref: str
    amount: Decimal
    currency: str
    due: date
    paid: date | None
    order: tuple[str, int]
    number: str = ""


@dataclass(eq=False)
class Scenario:
    """One deliberate edge case, listed in SCENARIOS.md."""

    what: str
    ids: str
    period: str
    rule: str


# =============================================================================================
# Building the world
# =============================================================================================


class SampleWorld:
    """The invented company over the sample window, built once, then written per period."""

    def __init__(self, seed: int, scale: int, first_period: str, last_period: str) -> None:
        if scale < 1:
            raise ValueError("scale must be 1 or more")
        if first_period > last_period:
            raise ValueError("first_period must not be after last_period")
        self.seed, self.scale = seed, scale
        self.periods = _periods(first_period, last_period)
        self.first, self.last = first_period, last_period
        self.end = _month_end(last_period)
        self.ids = IdFactory()
        self.workers: list[Worker] = []
        self.teams: list[Team] = []
        self.users: list[User] = []
        self.accounts: list[Account] = []
        self.opportunities: list[Opportunity] = []
        self.splits: list[Split] = []
        self.tasks: list[Task] = []
        self.clients: list[ErpClient] = []
        self.documents: list[Document] = []
        self.rates: dict[str, dict[date, Decimal]] = {}
        self.scenarios: list[Scenario] = []
        self.integration_user: User | None = None
        self.marketing_user: User | None = None
        self.unknown_owner_id = salesforce_id("005", UNKNOWN_USER_SERIAL)
        self._names_used: set[tuple[str, str]] = set()
        self._emails_used: set[str] = set()
        self._company_names_used: set[str] = set(SCENARIO_ACCOUNT_NAMES.values())
        self._next_employee = 10001
        self.duplicate_repeat: Document | None = None
        self.scenario_accounts: dict[str, Account] = {}
        self.client_of: dict[str, ErpClient] = {}
        self.team_quota_gap: tuple[str, str] | None = None
        self.evaluation_gap: tuple[str, str] | None = None

    # --- helpers --------------------------------------------------------------------------

    def rng(self, *topic: object) -> random.Random:
        """An independent, seeded stream per topic: adding data to one topic moves no other."""
        return random.Random(f"{self.seed}/" + "/".join(str(t) for t in topic))

    @property
    def history_start(self) -> date:
        return _month_start(_add_months(self.first, -HISTORY_MONTHS))

    @property
    def close_months(self) -> list[str]:
        return _periods(
            _add_months(self.first, -HISTORY_MONTHS), _add_months(self.last, FORWARD_MONTHS)
        )

    def rate_on(self, currency: str, day: date) -> Decimal:
        """The ECB-convention rate on ``day`` or, failing that, the latest earlier one."""
        if currency == "EUR":
            return Decimal(1)
        table = self.rates[currency]
        probe = day
        while probe not in table:
            probe -= timedelta(days=1)
        return table[probe]

    def to_currency(self, amount_eur: int, currency: str, day: date, step: int = 100) -> Decimal:
        if currency == "EUR":
            return Decimal(amount_eur)
        return Decimal(_round_to(float(Decimal(amount_eur) * self.rate_on(currency, day)), step))

    def build(self) -> SampleWorld:
        self._build_rates()
        self._build_organisation()
        self._build_users()
        self._build_accounts()
        self._build_generic_deals()
        self._build_scenarios()
        self._build_erp_clients()
        self._build_generic_splits()
        self._build_tasks()
        self._build_documents()
        self.opportunities.sort(key=lambda o: o.id)
        return self

    # --- FX -----------------------------------------------------------------------------

    def _build_rates(self) -> None:
        """Daily ECB-style rates on TARGET business days, as a bounded integer random walk."""
        start = self.history_start - timedelta(days=200)
        end = _month_end(_add_months(self.last, FORWARD_MONTHS))
        for currency, (units, decimals, step) in sorted(FX.items()):
            rng = self.rng("fx", currency)
            low, high = int(units * (1 - FX_BAND)), int(units * (1 + FX_BAND))
            value, table = units, {}
            for day in _weekdays(start, end):
                if not _is_business_day(day):
                    continue
                bias = -step // 3 if value > high else step // 3 if value < low else 0
                value += rng.randint(-step, step) + bias
                table[day] = Decimal(value).scaleb(-decimals)
            self.rates[currency] = table

    # --- HRIS ---------------------------------------------------------------------------

    def _new_name(self, rng: random.Random) -> tuple[str, str, str]:
        for _ in range(50):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in self._names_used:
                break
        self._names_used.add((first, last))
        local = f"{_ascii(first)}.{_ascii(last)}".lower()
        email, n = f"{local}@example.com", 2
        while email in self._emails_used:
            email, n = f"{local}{n}@example.com", n + 1
        self._emails_used.add(email)
        return first, last, email

    def _new_worker(
        self,
        rng: random.Random,
        *,
        role: str | None,
        org: str,
        manager: Worker | None,
        line: str | None,
        team: Team | None = None,
        hire_date: date | None = None,
    ) -> Worker:
        first, last, email = self._new_name(rng)
        if hire_date is None:
            earliest = self.history_start - timedelta(days=365 * HISTORY_YEARS)
            hire_date = _random_business_day(rng, earliest, self.history_start - timedelta(days=90))
        low_high = ANNUAL_TARGET_VARIABLE.get(role or "")
        worker = Worker(
            employee_id=f"E{self._next_employee}",
            first_name=first,
            last_name=last,
            email=email,
            role=role,
            org=org,
            manager_id=manager.employee_id if manager else None,
            business_line=line,
            hire_date=hire_date,
            job_profile=JOB_PROFILES.get(role or ""),
            country="BE" if rng.random() < 0.04 else None if rng.random() < 0.03 else "FR",
            target_variable=rng.randrange(low_high[0], low_high[1] + 1, 500) if low_high else None,
            absent_as_null=rng.random() < 0.5,
            team=team,
            skill=rng.triangular(*REP_SKILL),
            stretch=rng.triangular(*QUOTA_STRETCH),
        )
        self._next_employee += 1
        self.workers.append(worker)
        if team is not None:
            team.members.append(worker)
        return worker

    def _build_organisation(self) -> None:
        rng = self.rng("organisation")
        head = self._new_worker(rng, role=None, org=HEAD_ORG, manager=None, line=None)
        head.job_profile = "Directeur des ventes"
        for block in range(self.scale):
            suffix = "" if block == 0 else f" {block + 1}"
            directors = {}
            for line in (ENTERPRISE, MID_MARKET, RETAIL):
                director = self._new_worker(
                    rng,
                    role=None,
                    org=DIRECTOR_ORG.format(line=line) + suffix,
                    manager=head,
                    line=line,
                )
                director.job_profile = f"Directeur commercial {line}"
                directors[line] = director
            for index, (name, line, roles) in enumerate(TEAMS):
                team = Team(name + suffix, line, block, index)
                self.teams.append(team)
                team.manager = self._new_worker(
                    rng, role=MANAGER, org=team.name, manager=directors[line], line=line, team=team
                )
                for role in roles:
                    worker = self._new_worker(
                        rng, role=role, org=team.name, manager=team.manager, line=line, team=team
                    )
                    if role == SUPPORT:
                        team.support = worker
        self._apply_hr_scenarios()

    def _slot(self, team_index: int, role: str, nth: int = 0) -> Worker:
        """The ``nth`` block-0 member of a team with that (initial) role."""
        team = self.teams[team_index]
        return [w for w in team.members if w.role == role][nth]

    def _hire(self, team_index: int, role: str, hire: date) -> Worker:
        team = self.teams[team_index]
        rng = self.rng("hire", team_index, hire.isoformat())
        worker = self._new_worker(
            rng,
            role=role,
            org=team.name,
            manager=team.manager,
            line=team.business_line,
            team=team,
            hire_date=hire,
        )
        worker.quota_from = _period_of(hire)
        return worker

    def _apply_hr_scenarios(self) -> None:
        """Block-0 people whose HR history is an edge case (see SCENARIOS.md)."""
        self._hr_roles_to_watch()
        self._hr_part_time()
        self._hr_leaver_and_newcomer()
        self._hr_leaver_of_previous_period()
        self._hr_older_leaver()
        self._hr_role_change()
        for worker in self.workers:
            if worker.replacement is not None:
                end = worker.selling_end
                assert end is not None
                worker.handover = _on_or_after_business_day(
                    max(end, worker.replacement.hire_date) + timedelta(days=1)
                )

    def _hr_roles_to_watch(self) -> None:
        manager = self.teams[3].manager
        assert manager is not None
        self._scenario(
            f"Sales Manager of {self.teams[3].name}",
            manager.employee_id,
            self.last,
            "Sales Manager weights: 100 % collective f(TA)",
        )
        self._scenario(
            "Negotiator (qualitative 50 %)",
            self._slot(0, NEGOTIATOR).employee_id,
            self.last,
            "Negotiator weights 50/35/15 with Score_Qualitatif",
        )

    def _hr_part_time(self) -> None:
        for (team, role, nth), fte in (((2, FARMER, 0), "0.8"), ((6, HUNTER, 1), "0.5")):
            worker = self._slot(team, role, nth)
            worker.fte = fte
            self._scenario(
                f"Part-time worker, FTE {fte}", worker.employee_id, self.last, "TV prorated by FTE"
            )

    def _hr_leaver_and_newcomer(self) -> None:
        """A hunter resigns (known a month ahead) and is replaced by a mid-month hire."""
        last, prev = self.last, _add_months(self.last, -1)
        leaver = self._slot(1, HUNTER, 1)
        leaver.termination_date = _month_start(last) + timedelta(days=9)
        leaver.termination_known = _month_start(prev) + timedelta(days=14)
        newcomer = self._hire(1, HUNTER, _month_start(last) + timedelta(days=14))
        newcomer.ramp = NEWCOMER_QUOTA_RAMP
        leaver.replacement = newcomer
        self._scenario(
            f"Hunter terminated {leaver.termination_date} (already in the {prev} HR snapshot)",
            leaver.employee_id,
            last,
            "TV prorated by days employed; eligible in both periods",
        )
        self._scenario(
            f"Hunter hired {newcomer.hire_date}, replaces that leaver, ramp-up quota",
            newcomer.employee_id,
            last,
            "TV prorated by days employed (hire day counts)",
        )

    def _hr_leaver_of_previous_period(self) -> None:
        """A farmer leaves mid-month in the previous period; a teammate takes over."""
        prev = _add_months(self.last, -1)
        leaver = self._slot(4, FARMER, 1)
        leaver.termination_date = _month_start(prev) + timedelta(days=17)
        leaver.termination_known = leaver.termination_date
        leaver.replacement = self._slot(4, FARMER, 0)
        leaver.absent_as_null = True
        self._scenario(
            f"Farmer terminated {leaver.termination_date}; CRM user inactive "
            f"from the {prev} snapshot",
            leaver.employee_id,
            prev,
            "eligible up to its last period; inactive owner of closed deals",
        )

    def _hr_older_leaver(self) -> None:
        """An older leaver, replaced by a hire at the start of a month who inherits all."""
        left, hired = _add_months(self.last, -7), _add_months(self.last, -6)
        leaver = self._slot(5, HUNTER, 0)
        leaver.termination_date = _month_start(left) + timedelta(days=19)
        leaver.termination_known = leaver.termination_date
        leaver.quota_until = left
        replacement = self._hire(5, HUNTER, _on_or_after_business_day(_month_start(hired)))
        leaver.replacement = replacement
        self._scenario(
            f"Hunter terminated {leaver.termination_date}, replaced by a hire of "
            f"{replacement.hire_date} who inherits accounts and open deals",
            f"{leaver.employee_id} -> {replacement.employee_id}",
            f"{left}, {hired}",
            "eligibility by employment dates; OwnerId changes in the snapshots",
        )

    def _hr_role_change(self) -> None:
        """A farmer moves to Sales Support and stays in the team."""
        effective = _add_months(self.last, -3)
        mover = self._slot(2, FARMER, 1)
        mover.role_change = RoleChange(_month_start(effective), SUPPORT, JOB_PROFILES[SUPPORT])
        mover.quota_until = _add_months(effective, -1)
        mover.replacement = self._slot(2, FARMER, 2)
        self._scenario(
            f"Farmer who became Sales Support on {mover.role_change.effective} "
            "(stays a member of the team)",
            mover.employee_id,
            f"from {effective}",
            "Sales Support is not eligible; no quota rows after the change",
        )

    def _scenario(self, what: str, ids: str, period: str, rule: str) -> None:
        self.scenarios.append(Scenario(what, ids, period, rule))

    # --- CRM users --------------------------------------------------------------------------

    def _build_users(self) -> None:
        """One CRM user per worker, plus the integration users that own records too."""
        rng = self.rng("users")
        quirky = self._slot(7, HUNTER, 0)  # forced: matched by e-mail with case and spaces
        for worker in sorted(self.workers, key=lambda w: w.employee_id):
            worker.user = self._worker_user(rng, worker, forced_quirk=worker is quirky)
            self.users.append(worker.user)
        assert quirky.user
        self._scenario(
            "CRM user without EmployeeNumber, e-mail differs in case and spaces",
            f"{quirky.user.id} / {quirky.employee_id}",
            self.last,
            "user-worker matching by trimmed, case-insensitive e-mail",
        )
        self._integration_users()

    def _worker_user(self, rng: random.Random, worker: Worker, *, forced_quirk: bool) -> User:
        """EmployeeNumber often blank; the e-mail sometimes typed in another case, with spaces."""
        local, domain = worker.email.split("@")
        blank_number = rng.random() < BLANK_EMPLOYEE_NUMBER_SHARE or forced_quirk
        style = rng.random()
        email = worker.email
        if forced_quirk or style < EMAIL_SPACE_QUIRK_SHARE:
            email = f" {_title_email(local)}@{domain.capitalize()} "
        elif style < EMAIL_SPACE_QUIRK_SHARE + EMAIL_CASE_QUIRK_SHARE:
            email = f"{_title_email(local)}@{domain}"
        return User(
            id=self.ids.new("005"),
            username=f"{local}@example.com.perfgov",
            email=email,
            first_name=worker.first_name,
            last_name=worker.last_name,
            employee_number="" if blank_number else worker.employee_id,
            active_from=worker.hire_date,
            inactive_from=worker.termination_date,
        )

    def _integration_users(self) -> None:
        start = self.history_start - timedelta(days=365 * HISTORY_YEARS)
        self.integration_user, self.marketing_user = (
            User(self.ids.new("005"), username, email, first, last, "", start)
            for username, email, first, last in (
                (
                    "integration@example.com.perfgov",
                    "integration.user@crm-platform.example.net",
                    "Integration",
                    "User",
                ),
                ("marketo.sync@example.com.perfgov", "marketo-sync@example.org", "Marketo", "Sync"),
            )
        )
        self.users += [self.integration_user, self.marketing_user]
        self._scenario(
            "Integration users (no EmployeeNumber, e-mail of no worker)",
            f"{self.integration_user.id}, {self.marketing_user.id}",
            "all",
            "credit to a user who is no worker is unattributed",
        )

    # --- CRM accounts -------------------------------------------------------------------------

    def _company_name(self, rng: random.Random, country: str) -> str:
        """A company name not used yet: French ones mostly, local ones abroad."""
        for _ in range(40):
            if country == "FR" or (country in ("BE", "LU") and rng.random() < 0.5):
                form = rng.choice(COMPANY_FORMS)
                name = f"{rng.choice(COMPANY_PREFIXES)} {rng.choice(COMPANY_CORES)} {form}"
            else:
                names, forms = FOREIGN_COMPANY_PARTS[country]
                name = f"{rng.choice(names)} {rng.choice(forms)}"
            if name.strip() not in self._company_names_used:
                break
        name, number = name.strip(), 2
        while name in self._company_names_used:  # only at large scales
            name, number = f"{name.rsplit(' (', 1)[0]} ({number})", number + 1
        self._company_names_used.add(name)
        return name

    def _new_account(
        self,
        rng: random.Random,
        rep: Worker | None,
        line: str,
        kind: str,
        *,
        owner_id: str,
        block: int,
        created: datetime | None = None,
        name: str | None = None,
        country: str | None = None,
        segment: str | None = None,
    ) -> Account:
        if country is None:
            country = _weighted(rng, list(COUNTRY_WEIGHTS[line].items()))
        if segment is None:
            segment = "B2C" if line == RETAIL and rng.random() < B2C_SHARE_RETAIL else "B2B"
        if segment == "B2C":
            first, last, _ = self._new_name(rng)
            name = name or f"{first} {last}"
            erp_name = f"{last.upper()} {first}"
            industry = ""
        else:
            name = name or self._company_name(rng, country)
            erp_name = name.upper() if rng.random() < 0.4 else name
            industry = rng.choice(INDUSTRIES)
        if created is None:
            if kind == "Prospect" and rng.random() < NEW_PROSPECT_SHARE:
                day = _random_business_day(rng, self.history_start, self.end - timedelta(days=60))
            elif kind == "Prospect":
                day = _random_business_day(
                    rng,
                    self.history_start - timedelta(days=900),
                    self.history_start - timedelta(days=30),
                )
            else:
                day = _random_business_day(
                    rng,
                    self.history_start - timedelta(days=365 * HISTORY_YEARS),
                    self.history_start - timedelta(days=120),
                )
            created = _at(rng, day)
        if rng.random() < INTEGRATION_OWNED_ACCOUNT_SHARE and rep is not None:
            assert self.integration_user and self.marketing_user
            owner_id = (self.marketing_user if kind == "Prospect" else self.integration_user).id
        account = Account(
            id=self.ids.new("001"),
            name=name,
            erp_name=erp_name,
            industry=industry,
            country=country,
            segment=segment,
            initial_type=kind,
            created=created,
            owner_changes=[(created, owner_id)],
            block=block,
            customer_since=created.date() if kind == "Customer" else None,
        )
        self.accounts.append(account)
        if rep is not None:
            rep.accounts.append(account)
        return account

    def _build_accounts(self) -> None:
        for team in self.teams:
            rng = self.rng("accounts", team.name)
            for rep in team.members:
                if rep.role not in REP_ROLES or rep.user is None:
                    continue
                kind = "Prospect" if rep.role == HUNTER else "Customer"
                count = ACCOUNTS_PER_REP[rep.role]
                if rep.hire_date > self.history_start:  # newcomers open a few prospects
                    count = 4
                for _ in range(count):
                    created = None
                    if rep.hire_date > self.history_start:
                        created = _at(
                            rng, _on_or_after_business_day(rep.hire_date + timedelta(days=1))
                        )
                    self._new_account(
                        rng,
                        rep,
                        team.business_line,
                        kind,
                        owner_id=rep.user.id,
                        block=team.block,
                        created=created,
                    )
            assert team.manager and team.manager.user
            for _ in range(PARTNERS_PER_TEAM):
                self._new_account(
                    rng,
                    None,
                    team.business_line,
                    "Partner",
                    owner_id=team.manager.user.id,
                    block=team.block,
                    segment="B2B",
                )
        self._mark_dormant_customers()
        self._add_scenario_accounts()
        self._hand_over_accounts()

    def _mark_dormant_customers(self) -> None:
        rng = self.rng("dormant")
        for account in self.accounts:
            if account.initial_type == "Customer" and rng.random() < DORMANT_CUSTOMER_SHARE:
                account.dormant_from = self.end - timedelta(
                    days=DORMANT_BEFORE_END_DAYS + rng.randint(0, 150)
                )

    def _add_scenario_accounts(self) -> None:
        """Accounts that scenarios need: fixed names with ’ and œ, foreign-currency customers."""
        rng = self.rng("scenario-accounts")
        self._duplicate_accounts(rng)
        owner = self._slot(0, FARMER, 0)
        sge = self._scenario_account(rng, "sge", owner, SCENARIO_ACCOUNT_NAMES["sge"], "FR")
        sge.erp_name = sge.name  # cp1252 é, ’ and É in clients.csv
        for key, (team, role, country) in {
            "usd": (0, HUNTER, "US"),
            "gbp": (1, FARMER, "GB"),
            "chf": (0, NEGOTIATOR, "CH"),
        }.items():
            name = SCENARIO_ACCOUNT_NAMES[key]
            self._scenario_account(rng, key, self._slot(team, role), name, country)

    def _scenario_account(
        self,
        rng: random.Random,
        key: str,
        rep: Worker,
        name: str,
        country: str,
        created: datetime | None = None,
    ) -> Account:
        assert rep.user and rep.business_line
        account = self._new_account(
            rng,
            rep,
            rep.business_line,
            "Customer",
            owner_id=rep.user.id,
            block=0,
            name=name,
            country=country,
            segment="B2B",
            created=created,
        )
        account.dormant_from = None
        account.code_style = "plain"
        if account.owner_changes[0][1] != rep.user.id:  # keep scenario accounts rep-owned
            account.owner_changes = [(account.created, rep.user.id)]
        self.scenario_accounts[key] = account
        return account

    def _duplicate_accounts(self, rng: random.Random) -> None:
        """The same ERP customer created twice in the CRM, under a slightly different name."""
        farmer = self._slot(4, FARMER, 0)
        heart = self._scenario_account(rng, "heart", farmer, SCENARIO_ACCOUNT_NAMES["heart"], "FR")
        heart.erp_name = heart.name  # cp1252 œ (0x9C) in clients.csv
        created = _month_start(_add_months(self.last, -8)) + timedelta(days=9)
        twin = self._scenario_account(
            rng, "twin", farmer, SCENARIO_ACCOUNT_NAMES["twin"], "FR", _at(rng, created)
        )
        twin.twin_of, twin.code_style, twin.industry = heart, "lower_padded", heart.industry
        self._scenario(
            "Duplicate accounts sharing one ERP customer code",
            f"{heart.id}, {twin.id}",
            "all",
            "ERP code compared trimmed and upper-cased; duplicate accounts",
        )

    def _hand_over_accounts(self) -> None:
        """A leaver's (or role-changer's) accounts go to the replacement on the handover day."""
        rng = self.rng("handover-accounts")
        for worker in self.workers:
            if worker.replacement is None or worker.handover is None:
                continue
            successor = worker.replacement
            assert successor.user and worker.user
            for account in worker.accounts:
                if account.owner_changes[-1][1] == worker.user.id:
                    account.owner_changes.append((_at(rng, worker.handover), successor.user.id))
            successor.accounts.extend(worker.accounts)

    # --- CRM opportunities --------------------------------------------------------------------

    def _build_generic_deals(self) -> None:
        for worker in self.workers:
            if worker.role in REP_ROLES and worker.user is not None:
                self._rep_deals(worker)
        self._web_orders()

    def _mean_deal_eur(self, rep: Worker) -> float:
        assert rep.role and rep.business_line
        return (
            MEAN_DEAL_EUR[rep.business_line]
            * ROLE_DEAL_FACTOR[rep.role]
            * rep.skill
            * float(Decimal(rep.fte))
        )

    def _rep_deals(self, rep: Worker) -> None:
        rng = self.rng("deals", rep.employee_id)
        assert rep.role
        for month in self.close_months:
            won = _weighted(rng, WON_PER_MONTH[rep.role])
            lost = rng.randint(*LOST_PER_MONTH)
            for is_won in [True] * won + [False] * lost:
                self._rep_deal(rng, rep, month, is_won)

    def _rep_deal(self, rng: random.Random, rep: Worker, month: str, won: bool) -> None:
        assert rep.business_line and rep.user and rep.role
        close = _random_business_day(rng, _month_start(month), _month_end(month))
        cycle = rng.randint(*SALES_CYCLE_DAYS[rep.business_line])
        created_day = close - timedelta(days=cycle)
        factor = rng.triangular(*DEAL_SIZE_SPREAD) / DEAL_SIZE_MEAN
        end = rep.selling_end
        if created_day <= rep.hire_date or created_day > self.end:
            return
        if end is not None and created_day > end:
            return
        candidates = [
            a
            for a in rep.accounts
            if a.created.date() <= created_day
            and (a.dormant_from is None or created_day < a.dormant_from)
        ]
        if not candidates:
            return
        account = rng.choice(candidates)
        handover = None
        if end is not None and close > end:
            if rep.replacement is None or rep.handover is None:
                return
            if close <= rep.handover:
                close = _on_or_after_business_day(rep.handover + timedelta(days=rng.randint(1, 6)))
            handover = (rep.handover, rep.replacement)
        amount_eur = _round_to(self._mean_deal_eur(rep) * SEASONALITY[close.month] * factor, 100)
        opp = self._new_opportunity(
            rng,
            account=account,
            owner=rep.user.id,
            created=_at(rng, created_day),
            close=close,
            won=won,
            amount_eur=amount_eur,
            deal_type=self._deal_type(rng, rep.role),
            lead_source=_weighted(rng, LEAD_SOURCES[rep.role]),
            team=rep.team,
        )
        if handover is not None:
            assert handover[1].user
            stamp = _at(rng, handover[0])
            if stamp < opp.events[-1][0]:
                opp.events.append((stamp, {"OwnerId": handover[1].user.id}))
                opp.events.sort(key=lambda e: e[0])

    @staticmethod
    def _deal_type(rng: random.Random, role: str) -> str:
        if role == HUNTER:
            return "New Business"
        if role == FARMER:
            return _weighted(
                rng, (("Existing Business - Upsell", 60), ("Existing Business - Renewal", 40))
            )
        return _weighted(
            rng,
            (
                ("New Business", 50),
                ("Existing Business - Upsell", 25),
                ("Existing Business - Renewal", 25),
            ),
        )

    def _new_opportunity(
        self,
        rng: random.Random,
        *,
        account: Account,
        owner: str,
        created: datetime,
        close: date,
        won: bool,
        amount_eur: int,
        deal_type: str,
        lead_source: str,
        team: Team | None,
        generic: bool = True,
    ) -> Opportunity:
        """A deal with its life: stages advance over the cycle, then it is won or lost."""
        currency = account.currency
        final = self.to_currency(amount_eur, currency, close)
        products = B2C_PRODUCTS if account.segment == "B2C" else PRODUCTS
        opp = Opportunity(
            id=self.ids.new("006"),
            account=account,
            name=f"{account.name} - {rng.choice(products)}",
            currency=currency,
            type=deal_type,
            lead_source=lead_source,
            created=created,
            events=_lifecycle(rng, owner, created, close, won, final),
            team=team,
            generic=generic,
        )
        if won:
            opp.billing = Billing(close, final, currency)
        self.opportunities.append(opp)
        return opp

    def _web_orders(self) -> None:
        """Small web-shop orders booked by the integration user: a little unattributed credit."""
        assert self.integration_user
        retail_by_block: dict[int, list[Account]] = defaultdict(list)
        for account in self.accounts:
            active = account.initial_type == "Customer" and account.dormant_from is None
            if account.segment == "B2C" and active:
                retail_by_block[account.block].append(account)
        for block in range(self.scale):
            rng = self.rng("web-orders", block)
            retail = retail_by_block[block]
            for month in _periods(
                _add_months(self.first, -HISTORY_MONTHS), _add_months(self.last, -1)
            ):
                if rng.random() >= WEB_ORDER_SHARE or not retail:
                    continue
                day = _random_business_day(rng, _month_start(month), _month_end(month))
                self._web_order(rng, rng.choice(retail), day, rng.randrange(*WEB_ORDER_EUR, 10))

    def _web_order(self, rng: random.Random, account: Account, day: date, eur: int) -> Opportunity:
        assert self.integration_user
        stamp = _at(rng, day)
        opp = Opportunity(
            id=self.ids.new("006"),
            account=account,
            name=f"Commande web {day:%Y%m%d}-{rng.randint(1000, 9999)}",
            currency="EUR",
            type="New Business",
            lead_source="Web",
            created=stamp,
            events=[(stamp, _closed_state(self.integration_user.id, day, True, Decimal(eur)))],
            billing=Billing(day, Decimal(eur), "EUR"),
            generic=False,
        )
        self.opportunities.append(opp)
        return opp

    # --- Scenarios on deals ---------------------------------------------------------------

    def _build_scenarios(self) -> None:
        """The deliberate edge cases on deals (block 0), recorded for SCENARIOS.md."""
        for add in (
            self._scenario_split_exception,
            self._scenario_three_way_split,
            self._scenario_support_split,
            self._scenario_overlay,
            self._scenario_unattributed,
            self._scenario_inherited_deal,
            self._scenario_sales_ops_gaps,
            self._scenario_won_then_lost,
            self._scenario_resized,
            self._scenario_resplit,
            self._scenario_backdated_win,
            self._scenario_deleted,
            self._scenario_unbilled,
            self._scenario_fx,
            self._scenario_forgotten_deal,
        ):
            add()

    def _scenario_deal(
        self,
        key: str,
        owner: Worker | str,
        account: Account,
        *,
        created: date,
        close: date,
        amount_eur: int,
        won: bool = True,
    ) -> Opportunity:
        """A deal of a scenario, owned by a worker or by a bare user id; not split at random."""
        rng = self.rng("scenario", key)
        if isinstance(owner, Worker):
            assert owner.user
            owner_id, team = owner.user.id, owner.team
        else:
            owner_id, team = owner, None
        return self._new_opportunity(
            rng,
            account=account,
            owner=owner_id,
            created=_at(rng, created),
            close=close,
            won=won,
            amount_eur=amount_eur,
            deal_type="New Business",
            lead_source="Other",
            team=team,
            generic=False,
        )

    def _account_of(self, rep: Worker, nth: int = 0) -> Account:
        own = [
            a
            for a in rep.accounts
            if a.created.date() < self.history_start
            and a.dormant_from is None
            and a.currency == "EUR"
        ]
        return own[nth % len(own)]

    def _add_split(
        self,
        opp: Opportunity,
        owner: Worker | str,
        percentage: str,
        type_name: str,
        created: datetime,
    ) -> Split:
        owner_id = owner if isinstance(owner, str) else owner.user.id if owner.user else ""
        split = Split(self.ids.new("04t"), opp.id, owner_id, percentage, type_name, created)
        self.splits.append(split)
        return split

    def _deal_in(
        self,
        key: str,
        owner: Worker | str,
        period: str,
        *,
        day: int,
        cycle: int,
        amount_eur: int,
        account: Account | None = None,
        won: bool = True,
    ) -> Opportunity:
        """A scenario deal closing on ``day`` of ``period`` after a ``cycle``-day sales cycle."""
        close = _month_start(period) + timedelta(days=day - 1)
        if account is None:
            assert isinstance(owner, Worker)
            account = self._account_of(owner)
        return self._scenario_deal(
            key,
            owner,
            account,
            created=close - timedelta(days=cycle),
            close=close,
            amount_eur=amount_eur,
            won=won,
        )

    def _split_after_close(
        self, opp: Opportunity, shares: Sequence[tuple[Worker, str]], type_name: str = "Revenue"
    ) -> None:
        stamp = opp.events[-1][0] + timedelta(minutes=20)
        for worker, percentage in shares:
            self._add_split(opp, worker, percentage, type_name, stamp)

    def _scenario_split_exception(self) -> None:
        """Revenue splits summing to 90: nobody is credited, owner and split owners are held."""
        owner, other = self._slot(2, HUNTER, 1), self._slot(2, NEGOTIATOR)
        opp = self._deal_in("split90", owner, self.last, day=21, cycle=50, amount_eur=21000)
        self._split_after_close(opp, ((owner, "60.00"), (other, "30.00")))
        self._scenario(
            "Won deal whose Revenue splits sum to 90 %",
            f"{opp.id} ({owner.employee_id} 60 %, {other.employee_id} 30 %)",
            self.last,
            "split exception: nobody credited, both reps held",
        )

    def _scenario_three_way_split(self) -> None:
        """Shares that sum to exactly 100 in decimal but not in binary floating point."""
        owner = self._slot(0, HUNTER, 1)
        partners = (self._slot(0, FARMER, 1), self._slot(0, NEGOTIATOR))
        opp = self._deal_in("split3", owner, self.last, day=13, cycle=70, amount_eur=60000)
        shares = zip((owner, *partners), ("33.34", "33.33", "33.33"), strict=True)
        self._split_after_close(opp, tuple(shares))
        self._scenario(
            "Three-way Revenue split 33.34/33.33/33.33",
            opp.id,
            self.last,
            "sums to exactly 100 (decimal, not float)",
        )

    def _scenario_support_split(self) -> None:
        """A Sales Support worker (the former farmer) still named on a Revenue split."""
        mover = next(w for w in self.teams[2].members if w.role_change is not None)
        seller = self._slot(2, HUNTER, 0)
        opp = self._deal_in("support-split", seller, self.last, day=8, cycle=40, amount_eur=18000)
        self._split_after_close(opp, ((seller, "70.00"), (mover, "30.00")))
        self._scenario(
            "Sales Support worker (moved from Farmer) owns a 30 % Revenue split",
            f"{mover.employee_id} on {opp.id}",
            self.last,
            "ineligible: never paid, but counts for the team",
        )

    def _scenario_overlay(self) -> None:
        support, seller = self.teams[3].support, self._slot(3, FARMER, 1)
        assert support
        opp = self._deal_in("overlay", seller, self.last, day=16, cycle=30, amount_eur=16500)
        self._split_after_close(opp, ((support, "100.00"),), "Overlay")
        self._scenario(
            "Overlay split to a Sales Support worker",
            f"{support.employee_id} on {opp.id}",
            self.last,
            "Overlay earns nothing; owner keeps 100 %",
        )

    def _scenario_unattributed(self) -> None:
        """An integration-user web order and a deal of a deleted user: a little credit to
        nobody, well under the 1 % that would block the period."""
        rng = self.rng("scenario", "unattributed")
        retail = next(
            a
            for a in self.accounts
            if a.segment == "B2C"
            and a.dormant_from is None
            and a.initial_type == "Customer"
            and a.block == 0
        )
        web = self._web_order(rng, retail, _month_start(self.last) + timedelta(days=21), 1250)
        ghost = self._deal_in(
            "ghost",
            self.unknown_owner_id,
            self.last,
            day=9,
            cycle=25,
            amount_eur=2350,
            account=self._account_of(self._slot(4, HUNTER, 0), 1),
        )
        self._scenario(
            "Won deals owned by the integration user and by an unknown OwnerId",
            f"{web.id} (1 250 EUR), {ghost.id} (2 350 EUR, owner {self.unknown_owner_id})",
            self.last,
            "unattributed credit, well under 1 % of the month's bookings",
        )

    def _scenario_inherited_deal(self) -> None:
        """The leaver wins a deal before leaving; the mid-month hire wins one handed over."""
        start = _month_start(self.last)
        newcomer = next(w for w in self.teams[1].members if w.hire_date >= start)
        leaver = next(w for w in self.teams[1].members if w.replacement is newcomer)
        assert leaver.user and newcomer.user and leaver.handover
        before = self._deal_in("last-win", leaver, self.last, day=6, cycle=45, amount_eur=31000)
        opp = self._deal_in("inherited", leaver, self.last, day=28, cycle=60, amount_eur=24000)
        stamp = _at(self.rng("scenario", "handover"), leaver.handover)
        opp.events.append((stamp, {"OwnerId": newcomer.user.id}))
        opp.events.sort(key=lambda e: e[0])
        self._scenario(
            "Leaver's last win before leaving; its open deal handed over and won by the new hire",
            f"{before.id} ({leaver.employee_id}), {opp.id} ({newcomer.employee_id})",
            self.last,
            "credit follows OwnerId of the snapshot; prorated TV",
        )

    def _scenario_sales_ops_gaps(self) -> None:
        last = self.last
        gap = self._slot(5, FARMER, 1)
        gap.quota_skip = frozenset({last})
        self._scenario(
            "No individual quota row for the last period",
            gap.employee_id,
            last,
            "hold: no individual quota",
        )
        self.team_quota_gap = (self.teams[7].name, last)
        self._scenario(
            "No team quota for the last period",
            self.teams[7].name,
            last,
            "hold: no team quota (every member with a collective weight)",
        )
        self.evaluation_gap = (self._slot(5, NEGOTIATOR).employee_id, last)
        self._scenario(
            "Negotiator without an evaluation for the last period",
            self.evaluation_gap[0],
            last,
            "hold: no qualitative score",
        )

    def _change(self, opp: Opportunity, period: str, day: int, update: dict[str, str]) -> date:
        """A later edit of a deal, on the first business day from ``day`` of ``period``."""
        when = _on_or_after_business_day(_month_start(period) + timedelta(days=day - 1))
        opp.events.append((_at(self.rng("change", opp.id), when), update))
        return when

    def _scenario_won_then_lost(self) -> None:
        prev2, prev = _add_months(self.last, -2), _add_months(self.last, -1)
        rep = self._slot(3, HUNTER, 0)
        opp = self._deal_in("won-then-lost", rep, prev2, day=21, cycle=45, amount_eur=18000)
        lost = {"StageName": "Closed Lost", "Probability": "0", "IsWon": "false"}
        assert opp.billing
        opp.billing.mode, opp.billing.change_on = "cancelled", self._change(opp, prev, 10, lost)
        self._scenario(
            "Deal won, then Closed Lost in the next snapshot",
            opp.id,
            f"{prev2} -> {prev}",
            "prior-period adjustment (reversal)",
        )

    def _scenario_resized(self) -> None:
        prev2 = _add_months(self.last, -2)
        rep, account = self._slot(0, FARMER, 0), self.scenario_accounts["sge"]
        opp = self._deal_in(
            "resized", rep, prev2, day=12, cycle=60, amount_eur=52000, account=account
        )
        assert opp.billing
        opp.billing.mode, opp.billing.new_amount = "resized", Decimal(39000)
        opp.billing.change_on = self._change(opp, self.last, 7, {"Amount": "39000.00"})
        self._scenario(
            "Deal won, resized 52 000 -> 39 000 EUR two snapshots later",
            opp.id,
            f"{prev2} -> {self.last}",
            "prior-period adjustment (resize)",
        )

    def _scenario_resplit(self) -> None:
        prev = _add_months(self.last, -1)
        rep, partner = self._slot(3, FARMER, 0), self._slot(3, NEGOTIATOR)
        opp = self._deal_in("resplit", rep, prev, day=15, cycle=50, amount_eur=30000)
        self._change(opp, self.last, 5, {})  # the split edit touches LastModifiedDate
        stamp = opp.events[-1][0]
        self._add_split(opp, rep, "50.00", "Revenue", stamp)
        self._add_split(opp, partner, "50.00", "Revenue", stamp + timedelta(seconds=40))
        self._scenario(
            "Deal won without split, re-split 50/50 in the next snapshot",
            f"{opp.id} ({rep.employee_id}, {partner.employee_id})",
            f"{prev} -> {self.last}",
            "prior-period adjustment (re-split)",
        )

    def _scenario_backdated_win(self) -> None:
        """Open in the previous snapshot (planned to close later), won in the last one with a
        CloseDate back in the previous period."""
        prev = _add_months(self.last, -1)
        rep = self._slot(2, FARMER, 2)
        close_day = (_month_end(prev) - timedelta(days=1)).day
        opp = self._deal_in("backdated", rep, prev, day=close_day, cycle=70, amount_eur=27000)
        closing = opp.events.pop()[1]
        opp.events = [opp.events[0], *(e for e in opp.events[1:] if "CloseDate" not in e[1])]
        opp.events[0][1]["CloseDate"] = (_month_start(self.last) + timedelta(days=14)).isoformat()
        recorded = self._change(opp, self.last, 6, closing)
        assert opp.billing
        opp.billing.won_on = recorded
        self._scenario(
            "Deal newly won in the last snapshot with a back-dated CloseDate",
            opp.id,
            f"CloseDate {prev}, visible {self.last}",
            "prior-period adjustment (late win)",
        )

    def _scenario_deleted(self) -> None:
        prev = _add_months(self.last, -1)
        rep = self._slot(6, HUNTER, 0)
        opp = self._deal_in("deleted", rep, prev, day=22, cycle=20, amount_eur=6400)
        self._change(opp, self.last, 8, {"IsDeleted": "true"})
        assert opp.billing
        opp.billing.mode = "none"  # it was a duplicate entry: never invoiced
        self._scenario(
            "Deal won, IsDeleted=true in the next snapshot",
            opp.id,
            f"{prev} -> {self.last}",
            "prior-period adjustment (deletion)",
        )

    def _scenario_unbilled(self) -> None:
        prev2 = _add_months(self.last, -2)
        rep = self._slot(1, NEGOTIATOR)
        opp = self._deal_in("unbilled", rep, prev2, day=25, cycle=80, amount_eur=41000)
        assert opp.billing
        opp.billing.mode = "none"
        self._scenario(
            "Won deal with no invoice more than 30 days later",
            opp.id,
            prev2,
            "CRM/ERP reconciliation warning",
        )

    def _scenario_fx(self) -> None:
        """Foreign-currency deals closing on days without a rate."""
        last = self.last
        saturday = _month_start(last)
        while saturday.weekday() != 5:
            saturday += timedelta(days=1)
        saturday += timedelta(days=14)
        rep = self._slot(0, HUNTER, 0)
        usd = self._scenario_deal(
            "usd-weekend",
            rep,
            self.scenario_accounts["usd"],
            created=saturday - timedelta(days=60),
            close=saturday,
            amount_eur=30000,
        )
        self._scenario(
            "USD deal closed on a Saturday",
            usd.id,
            last,
            "rate of the previous business day (Friday)",
        )
        firsts = [p for p in self.periods[1:] if _month_start(p).weekday() >= 5][:2]
        for period, (key, team, role) in zip(
            firsts, (("chf", 0, NEGOTIATOR), ("gbp", 1, FARMER)), strict=False
        ):
            rep = self._slot(team, role)
            day = _month_start(period)
            opp = self._scenario_deal(
                f"first-weekend-{key}",
                rep,
                self.scenario_accounts[key],
                created=day - timedelta(days=55),
                close=day,
                amount_eur=26000,
            )
            self._scenario(
                f"{opp.currency} deal closed on {day.isoformat()} ({day:%A})",
                opp.id,
                period,
                "needs the previous month's last rate (latest earlier rate)",
            )

    def _scenario_forgotten_deal(self) -> None:
        """An open deal of the previous period's leaver that nobody handed over."""
        leaver = self._slot(4, FARMER, 1)
        assert leaver.termination_date
        opp = self._scenario_deal(
            "forgotten",
            leaver,
            self._account_of(leaver, 2),
            created=leaver.termination_date - timedelta(days=40),
            close=self.end + timedelta(days=75),
            amount_eur=12000,
            won=False,
        )
        opp.events = [e for e in opp.events if e[0].date() <= self.end]
        self._scenario(
            "Open deal still owned by an inactive user",
            opp.id,
            self.last,
            "no credit (open), ownership report",
        )

    # --- ERP clients -----------------------------------------------------------------------------

    def _build_erp_clients(self) -> None:
        """Accounts become customers on their first win; the ERP then knows them by a code.

        Codes are numbered in order of creation, ERP-only clients (never in the CRM) included;
        a duplicate CRM account shares the code of the account it duplicates.
        """
        self._convert_prospects()
        rng = self.rng("erp-clients")
        for account in self.accounts:
            if account.customer_since and account.code_style is None:
                account.code_style = _weighted(rng, ERP_CODE_STYLES)
        entries: list[tuple[date, str, Account | None, str]] = [
            (a.customer_since, a.id, a, "")
            for a in self.accounts
            if a.customer_since and a.twin_of is None
        ]
        for _ in range(ERP_ONLY_CLIENTS * self.scale):
            name = self._company_name(rng, "FR")
            created = self.history_start - timedelta(days=rng.randint(200, 3000))
            entries.append((created, "", None, name))
        entries.sort(key=lambda e: (e[0], e[1], e[3]))
        by_account: dict[str, ErpClient] = {}
        for number, (created, _, account, name) in enumerate(entries, start=1):
            client = self._new_client(rng, f"C{10000 + number:06d}", created, account, name)
            if account:
                account.erp_code = client.code
                by_account[account.id] = client
        for account in self.accounts:
            original = account.twin_of or account
            if original.id in by_account:
                account.erp_code = original.erp_code
                self.client_of[account.id] = by_account[original.id]

    def _convert_prospects(self) -> None:
        for opp in self.opportunities:
            account, billing = opp.account, opp.billing
            if billing is None or account.initial_type != "Prospect":
                continue
            if account.customer_since is None or billing.won_on < account.customer_since:
                account.customer_since = billing.won_on

    def _new_client(
        self, rng: random.Random, code: str, created: date, account: Account | None, name: str
    ) -> ErpClient:
        segment = "PARTICULIER" if account and account.segment == "B2C" else "ENTREPRISE"
        private = segment == "PARTICULIER"
        client = ErpClient(
            code=code,
            name=account.erp_name if account else name.upper(),
            siren="" if private or rng.random() < BLANK_SIREN_SHARE else _luhn_siren(rng),
            country=account.country if account else "FR",
            segment=segment,
            created=created,
            terms_days=0 if private else _weighted(rng, PAYMENT_TERMS_DAYS),
        )
        self.clients.append(client)
        return client

    # --- Splits -----------------------------------------------------------------------------

    def _build_generic_splits(self) -> None:
        """Most won deals have no split; some Revenue splits 70/30 or 50/50, some Overlays."""
        rng = self.rng("splits")
        for opp in self.opportunities:
            if not opp.generic or opp.billing is None or opp.team is None:
                continue
            if opp.account.segment == "B2C":
                continue
            close_stamp = opp.events[-1][0]
            owner_id = opp.state_at(close_stamp)[0]["OwnerId"]
            draw = rng.random()
            teammates = [
                w
                for w in opp.team.members
                if w.sells_on(opp.billing.won_on) and w.user and w.user.id != owner_id
            ]
            stamp = close_stamp + timedelta(minutes=rng.randint(5, 90))
            threshold = 0.0
            for owner_pct, other_pct, share in REVENUE_SPLIT_SHARES:
                threshold += share
                if draw < threshold and teammates:
                    other = rng.choice(teammates)
                    self._add_split(opp, owner_id, owner_pct, "Revenue", stamp)
                    self._add_split(opp, other, other_pct, "Revenue", stamp)
                    break
            else:
                if draw < threshold + OVERLAY_SPLIT_SHARE:
                    helper = opp.team.support or opp.team.manager
                    assert helper
                    self._add_split(opp, helper, rng.choice(OVERLAY_PERCENTAGES), "Overlay", stamp)

    # --- Tasks ------------------------------------------------------------------------------

    def _build_tasks(self) -> None:
        """A call when a deal opens, an e-mail before it closes, regular customer touches."""
        rng = self.rng("tasks")
        for opp in self.opportunities:
            if not opp.generic:
                continue
            owner = opp.events[0][1]["OwnerId"]
            if rng.random() < OPP_CALL_TASK_SHARE:
                self._task(rng, opp.id, opp.account, owner, opp.created, opp.created.date(), "Call")
            close_stamp = opp.events[-1][0]
            if rng.random() < OPP_EMAIL_TASK_SHARE:
                day = close_stamp.date() - timedelta(days=rng.randint(0, 6))
                if day > opp.created.date():
                    created = _at(
                        rng, max(opp.created.date(), day - timedelta(days=3)), opp.created
                    )
                    self._task(
                        rng,
                        opp.id,
                        opp.account,
                        opp.state_at(created)[0]["OwnerId"],
                        created,
                        day,
                        "Email",
                    )
        for account in self.accounts:
            if account.customer_since is not None and account.initial_type == "Customer":
                self._account_touches(rng, account)

    def _account_touches(self, rng: random.Random, account: Account) -> None:
        """Regular calls and e-mails on customers, stopping where the account went dormant."""
        day = max(account.created.date(), self.history_start - timedelta(days=60))
        day += timedelta(days=rng.randint(0, TOUCH_INTERVAL_DAYS[1]))
        stop = account.dormant_from or self.end + timedelta(days=20)
        while day < stop:
            created = _at(rng, day - timedelta(days=rng.randint(0, 10)))
            owner = _owner_at(account, created)
            if not (self.integration_user and owner == self.integration_user.id):
                subtype = _weighted(rng, (("Call", 45), ("Email", 40), ("Task", 15)))
                self._task(rng, account.id, account, owner, created, day, subtype)
            day += timedelta(days=rng.randint(*TOUCH_INTERVAL_DAYS))

    def _task(
        self,
        rng: random.Random,
        what_id: str,
        account: Account,
        owner: str,
        created: datetime,
        day: date,
        subtype: str,
    ) -> None:
        completed = None if rng.random() < OPEN_TASK_SHARE else day
        self.tasks.append(
            Task(self.ids.new("00T"), what_id, account.id, owner, created, day, subtype, completed)
        )

    # --- ERP documents ---------------------------------------------------------------------

    def _build_documents(self) -> None:
        rng = self.rng("documents")
        for opp in self.opportunities:
            if opp.billing is not None and opp.billing.mode != "none":
                self._bill(rng, opp)
        self._standalone_invoices(rng)
        horizon = self.end + timedelta(days=EXTRACTION_LAG_DAYS)
        self.documents = [d for d in self.documents if d.day <= horizon]
        self._number_documents()
        last_docs = [
            d
            for d in self.documents
            if _period_of(d.day) == self.last and d.type_piece == "FA" and d.ref
        ]
        self.duplicate_repeat = last_docs[len(last_docs) // 2]
        self._scenario(
            "ERP re-export repeats an identical invoice line",
            self.duplicate_repeat.number,
            self.last,
            "identical repeated line dropped and reported, not a block",
        )

    def _document(
        self,
        rng: random.Random,
        type_piece: str,
        day: date,
        client: ErpClient,
        ref: str,
        amount: Decimal,
        currency: str,
        order: tuple[str, int],
    ) -> Document:
        due = day + timedelta(days=client.terms_days if type_piece == "FA" else 0)
        paid = _payment_day(rng, day, due) if type_piece == "FA" else None
        doc = Document(type_piece, day, client, ref, amount, currency, due, paid, order)
        self.documents.append(doc)
        return doc

    def _bill(self, rng: random.Random, opp: Opportunity) -> None:
        """Invoices spread over the following months; credit notes for cancellations."""
        billing = opp.billing
        assert billing
        client = self.client_of[opp.account.id]
        private = client.segment == "PARTICULIER"
        schedule: tuple[int, ...] = (100,) if private else _weighted(rng, INVOICE_SCHEDULES)
        if billing.mode == "cancelled":
            schedule = schedule[:1]
        day = _on_or_after_business_day(
            billing.won_on + timedelta(days=0 if private else rng.randint(2, 14))
        )
        first_day, remaining = day, billing.amount
        for index, pct in enumerate(schedule):
            last = index == len(schedule) - 1 and billing.mode != "cancelled"
            amount = remaining if last else _money(billing.amount * pct / 100)
            remaining -= amount
            ref = "" if rng.random() < BLANK_REF_SHARE else opp.id
            first = self._document(
                rng, "FA", day, client, ref, amount, billing.currency, (opp.id, index)
            )
            day = _on_or_after_business_day(day + timedelta(days=rng.randint(28, 33)))
        credit: tuple[date, Decimal, str] | None = None
        if billing.mode == "cancelled" and billing.change_on:
            credit = (billing.change_on + timedelta(days=2), first.amount, opp.id)
        elif billing.mode == "resized" and billing.change_on and billing.new_amount is not None:
            credit = (
                billing.change_on + timedelta(days=3),
                billing.amount - billing.new_amount,
                opp.id,
            )
        elif not private and opp.generic and rng.random() < CREDIT_NOTE_SHARE:
            gesture = _money(billing.amount * rng.randint(5, 15) / 100)
            ref = opp.id if rng.random() < 0.8 else ""
            credit = (first_day + timedelta(days=rng.randint(10, 40)), gesture, ref)
        if credit is not None:
            day, amount, ref = credit
            self._document(
                rng,
                "AV",
                _on_or_after_business_day(day),
                client,
                ref,
                amount,
                billing.currency,
                (opp.id, 90),
            )

    def _standalone_invoices(self, rng: random.Random) -> None:
        """Service fees with no deal behind them: invoices without an opportunity reference."""
        for month in _periods(_add_months(self.first, -HISTORY_MONTHS), self.last):
            start, end = _month_start(month), _month_end(month)
            clients = [c for c in self.clients if c.created <= start and c.segment == "ENTREPRISE"]
            for n in range(rng.randint(*STANDALONE_INVOICES_PER_MONTH) * self.scale):
                client = rng.choice(clients)
                day = _random_business_day(rng, start, end)
                amount = _money(rng.randrange(*STANDALONE_INVOICE_EUR, 5))
                self._document(rng, "FA", day, client, "", amount, "EUR", (f"~{month}", n))

    def _number_documents(self) -> None:
        """ERP numbering: one sequence per document type and year, in date order."""
        self.documents.sort(key=lambda d: (d.day, d.type_piece, d.order))
        counters: dict[tuple[str, int], int] = {}
        for doc in self.documents:
            key = (doc.type_piece, doc.day.year)
            counters[key] = counters.get(key, 0) + 1
            doc.number = f"{doc.type_piece}{doc.day.year}-{counters[key]:06d}"

    # --- Sales Ops ----------------------------------------------------------------------------

    def quota(self, rep: Worker, month: str, *, with_gaps: bool = True) -> int | None:
        """The individual quota Sales Ops planned for ``month``, or None (no row).

        ``with_gaps=False`` ignores a row forgotten in the workbook: team quotas were planned
        from the full list.
        """
        if rep.role not in REP_ROLES or (with_gaps and month in rep.quota_skip):
            return None
        if rep.hire_date > _month_end(month):
            return None
        if rep.quota_from and month < rep.quota_from:
            return None
        if rep.quota_until and month > rep.quota_until:
            return None
        assert rep.role
        expected = sum(k * w for k, w in WON_PER_MONTH[rep.role]) / sum(
            w for _, w in WON_PER_MONTH[rep.role]
        )
        value = self._mean_deal_eur(rep) * expected * SEASONALITY[int(month[5:])] * rep.stretch
        months_in = (int(month[:4]) * 12 + int(month[5:])) - (
            rep.hire_date.year * 12 + rep.hire_date.month
        )
        if months_in < len(rep.ramp):
            value *= rep.ramp[months_in]
        return _round_to(value, QUOTA_ROUNDING)

    def team_quota(self, team: Team, month: str) -> int | None:
        if (team.name, month) == self.team_quota_gap:
            return None
        total = sum(self.quota(member, month, with_gaps=False) or 0 for member in team.members)
        return _round_to(total, TEAM_QUOTA_ROUNDING) if total else None


def _title_email(local: str) -> str:
    return ".".join(part.capitalize() for part in local.split("."))


def _closed_state(owner_id: str, day: date, won: bool, amount: Decimal) -> dict[str, str]:
    return {
        "OwnerId": owner_id,
        "StageName": "Closed Won" if won else "Closed Lost",
        "Amount": f"{amount:.2f}",
        "Probability": "100" if won else "0",
        "CloseDate": day.isoformat(),
        "IsClosed": "true",
        "IsWon": _sf_bool(won),
        "IsDeleted": "false",
    }


def _lifecycle(
    rng: random.Random, owner_id: str, created: datetime, close: date, won: bool, final: Decimal
) -> list[Event]:
    """Stage changes from creation to close, stamped in order along the sales cycle.

    The Amount is often blank until the Proposal stage, the planned close date sometimes
    slips once, and the close itself is stamped on the CloseDate.
    """
    cycle = max(1, (close - created.date()).days)
    estimate = f"{_round_to(float(final) * rng.uniform(0.85, 1.25), 100)}.00"
    planned = close
    if rng.random() < SLIP_SHARE and cycle > 30:
        planned = close - timedelta(days=rng.randint(10, min(40, cycle - 14)))
    first = {
        "OwnerId": owner_id,
        "StageName": STAGES[0][0],
        "Probability": str(STAGES[0][1]),
        "Amount": estimate if rng.random() < EARLY_AMOUNT_SHARE else "",
        "CloseDate": planned.isoformat(),
        "IsClosed": "false",
        "IsWon": "false",
        "IsDeleted": "false",
    }
    events: list[Event] = [(created, first)]
    last_stage = len(STAGES) - 1 if won else rng.randint(0, len(STAGES) - 1)
    previous = created
    for stage in range(1, last_stage + 1):
        fraction = stage / len(STAGES) + rng.uniform(-0.08, 0.08)
        day = created.date() + timedelta(days=int(cycle * fraction))
        previous = _at(rng, min(day, close), previous)
        update = {"StageName": STAGES[stage][0], "Probability": str(STAGES[stage][1])}
        if stage == 2:
            update["Amount"] = estimate
        events.append((previous, update))
    if planned != close:
        events.append((_at(rng, planned), {"CloseDate": close.isoformat()}))
        events.sort(key=lambda e: e[0])
        previous = max(previous, events[-1][0])
    closing = _closed_state(owner_id, close, won, final if won else Decimal(estimate))
    del closing["OwnerId"]
    events.append((_at(rng, close, previous), closing))
    return events


def _payment_day(rng: random.Random, day: date, due: date) -> date | None:
    """Most customers pay around the due date, some early, some late, a few not yet."""
    draw = rng.random()
    if draw < 0.15:
        return max(day, due - timedelta(days=rng.randint(1, 10)))
    if draw < 0.6:
        return due + timedelta(days=rng.randint(0, 2))
    if draw < 0.92:
        return due + timedelta(days=rng.randint(3, 50))
    return None


# =============================================================================================
# Writing the files
# =============================================================================================

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
ERP_FIELDS = {
    "clients": ("code_client", "raison_sociale", "siren", "pays", "segment"),
    "factures": (
        "num_piece",
        "type_piece",
        "date_piece",
        "code_client",
        "ref_opportunite",
        "montant_ht",
        "devise",
        "date_echeance",
        "date_reglement",
    ),
    "taux_change": ("date", "devise", "taux"),
}
WORKER_FIELDS = (
    "Employee_ID",
    "Legal_Name",
    "Work_Email",
    "Job_Profile",
    "Sales_Role",
    "Supervisory_Organization",
    "Manager_ID",
    "Business_Line",
    "Hire_Date",
    "Termination_Date",
    "FTE",
    "Country",
    "Annual_Target_Variable",
    "Currency",
)


def _csv_text(
    rows: Iterable[Sequence[str]], *, delimiter: str, quote_all: bool, line_end: str
) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        lineterminator=line_end,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_crm(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Salesforce Data Export: UTF-8 with BOM, every field quoted, CRLF."""
    text = _csv_text([header, *rows], delimiter=",", quote_all=True, line_end="\r\n")
    _write(path, b"\xef\xbb\xbf" + text.encode("utf-8"))


def _write_erp(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """French ERP export: Windows-1252, `;`, LF."""
    text = _csv_text([header, *rows], delimiter=";", quote_all=False, line_end="\n")
    _write(path, text.encode("cp1252"))


def _owner_at(account: Account, cutoff: datetime) -> str:
    owner = account.owner_changes[0][1]
    for stamp, owner_id in account.owner_changes:
        if stamp <= cutoff:
            owner = owner_id
    return owner


def _erp_code_as_typed(account: Account) -> str:
    code = account.erp_code or ""
    return {
        None: code,
        "plain": code,
        "blank": "",
        "lower": code.lower(),
        "padded": f" {code}  ",
        "lower_padded": f"  {code.lower()} ",
    }[account.code_style]


def _account_rows(world: SampleWorld, cutoff: datetime) -> list[list[str]]:
    rows = []
    for a in world.accounts:
        if a.created > cutoff:
            continue
        customer = a.customer_since is not None and a.customer_since <= cutoff.date()
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
                _owner_at(a, cutoff),
                _sf_datetime(a.created),
                "false",
            ]
        )
    return sorted(rows)


def _user_rows(world: SampleWorld, cutoff: datetime) -> list[list[str]]:
    day = cutoff.date()
    return sorted(
        [
            u.id,
            u.username,
            u.email,
            u.first_name,
            u.last_name,
            _sf_bool(u.inactive_from is None or u.inactive_from > day),
            u.employee_number,
        ]
        for u in world.users
        if u.active_from <= day
    )


def _opportunity_rows(world: SampleWorld, cutoff: datetime) -> list[list[str]]:
    rows = []
    for o in world.opportunities:
        if o.created > cutoff:
            continue
        state, modified = o.state_at(cutoff)
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
                _sf_datetime(o.created),
                _sf_datetime(modified),
                o.type,
                o.lead_source,
                state["IsClosed"],
                state["IsWon"],
                state["IsDeleted"],
            ]
        )
    return sorted(rows)


def _split_rows(world: SampleWorld, cutoff: datetime) -> list[list[str]]:
    return sorted(
        [s.id, s.opportunity_id, s.owner_id, s.percentage, s.type_name]
        for s in world.splits
        if s.created <= cutoff
    )


def _task_rows(world: SampleWorld, cutoff: datetime) -> list[list[str]]:
    day = cutoff.date()
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
        if t.created <= cutoff
    )


def write_crm(world: SampleWorld, root: Path, period: str) -> None:
    cutoff = _cutoff(period)
    folder = root / "crm" / period
    builders: dict[str, Callable[[SampleWorld, datetime], list[list[str]]]] = {
        "Account": _account_rows,
        "User": _user_rows,
        "Opportunity": _opportunity_rows,
        "OpportunitySplit": _split_rows,
        "Task": _task_rows,
    }
    for name, build in builders.items():
        _write_crm(folder / f"{name}.csv", CRM_FIELDS[name], build(world, cutoff))


def write_erp(world: SampleWorld, root: Path, period: str) -> None:
    start, end = _month_start(period), _month_end(period)
    extracted = end + timedelta(days=EXTRACTION_LAG_DAYS)
    folder = root / "erp" / period
    clients = sorted(
        [c.code, c.name, c.siren, c.country, c.segment] for c in world.clients if c.created <= end
    )
    _write_erp(folder / "clients.csv", ERP_FIELDS["clients"], clients)
    invoices = []
    for d in world.documents:
        if start <= d.day <= end:
            paid = d.paid if d.paid is not None and d.paid <= extracted else None
            invoices.append(
                [
                    d.number,
                    d.type_piece,
                    _fr_date(d.day),
                    d.client.code,
                    d.ref,
                    _fr_decimal(d.amount),
                    d.currency,
                    _fr_date(d.due),
                    _fr_date(paid),
                ]
            )
    if world.duplicate_repeat is not None and _period_of(world.duplicate_repeat.day) == period:
        invoices.append(next(r for r in invoices if r[0] == world.duplicate_repeat.number))
    _write_erp(folder / "factures.csv", ERP_FIELDS["factures"], invoices)
    rates = [
        [_fr_date(day), currency, _fr_decimal(table[day], -table[day].as_tuple().exponent)]
        for currency, table in sorted(world.rates.items())
        for day in table
        if start <= day <= end
    ]
    rates.sort(key=lambda r: (r[0][6:] + r[0][3:5] + r[0][:2], r[1]))
    _write_erp(folder / "taux_change.csv", ERP_FIELDS["taux_change"], rates)


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
    rng = world.rng("learning", period)
    staff = [w for w in world.workers if w.employed_in(period) and w.team is not None]
    count = rng.randint(*LEARNING_PER_MONTH) * world.scale
    rows = []
    for worker in rng.sample(staff, min(count, len(staff))):
        title, hours = rng.choice(COURSES)
        hour = rng.choice(hours)
        last_day = min(_month_end(period), worker.termination_date or date.max)
        day = _random_business_day(rng, max(_month_start(period), worker.hire_date), last_day)
        rows.append([worker.employee_id, title, hour, day.isoformat(), DELIVERY_BY_HOURS[hour]])
    return sorted(rows, key=lambda r: (r[3], r[0]))


def write_hris(world: SampleWorld, root: Path, period: str) -> None:
    end = _month_end(period)
    entries = [
        _worker_entry(w, end)
        for w in sorted(world.workers, key=lambda w: w.employee_id)
        if w.hire_date <= end
    ]
    text = json.dumps({"Report_Entry": entries}, ensure_ascii=False, indent=2) + "\n"
    folder = root / "hris" / period
    _write(folder / "workers.json", text.encode("utf-8"))
    learning = _csv_text(
        [
            ("Employee_ID", "Course_Title", "Hours", "Completion_Date", "Delivery"),
            *_learning_rows(world, period),
        ],
        delimiter=",",
        quote_all=False,
        line_end="\n",
    )
    _write(folder / "learning.csv", learning.encode("utf-8"))


def _evaluation_rows(world: SampleWorld, period: str) -> list[list[str]]:
    rng = world.rng("evaluations", period)
    rows = []
    for worker in sorted(world.workers, key=lambda w: w.employee_id):
        role, _ = worker.role_on(_month_end(period))
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


def write_sales_ops_period(world: SampleWorld, root: Path, period: str) -> None:
    """Evaluations as Excel saves a "CSV UTF-8": BOM and CRLF."""
    text = _csv_text(
        [
            ("Employee_ID", "Periode", "Score_Qualitatif", "Evaluateur_ID", "Commentaire"),
            *_evaluation_rows(world, period),
        ],
        delimiter=",",
        quote_all=False,
        line_end="\r\n",
    )
    _write(root / "sales_ops" / period / "evaluations.csv", b"\xef\xbb\xbf" + text.encode())


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


def _individual_quota_rows(world: SampleWorld, year: int) -> list[list[object] | None]:
    """Rows by team and worker (None = a blank row left by an edit)."""
    rng = world.rng("quotas", year)
    rows: list[list[object] | None] = []
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    for team in world.teams:
        for worker in sorted(team.members, key=lambda w: w.employee_id):
            for month in months:
                value = world.quota(worker, month)
                if value is not None:
                    rows.append([_id_cell(rng, worker.employee_id), month, _quota_cell(rng, value)])
        if team.index in (2, 5):
            rows.append(None)
    return rows


def _team_quota_rows(world: SampleWorld, year: int) -> list[list[object] | None]:
    rng = world.rng("team-quotas", year)
    rows: list[list[object] | None] = []
    for month_number in range(1, 13):
        month = f"{year:04d}-{month_number:02d}"
        for team in world.teams:
            value = world.team_quota(team, month)
            if value is None:
                continue
            mois: object = month
            if month_number == 3:  # typed as a date once, as Excel does with 2026-03
                mois = datetime(year, month_number, 1)
            rows.append([_id_cell(rng, team.name), mois, _quota_cell(rng, value)])
        if month_number == 6:
            rows.append(None)
    return rows


NOTES = (
    "Objectifs commerciaux {year} - fichier tenu par Sales Ops",
    "Validés en comité de direction; toute modification passe par Sales Ops.",
    "Quota_EUR : objectif mensuel de prises de commandes en euros, hors taxes.",
    "Les nouveaux arrivants ont un objectif réduit les trois premiers mois (montée en charge).",
    "Quotas équipe = somme des quotas individuels arrondie au millier.",
    "Ne pas renommer les onglets ni les en-têtes de colonnes.",
)


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
        row_number = 1
        for row in rows:
            row_number += 1
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
    _write(
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


# =============================================================================================
# Entry points
# =============================================================================================

SYSTEM_DIRS = ("crm", "erp", "hris", "sales_ops")


def build_world(
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    first_period: str = DEFAULT_FIRST_PERIOD,
    last_period: str = DEFAULT_LAST_PERIOD,
) -> SampleWorld:
    """The invented company, its history and its scenarios, before anything is written."""
    return SampleWorld(seed, scale, first_period, last_period).build()


def generate_landing(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    first_period: str = DEFAULT_FIRST_PERIOD,
    last_period: str = DEFAULT_LAST_PERIOD,
) -> Path:
    """Write the monthly drops of every period into ``out_dir`` and return it.

    The system folders (crm, erp, hris, sales_ops) are replaced, so that a file of an older
    run never survives; anything else in ``out_dir`` is left alone.
    """
    world = build_world(seed=seed, scale=scale, first_period=first_period, last_period=last_period)
    return write_landing(world, out_dir)


def write_landing(world: SampleWorld, out_dir: Path) -> Path:
    """Write an already built world (see ``generate_landing``)."""
    out_dir = Path(out_dir)
    for system in SYSTEM_DIRS:
        if (out_dir / system).is_dir():
            shutil.rmtree(out_dir / system)
    for period in world.periods:
        write_crm(world, out_dir, period)
        write_erp(world, out_dir, period)
        write_hris(world, out_dir, period)
        write_sales_ops_period(world, out_dir, period)
    for year in sorted({int(p[:4]) for p in world.periods}):
        write_targets_workbook(world, out_dir, year)
    return out_dir


def scenario_table(world: SampleWorld) -> str:
    """The scenarios as the Markdown table of SCENARIOS.md."""
    lines = ["| # | who / what | ids | period | rule exercised |", "|---|---|---|---|---|"]
    for number, s in enumerate(world.scenarios, start=1):
        lines.append(f"| {number} | {s.what} | {s.ids} | {s.period} | {s.rule} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.sample.generate",
        description="Write the deterministic sample landing zone (CRM, ERP, HRIS, Sales Ops).",
    )
    parser.add_argument("out_dir", type=Path, help="landing root to write into")
    parser.add_argument("--scale", type=int, default=1, help="multiplies workers and deals")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--first-period", default=DEFAULT_FIRST_PERIOD)
    parser.add_argument("--last-period", default=DEFAULT_LAST_PERIOD)
    parser.add_argument(
        "--scenarios", action="store_true", help="also print the scenario table (Markdown)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = build_world(
        seed=args.seed,
        scale=args.scale,
        first_period=args.first_period,
        last_period=args.last_period,
    )
    out = write_landing(world, args.out_dir)
    files = [p for p in out.rglob("*") if p.is_file() and p.parts[len(out.parts)] in SYSTEM_DIRS]
    size = sum(p.stat().st_size for p in files)
    print(
        f"wrote {len(files)} files, {size / 1e6:.1f} MB, into {out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if args.scenarios:
        print(scenario_table(world))
    return 0


if __name__ == "__main__":
    sys.exit(main())
