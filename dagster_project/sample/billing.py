"""The ERP side of the company: customers known by a code, invoices (FA) spread over the
months after each win, credit notes (AV), and payments.

The pipeline reconciles CRM bookings with ERP invoices, so every won deal is billed in its
own currency and referenced by its opportunity id, except where the sample deliberately
leaves the reference blank, skips the invoice, or credits it back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .dates import month_start, on_or_after_business_day, period_of, periods_between
from .draws import random_business_day_in, weighted
from .formats import money
from .world import EXTRACTION_LAG_DAYS, Account

if TYPE_CHECKING:
    from .deals import Opportunity
    from .world import SampleWorld

INVOICE_SCHEDULES = (((40, 30, 30), 80), ((50, 50), 10), ((100,), 10))
PAYMENT_TERMS_DAYS = ((30, 60), (45, 30), (15, 10))  # ENTREPRISE; PARTICULIER pay at once
CREDIT_NOTE_SHARE = 0.06
BLANK_REF_SHARE = 0.04
STANDALONE_INVOICES_PER_MONTH = (2, 4)
STANDALONE_INVOICE_EUR = (150, 2500)
ERP_ONLY_CLIENTS = 10
BLANK_SIREN_SHARE = 0.06
ERP_CODE_STYLES = (("plain", 75), ("blank", 8), ("lower", 7), ("padded", 7), ("lower_padded", 3))


@dataclass(eq=False)
class ErpClient:
    code: str
    name: str
    siren: str
    country: str
    segment: str  # ENTREPRISE / PARTICULIER
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


# --- clients --------------------------------------------------------------------------------


def build_erp_clients(world: SampleWorld) -> None:
    """Accounts become customers on their first win; the ERP then knows them by a code.

    Codes are numbered in order of creation, ERP-only clients (never in the CRM) included;
    a duplicate CRM account shares the code of the account it duplicates.
    """
    _convert_prospects(world)
    rng = world.rng("erp-clients")
    for account in world.accounts:
        if account.customer_since and account.code_style is None:
            account.code_style = weighted(rng, ERP_CODE_STYLES)
    entries: list[tuple[date, str, Account | None, str]] = [
        (a.customer_since, a.id, a, "")
        for a in world.accounts
        if a.customer_since and a.twin_of is None
    ]
    for _ in range(ERP_ONLY_CLIENTS * world.scale):
        name = world.names.company(rng, "FR")
        created = world.history_start - timedelta(days=rng.randint(200, 3000))
        entries.append((created, "", None, name))
    entries.sort(key=lambda e: (e[0], e[1], e[3]))
    by_account: dict[str, ErpClient] = {}
    for number, (created, _, account, name) in enumerate(entries, start=1):
        client = _new_client(world, rng, f"C{10000 + number:06d}", created, account, name)
        if account:
            account.erp_code = client.code
            by_account[account.id] = client
    for account in world.accounts:
        original = account.twin_of or account
        if original.id in by_account:
            account.erp_code = original.erp_code
            world.client_of[account.id] = by_account[original.id]


def _convert_prospects(world: SampleWorld) -> None:
    """A prospect becomes a customer on the day of its first win."""
    for opp in world.opportunities:
        account, billing = opp.account, opp.billing
        if billing is None or account.initial_type != "Prospect":
            continue
        if account.customer_since is None or billing.won_on < account.customer_since:
            account.customer_since = billing.won_on


def _new_client(
    world: SampleWorld,
    rng: random.Random,
    code: str,
    created: date,
    account: Account | None,
    name: str,
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
        terms_days=0 if private else weighted(rng, PAYMENT_TERMS_DAYS),
    )
    world.clients.append(client)
    return client


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


# --- invoices and credit notes --------------------------------------------------------------


def build_documents(world: SampleWorld) -> None:
    """Invoices of won deals and service fees, numbered as the ERP does, up to the day the
    last drop is extracted; one invoice of the last period is exported twice."""
    rng = world.rng("documents")
    documents: list[Document] = []
    for opp in world.opportunities:
        if opp.billing is not None and opp.billing.mode != "none":
            documents += _bill(rng, opp, world.client_of[opp.account.id])
    documents += _standalone_invoices(world, rng)
    horizon = world.end + timedelta(days=EXTRACTION_LAG_DAYS)
    world.documents = _numbered([d for d in documents if d.day <= horizon])
    last_docs = [
        d
        for d in world.documents
        if period_of(d.day) == world.last and d.type_piece == "FA" and d.ref
    ]
    world.duplicate_repeat = last_docs[len(last_docs) // 2]
    world.record_scenario(
        "ERP re-export repeats an identical invoice line",
        world.duplicate_repeat.number,
        world.last,
        "identical repeated line dropped and reported, not a block",
    )


def _document(
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
    return Document(type_piece, day, client, ref, amount, currency, due, paid, order)


def _bill(rng: random.Random, opp: Opportunity, client: ErpClient) -> list[Document]:
    """Invoices spread over the following months; credit notes for cancellations."""
    billing = opp.billing
    assert billing
    private = client.segment == "PARTICULIER"
    schedule: tuple[int, ...] = (100,) if private else weighted(rng, INVOICE_SCHEDULES)
    if billing.mode == "cancelled":
        schedule = schedule[:1]
    day = on_or_after_business_day(
        billing.won_on + timedelta(days=0 if private else rng.randint(2, 14))
    )
    documents: list[Document] = []
    first_day, remaining = day, billing.amount
    for index, pct in enumerate(schedule):
        last = index == len(schedule) - 1 and billing.mode != "cancelled"
        amount = remaining if last else money(billing.amount * pct / 100)
        remaining -= amount
        ref = "" if rng.random() < BLANK_REF_SHARE else opp.id
        documents.append(
            _document(rng, "FA", day, client, ref, amount, billing.currency, (opp.id, index))
        )
        day = on_or_after_business_day(day + timedelta(days=rng.randint(28, 33)))
    credit: tuple[date, Decimal, str] | None = None
    if billing.mode == "cancelled" and billing.change_on:  # invoiced once, credited back
        credit = (billing.change_on + timedelta(days=2), documents[0].amount, opp.id)
    elif billing.mode == "resized" and billing.change_on and billing.new_amount is not None:
        credit = (
            billing.change_on + timedelta(days=3),
            billing.amount - billing.new_amount,
            opp.id,
        )
    elif not private and opp.generic and rng.random() < CREDIT_NOTE_SHARE:
        gesture = money(billing.amount * rng.randint(5, 15) / 100)
        ref = opp.id if rng.random() < 0.8 else ""
        credit = (first_day + timedelta(days=rng.randint(10, 40)), gesture, ref)
    if credit is not None:
        credit_day, amount, ref = credit
        documents.append(
            _document(
                rng,
                "AV",
                on_or_after_business_day(credit_day),
                client,
                ref,
                amount,
                billing.currency,
                (opp.id, 90),
            )
        )
    return documents


def _standalone_invoices(world: SampleWorld, rng: random.Random) -> list[Document]:
    """Service fees with no deal behind them: invoices without an opportunity reference."""
    documents = []
    for month in periods_between(world.history_first, world.last):
        start = month_start(month)
        clients = [c for c in world.clients if c.created <= start and c.segment == "ENTREPRISE"]
        for n in range(rng.randint(*STANDALONE_INVOICES_PER_MONTH) * world.scale):
            client = rng.choice(clients)
            day = random_business_day_in(rng, month)
            amount = money(rng.randrange(*STANDALONE_INVOICE_EUR, 5))
            documents.append(_document(rng, "FA", day, client, "", amount, "EUR", (f"~{month}", n)))
    return documents


def _numbered(documents: list[Document]) -> list[Document]:
    """ERP numbering: one sequence per document type and year, in date order."""
    documents.sort(key=lambda d: (d.day, d.type_piece, d.order))
    counters: dict[tuple[str, int], int] = {}
    for doc in documents:
        key = (doc.type_piece, doc.day.year)
        counters[key] = counters.get(key, 0) + 1
        doc.number = f"{doc.type_piece}{doc.day.year}-{counters[key]:06d}"
    return documents


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
