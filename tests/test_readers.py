"""Readers on the quirks of each source format, and on bad files.

Each test writes the bytes a source system would send (or a broken variant) and asserts what
a user would see: typed values, quarantined rows with reasons, or an error that names the
file and the problem. No Dagster, dbt or GX here: these run in well under a second each.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.errors import SourceFileError
from dagster_project.ingest.loader import read_source_file

PERIOD = "2026-10"

OPPORTUNITY_HEADER = [
    "Id", "AccountId", "OwnerId", "Name", "StageName", "Amount", "CurrencyIsoCode",
    "Probability", "CloseDate", "CreatedDate", "LastModifiedDate", "Type", "LeadSource",
    "IsClosed", "IsWon", "IsDeleted",
]  # fmt: skip
FACTURES_HEADER = (
    "num_piece;type_piece;date_piece;code_client;ref_opportunite;montant_ht;devise;"
    "date_echeance;date_reglement"
)


def salesforce_csv(header: list[str], rows: list[list[str]], *, bom: bool = True) -> bytes:
    """Bytes as a Salesforce Data Export writes them: BOM, all quoted, CRLF."""
    lines = [",".join(f'"{v}"' for v in line) for line in [header, *rows]]
    return (b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def opportunity_row(opp_id: str = "006000000000000001", **overrides: str) -> list[str]:
    row = dict(
        Id=opp_id,
        AccountId="001000000000000001",
        OwnerId="005000000000000001",
        Name="Renouvellement licences",
        StageName="Closed Won",
        Amount="12500.50",
        CurrencyIsoCode="USD",
        Probability="100",
        CloseDate="2026-10-17",
        CreatedDate="2026-08-03T14:22:10.000Z",
        LastModifiedDate="2026-10-17T09:00:00.000Z",
        Type="New Business",
        LeadSource="Web",
        IsClosed="true",
        IsWon="true",
        IsDeleted="false",
    )
    row.update(overrides)
    return [row[name] for name in OPPORTUNITY_HEADER]


def write(landing: Path, relative: str, data: bytes) -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read(landing: Path, source: str):
    return read_source_file(SOURCES_BY_NAME[source], landing, PERIOD)


# --- CRM: Salesforce CSV ------------------------------------------------------------------


def test_salesforce_csv_with_bom_crlf_and_quotes_is_typed(tmp_path: Path) -> None:
    rows = [
        opportunity_row(),
        opportunity_row(
            "006000000000000002", Amount="", IsWon="false", StageName="Proposal", IsClosed="false"
        ),
    ]
    write(tmp_path, "crm/2026-10/Opportunity.csv", salesforce_csv(OPPORTUNITY_HEADER, rows))
    typed, summary = read(tmp_path, "crm__opportunity")
    table = typed.rows.to_pylist()
    assert [r["Id"] for r in table] == ["006000000000000001", "006000000000000002"]
    won, open_deal = table
    assert won["Amount"] == Decimal("12500.50")
    assert won["IsWon"] is True and open_deal["IsWon"] is False
    assert won["CloseDate"] == dt.date(2026, 10, 17)
    assert won["CreatedDate"] == dt.datetime(2026, 8, 3, 14, 22, 10)
    assert open_deal["Amount"] is None  # blank on an open deal is allowed, not quarantined
    assert [r["_source_row"] for r in table] == [2, 3]  # file lines: header is line 1
    assert (summary.records_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)


def test_salesforce_csv_without_bom_reads_the_same(tmp_path: Path) -> None:
    write(
        tmp_path,
        "crm/2026-10/Opportunity.csv",
        salesforce_csv(OPPORTUNITY_HEADER, [opportunity_row()], bom=False),
    )
    typed, _ = read(tmp_path, "crm__opportunity")
    assert typed.rows.column("Id").to_pylist() == ["006000000000000001"]


def test_bad_values_are_quarantined_with_the_field_and_expected_format(tmp_path: Path) -> None:
    rows = [
        opportunity_row(),
        opportunity_row("006000000000000002", Amount="douze mille"),
        opportunity_row("006000000000000003", CloseDate="2026-02-31", IsWon="yes"),
    ]
    write(tmp_path, "crm/2026-10/Opportunity.csv", salesforce_csv(OPPORTUNITY_HEADER, rows))
    typed, summary = read(tmp_path, "crm__opportunity")
    assert typed.rows.column("Id").to_pylist() == ["006000000000000001"]
    reasons = dict(
        zip(
            typed.quarantine.column("_source_row").to_pylist(),
            typed.quarantine.column("reason").to_pylist(),
            strict=True,
        )
    )
    assert reasons[3] == "Amount: expected a number with a decimal point and at most 2 decimals"
    assert "CloseDate: expected a date YYYY-MM-DD" in reasons[4]
    assert "IsWon: expected true or false" in reasons[4]
    # Reasons never carry the value itself (it may be personal data).
    assert all("douze" not in r for r in reasons.values())
    # The delivered strings are kept in the quarantine record, for the person who fixes it.
    assert json.loads(typed.quarantine.column("record").to_pylist()[0])["Amount"] == "douze mille"
    assert summary.records_read == summary.rows_loaded + summary.rows_quarantined == 3


def test_a_row_with_too_many_fields_is_quarantined(tmp_path: Path) -> None:
    rows = [opportunity_row(), [*opportunity_row("006000000000000002"), "extra"]]
    write(tmp_path, "crm/2026-10/Opportunity.csv", salesforce_csv(OPPORTUNITY_HEADER, rows))
    typed, _ = read(tmp_path, "crm__opportunity")
    assert typed.quarantine.column("reason").to_pylist() == ["expected 16 fields, found 17"]


def test_a_missing_required_value_is_quarantined(tmp_path: Path) -> None:
    rows = [opportunity_row(IsDeleted="")]
    write(tmp_path, "crm/2026-10/Opportunity.csv", salesforce_csv(OPPORTUNITY_HEADER, rows))
    typed, _ = read(tmp_path, "crm__opportunity")
    assert typed.rows.num_rows == 0
    assert typed.quarantine.column("reason").to_pylist() == ["IsDeleted: missing value"]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ([h for h in OPPORTUNITY_HEADER if h != "CloseDate"], "missing column(s) CloseDate"),
        ([*OPPORTUNITY_HEADER, "Forecast__c"], "unexpected column(s) Forecast__c"),
        (
            ["Close_Date" if h == "CloseDate" else h for h in OPPORTUNITY_HEADER],
            "missing column(s) CloseDate; unexpected column(s) Close_Date",
        ),
    ],
    ids=["missing", "extra", "renamed"],
)
def test_a_wrongly_shaped_header_names_the_file_and_the_columns(
    tmp_path: Path, header: list[str], problem: str
) -> None:
    rows = [opportunity_row()[: len(header)] + [""] * max(0, len(header) - 16)]
    write(tmp_path, "crm/2026-10/Opportunity.csv", salesforce_csv(header, rows))
    with pytest.raises(SourceFileError) as error:
        read(tmp_path, "crm__opportunity")
    assert str(error.value) == f"crm/2026-10/Opportunity.csv: {problem}"


def test_a_cp1252_crm_file_is_refused_with_the_line(tmp_path: Path) -> None:
    data = salesforce_csv(OPPORTUNITY_HEADER, [opportunity_row(Name="Résiliation")], bom=False)
    write(tmp_path, "crm/2026-10/Opportunity.csv", data.decode().encode("cp1252"))
    with pytest.raises(SourceFileError) as error:
        read(tmp_path, "crm__opportunity")
    assert (
        str(error.value) == "crm/2026-10/Opportunity.csv: is not valid UTF-8 at line 2 (byte 0xE9)"
    )


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\r\n  \r\n"], ids=["0 bytes", "bom", "blank"]
)
def test_an_empty_file_is_an_error_not_an_empty_table(tmp_path: Path, content: bytes) -> None:
    write(tmp_path, "crm/2026-10/Opportunity.csv", content)
    with pytest.raises(SourceFileError, match=r"^crm/2026-10/Opportunity.csv: file is empty$"):
        read(tmp_path, "crm__opportunity")


def test_a_header_only_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "crm/2026-10/Opportunity.csv", salesforce_csv(OPPORTUNITY_HEADER, []))
    with pytest.raises(SourceFileError, match=r"Opportunity\.csv: has a header but no data rows"):
        read(tmp_path, "crm__opportunity")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match=r"^crm/2026-10/Opportunity.csv: file is missing$"):
        read(tmp_path, "crm__opportunity")


def test_a_wrong_separator_is_explained(tmp_path: Path) -> None:
    data = salesforce_csv(OPPORTUNITY_HEADER, [opportunity_row()]).replace(b'","', b'";"')
    write(tmp_path, "crm/2026-10/Opportunity.csv", data)
    with pytest.raises(SourceFileError, match="the separator must be ','"):
        read(tmp_path, "crm__opportunity")


# --- ERP: cp1252, `;`, decimal comma, DD/MM/YYYY -------------------------------------------


def erp_bytes(text: str) -> bytes:
    return text.encode("cp1252")


def test_erp_invoices_cp1252_decimal_comma_and_french_dates(tmp_path: Path) -> None:
    text = (
        FACTURES_HEADER + "\n"
        "FA2026-0001;FA;03/10/2026;C0042;006000000000000001;12345,67;EUR;02/11/2026;\n"
        "AV2026-0002;AV;15/10/2026;C0042;;250,5;USD;14/11/2026;20/11/2026\n"
    )
    write(tmp_path, "erp/2026-10/factures.csv", erp_bytes(text))
    typed, _ = read(tmp_path, "erp__facture")
    invoice, credit_note = typed.rows.to_pylist()
    assert invoice["montant_ht"] == Decimal("12345.67")
    assert invoice["date_piece"] == dt.date(2026, 10, 3)
    assert invoice["date_reglement"] is None  # unpaid
    assert credit_note["type_piece"] == "AV" and credit_note["montant_ht"] == Decimal("250.50")
    assert credit_note["ref_opportunite"] is None


def test_erp_clients_keep_cp1252_characters_that_latin1_would_garble(tmp_path: Path) -> None:
    text = (
        "code_client;raison_sociale;siren;pays;segment\n"
        "C0001;Société Générale d’Équipement;552120222;FR;ENTREPRISE\n"
        "C0002;Cœur de Loire SARL;;FR;ENTREPRISE\n"
    )
    write(tmp_path, "erp/2026-10/clients.csv", erp_bytes(text))
    typed, _ = read(tmp_path, "erp__client")
    names = typed.rows.column("raison_sociale").to_pylist()
    assert names == ["Société Générale d’Équipement", "Cœur de Loire SARL"]
    assert typed.rows.column("siren").to_pylist() == ["552120222", None]


def test_a_utf8_erp_file_is_refused_not_garbled(tmp_path: Path) -> None:
    text = "code_client;raison_sociale;siren;pays;segment\nC0001;Société;;FR;ENTREPRISE\n"
    write(tmp_path, "erp/2026-10/clients.csv", text.encode("utf-8"))
    with pytest.raises(SourceFileError) as error:
        read(tmp_path, "erp__client")
    assert str(error.value) == (
        "erp/2026-10/clients.csv: is encoded in UTF-8; the ERP export must be Windows-1252 (cp1252)"
    )


def test_erp_dot_decimal_and_impossible_date_are_quarantined(tmp_path: Path) -> None:
    text = (
        FACTURES_HEADER + "\n"
        "FA1;FA;03/10/2026;C1;;100,00;EUR;;\n"
        "FA2;FA;31/02/2026;C1;;100.00;EUR;;\n"
    )
    write(tmp_path, "erp/2026-10/factures.csv", erp_bytes(text))
    typed, summary = read(tmp_path, "erp__facture")
    assert typed.rows.column("num_piece").to_pylist() == ["FA1"]
    assert typed.quarantine.column("reason").to_pylist() == [
        "date_piece: expected a date DD/MM/YYYY; "
        "montant_ht: expected a number with a decimal comma and at most 2 decimals"
    ]
    # Amounts tie: what was read = what was loaded + what was quarantined.
    assert summary.records_read == 2 and summary.rows_loaded + summary.rows_quarantined == 2


def test_fx_rates_keep_six_decimals(tmp_path: Path) -> None:
    text = "date;devise;taux\n02/10/2026;USD;1,0823\n02/10/2026;JPY;162,731234\n"
    write(tmp_path, "erp/2026-10/taux_change.csv", erp_bytes(text))
    typed, _ = read(tmp_path, "erp__taux_change")
    assert typed.rows.column("taux").to_pylist() == [Decimal("1.082300"), Decimal("162.731234")]


# --- HRIS: Workday JSON -------------------------------------------------------------------


def workers_json(entries: object) -> bytes:
    return json.dumps({"Report_Entry": entries}, ensure_ascii=False).encode("utf-8")


def test_workday_strings_nulls_and_missing_keys(tmp_path: Path) -> None:
    entries = [
        {
            "Employee_ID": "E1001",
            "Legal_Name": "Camille Martin",
            "Sales_Role": "Hunter",
            "Hire_Date": "2024-03-01",
            "FTE": "0.8",
            "Annual_Target_Variable": "24000",
            "Currency": "EUR",
            "Termination_Date": None,
        },
        {"Employee_ID": "E1002", "FTE": "1"},  # everything else absent
    ]
    write(tmp_path, "hris/2026-10/workers.json", workers_json(entries))
    typed, _ = read(tmp_path, "hris__worker")
    first, second = typed.rows.to_pylist()
    assert first["FTE"] == Decimal("0.8000") and first["Hire_Date"] == dt.date(2024, 3, 1)
    assert first["Annual_Target_Variable"] == Decimal("24000.00")
    assert first["Termination_Date"] is None
    assert second["Sales_Role"] is None and second["_source_row"] == 2


def test_workday_values_not_sent_as_strings_are_quarantined(tmp_path: Path) -> None:
    entries = [{"Employee_ID": "E1001", "FTE": 1}, {"FTE": "1"}, "E1003"]
    write(tmp_path, "hris/2026-10/workers.json", workers_json(entries))
    typed, summary = read(tmp_path, "hris__worker")
    assert typed.rows.num_rows == 0
    assert typed.quarantine.column("reason").to_pylist() == [
        "value(s) not sent as strings: FTE",
        "Employee_ID: missing value",
        "entry is not an object",
    ]
    assert summary.records_read == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"Report_Entry": [{"Employee_ID": "E1"', "is not valid JSON at line 1, column"),
        (b'[{"Employee_ID": "E1"}]', 'is not a Workday report: expected {"Report_Entry": [...]}'),
        (
            b'{"Report_Entry": [{"Employee_ID": "E1", "Salary": "1"}]}',
            "Report_Entry 1 has unexpected field(s) Salary",
        ),
    ],
    ids=["truncated", "not an object", "unexpected field"],
)
def test_bad_workday_json_names_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    write(tmp_path, "hris/2026-10/workers.json", content)
    with pytest.raises(SourceFileError) as error:
        read(tmp_path, "hris__worker")
    assert str(error.value).startswith(f"hris/2026-10/workers.json: {problem}")


# --- Sales Ops: the hand-edited workbook --------------------------------------------------


def targets_workbook(
    path: Path,
    individual_rows: list[list],
    *,
    sheet: str = "Quotas_Individuels",
    header: list | None = None,
) -> None:
    workbook = Workbook()
    first = workbook.active
    first.title = sheet
    first.append(header or ["Employee_ID", "Mois", "Quota_EUR"])
    for row in individual_rows:
        first.append(row)
    team = workbook.create_sheet("Quotas_Equipe")
    team.append(["Equipe", "Mois", "Quota_EUR"])
    team.append(["Team Lyon PME ", "2026-10", 150000])
    notes = workbook.create_sheet("Notes")
    notes.append(["Quotas revus en comité le 12/01"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def test_workbook_blank_rows_text_numbers_trailing_spaces_and_date_months(tmp_path: Path) -> None:
    targets_workbook(
        tmp_path / "sales_ops/2026/objectifs_2026.xlsx",
        [
            ["E1001 ", "2026-10", "45000 "],
            [None, None, None],
            ["E1002", dt.datetime(2026, 10, 1), 38000.5],
            ["", "   ", None],
            ["E1003", "2026-10", "12 500,00"],
            ["E1004", "2026-10", "=B2*2"],  # a formula never computed: no cached value
        ],
    )
    typed, summary = read(tmp_path, "sales_ops__individual_quota")
    rows = typed.rows.to_pylist()
    assert [(r["Employee_ID"], r["Mois"], r["Quota_EUR"]) for r in rows] == [
        ("E1001", "2026-10", Decimal("45000.00")),
        ("E1002", "2026-10", Decimal("38000.50")),
        ("E1003", "2026-10", Decimal("12500.00")),
    ]
    assert [r["_source_row"] for r in rows] == [2, 4, 6]  # the sheet's own row numbers
    assert summary.blank_rows_skipped == 2
    assert typed.quarantine.column("reason").to_pylist() == ["Quota_EUR: missing value"]
    team, _ = read(tmp_path, "sales_ops__team_quota")
    assert team.rows.column("Equipe").to_pylist() == ["Team Lyon PME"]


def test_the_workbook_is_parsed_once_for_both_sheets(tmp_path: Path, monkeypatch) -> None:
    import openpyxl

    parses, load_workbook = [], openpyxl.load_workbook

    def counted(*args, **kwargs):
        parses.append(args)
        return load_workbook(*args, **kwargs)

    monkeypatch.setattr("openpyxl.load_workbook", counted)
    path = tmp_path / "sales_ops/2026/objectifs_2026.xlsx"
    targets_workbook(path, [["E1001", "2026-10", 45000]])
    individual, _ = read(tmp_path, "sales_ops__individual_quota")
    team, _ = read(tmp_path, "sales_ops__team_quota")
    assert len(parses) == 1
    assert individual.rows.column("Employee_ID").to_pylist() == ["E1001"]
    assert team.rows.column("Equipe").to_pylist() == ["Team Lyon PME"]
    # the same sheet read again (a re-run), then a changed file: each is parsed again
    again, _ = read(tmp_path, "sales_ops__individual_quota")
    assert again.rows.equals(individual.rows) and len(parses) == 2
    targets_workbook(path, [["E2002", "2026-10", 1]])
    changed, _ = read(tmp_path, "sales_ops__individual_quota")
    assert changed.rows.column("Employee_ID").to_pylist() == ["E2002"] and len(parses) == 3


def test_a_renamed_sheet_names_the_sheet(tmp_path: Path) -> None:
    targets_workbook(
        tmp_path / "sales_ops/2026/objectifs_2026.xlsx",
        [["E1", "2026-10", 1]],
        sheet="Quotas individuels",
    )
    with pytest.raises(SourceFileError) as error:
        read(tmp_path, "sales_ops__individual_quota")
    assert str(error.value) == (
        "sales_ops/2026/objectifs_2026.xlsx: sheet Quotas_Individuels is missing "
        "(sheets found: Quotas individuels, Quotas_Equipe, Notes)"
    )


def test_a_merged_header_is_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sales_ops/2026/objectifs_2026.xlsx"
    targets_workbook(path, [["E1", "2026-10", 1]], header=["Employee_ID", "Mois / Quota_EUR"])
    with pytest.raises(SourceFileError, match="sheet Quotas_Individuels: missing column"):
        read(tmp_path, "sales_ops__individual_quota")


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    write(tmp_path, "sales_ops/2026/objectifs_2026.xlsx", b"Employee_ID;Mois;Quota_EUR\n")
    with pytest.raises(SourceFileError, match=r"objectifs_2026\.xlsx: is not a readable \.xlsx"):
        read(tmp_path, "sales_ops__individual_quota")
