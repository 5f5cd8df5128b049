"""The French ERP export of one period: clients, the month's invoices and credit notes, and
the month's exchange rates.

The dialect is the ERP's own: Windows-1252 (é 0xE9, ’ 0x92, œ 0x9C), ``;``, LF, decimal
commas and ``DD/MM/YYYY``. Payments appear only once made by the extraction day, and one
invoice line of the last period is exported twice, as a real re-export did.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import month_end, month_start, period_of
from .files import CsvDialect, write_csv
from .formats import fr_date, fr_decimal
from .world import EXTRACTION_LAG_DAYS

if TYPE_CHECKING:
    from .world import SampleWorld

FRENCH_ERP_CSV = CsvDialect(delimiter=";", encoding="cp1252")

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


def write_erp(world: SampleWorld, root: Path, period: str) -> None:
    """``erp/<period>/{clients,factures,taux_change}.csv``."""
    start, end = month_start(period), month_end(period)
    extracted = end + timedelta(days=EXTRACTION_LAG_DAYS)
    folder = root / "erp" / period
    clients = sorted(
        [c.code, c.name, c.siren, c.country, c.segment] for c in world.clients if c.created <= end
    )
    write_csv(folder / "clients.csv", ERP_FIELDS["clients"], clients, FRENCH_ERP_CSV)
    invoices = []
    for d in world.documents:
        if start <= d.day <= end:
            paid = d.paid if d.paid is not None and d.paid <= extracted else None
            invoices.append(
                [
                    d.number,
                    d.type_piece,
                    fr_date(d.day),
                    d.client.code,
                    d.ref,
                    fr_decimal(d.amount),
                    d.currency,
                    fr_date(d.due),
                    fr_date(paid),
                ]
            )
    if world.duplicate_repeat is not None and period_of(world.duplicate_repeat.day) == period:
        invoices.append(next(r for r in invoices if r[0] == world.duplicate_repeat.number))
    write_csv(folder / "factures.csv", ERP_FIELDS["factures"], invoices, FRENCH_ERP_CSV)
    rates = [
        [fr_date(day), currency, fr_decimal(table[day], -table[day].as_tuple().exponent)]
        for currency, table in sorted(world.rates.items())
        for day in table
        if start <= day <= end
    ]
    rates.sort(key=lambda r: (r[0][6:] + r[0][3:5] + r[0][:2], r[1]))
    write_csv(folder / "taux_change.csv", ERP_FIELDS["taux_change"], rates, FRENCH_ERP_CSV)
