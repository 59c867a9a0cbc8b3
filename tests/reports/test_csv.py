"""The CSV deliverable: a zip of UTF-8 CSV files (with a byte order mark, for Excel), one per
sheet of the workbook, holding the same tables (without the workbook's totals); amounts as
numbers beside their currency; no internal id, no formula, no cell over Excel's limit."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest

from jalon.reports import to_csv, to_xlsx
from jalon.reports.cells import MAX_CELL
from jalon.reports.document import Document
from jalon.reports.selectors import plan_document

from .test_docx import (
    FORMULAS,
    HOSTILE_RECORDS,
    answer_lines,
    demo_documents,
    hand_document,
    missing_seed_items,
    not_found,
    worksheet_lines,
)
from .test_xlsx import MIXED_FUNDING, expected_totals, is_total, questions, workbook


@pytest.fixture
def demo(db):
    return demo_documents()


def read_zip(data: bytes, language: str = "fr") -> dict[str, list[list[str]]]:
    """Each CSV file's rows; every file must start with a byte order mark."""
    tables = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name
            text = raw.decode("utf-8-sig")
            delimiter = ";" if language == "fr" else ","
            tables[name] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return tables


def all_text(tables: dict[str, list[list[str]]]) -> str:
    return "\n".join(cell for rows in tables.values() for row in rows for cell in row)


def step_answers(tables: dict[str, list[list[str]]], document: Document) -> dict[str, str]:
    """Item id → answer, over every step's file (question, then answer: no item ids)."""
    by_question = {
        row[2]: row[3]
        for name, rows in tables.items()
        if "-etape-" in name or "-step-" in name
        for row in rows[1:]
    }
    return {item: by_question.get(question, "") for item, question in questions(document).items()}


def test_csv_holds_every_seed_item_and_every_answer_of_the_demo_in_french(demo):
    text = all_text(read_zip(to_csv.build(demo["fr"])))
    assert missing_seed_items(text) == []
    assert not_found(answer_lines(demo["fr"], typed_cells=False), text) == []


def test_csv_in_english_holds_every_question_option_and_answer_in_english(demo):
    tables = read_zip(to_csv.build(demo["en"]), "en")
    text = all_text(tables)
    assert not_found(worksheet_lines(demo["en"]), text) == []
    assert not_found(answer_lines(demo["en"], typed_cells=False), text) == []
    indicators = next(rows for name, rows in tables.items() if name.endswith("-indicators.csv"))
    # name, family, definition, unit, reference code, SDG target, then the baseline value
    assert [row[6] for row in indicators[1:]] == ["34", "46", "58", "9.5", "143", "68000"]


def test_csv_has_a_file_per_sheet_of_the_workbook_with_the_same_rows(demo):
    tables = read_zip(to_csv.build(demo["fr"]))
    book = workbook(to_xlsx.build(demo["fr"]))
    # Every sheet but the summary, which is a page to read, not data (its figures are sums of
    # the lists' rows).
    assert book.sheetnames[0] == "Synthèse"
    assert len(tables) == len(book.sheetnames) - 1
    names = list(tables)
    assert names[:3] == [
        "00-sommaire.csv",
        "01-etape-1.csv",
        "02-1-2-groupes-sociaux-et-quartiers-sans-acces-au-service.csv",
    ]
    assert all(name.isascii() for name in names)
    for name, sheet in zip(names[1:], book.worksheets[2:], strict=True):
        assert tables[name][0] == [cell.value for cell in sheet[1]]
        totals = sum(1 for row in sheet.iter_rows(min_row=2) if is_total(row))
        assert len(tables[name]) == sheet.max_row - totals  # the records, not the totals
    # French Excel's conventions: semicolons, decimal commas; a list's answer names its file.
    indicators = tables["15-6-1-indicateurs.csv"]
    assert [row[6] for row in indicators[1:]] == ["34", "46", "58", "9,5", "143", "68000"]
    assert indicators[1][7] == "2026-06-30"
    programmes = tables["05-2-1-programmes-concours-et-appels-a-projets.csv"]
    assert programmes[0][4:6] == ["Montant mobilisable", "Devise"]
    assert programmes[1][4:6] == ["25000000", "XOF"]
    answers = step_answers(tables, demo["fr"])
    assert (
        answers["indicators"]
        == "6\u00a0enregistrements\u00a0: voir «\u00a015-6-1-indicateurs.csv\u00a0»"
    )


def test_csv_makes_no_formula_of_what_a_person_typed():
    document = hand_document(FORMULAS, HOSTILE_RECORDS)
    tables = read_zip(to_csv.build(document))
    answers = step_answers(tables, document)
    for item_id, typed in FORMULAS.items():
        assert answers[item_id] == "'" + typed
    indicators = tables["15-6-1-indicateurs.csv"]
    assert indicators[1][0] == "'=cmd|' /C calc'!A0"
    assert indicators[1][6] == "-5"  # a number field's negative number stays a number
    assert tables["05-2-1-programmes-concours-et-appels-a-projets.csv"][1][0] == "'@Programme"
    # Nothing else starts like a formula either.
    starts = ("=", "+", "-", "@", "\t", "\r")
    cells = [cell for rows in tables.values() for row in rows for cell in row]
    assert [c for c in cells if c.startswith(starts)] == ["-5"]


def test_csv_cuts_a_cell_over_32767_characters_with_a_visible_note():
    document = hand_document({"competences": "a" * 50_000})
    answers = step_answers(read_zip(to_csv.build(document)), document)
    assert len(answers["competences"]) == MAX_CELL
    assert answers["competences"].endswith("[texte tronqué\u00a0: 50000 caractères au total]")


def test_csv_of_an_empty_plan_builds_and_is_the_same_bytes_each_time(plan):
    document = plan_document(plan, "fr")
    data = to_csv.build(document)
    assert data == to_csv.build(document)
    tables = read_zip(data)
    assert missing_seed_items(all_text(tables)) == []
    assert tables["15-6-1-indicateurs.csv"][1:] == []


def csv_number(text: str, language: str) -> Decimal:
    """A number as the file's language writes it; a text raises, as a spreadsheet would see
    it as text."""
    return Decimal(text.replace(",", ".") if language == "fr" else text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_csv_amounts_are_plain_numbers_beside_their_currency_and_sum_per_currency(language):
    document = hand_document(records={"funding_programmes": MIXED_FUNDING}, language=language)
    tables = read_zip(to_csv.build(document), language)
    rows = next(rows for name, rows in tables.items() if name.startswith("05-2-1-"))
    label = "Montant mobilisable" if language == "fr" else "Amount available"
    amount = rows[0].index(label)
    assert rows[0][amount + 1] == ("Devise" if language == "fr" else "Currency")
    records = rows[1:]
    assert len(records) == len(MIXED_FUNDING)  # no total rows among the data
    sums: dict[str, Decimal] = {}
    for row in records:
        if row[amount] == "":  # a programme without an amount: both cells empty
            assert row[amount + 1] == ""
            continue
        assert re.fullmatch(r"-?\d+([.,]\d+)?", row[amount]), row[amount]
        assert re.fullmatch(r"[A-Z]{3}", row[amount + 1])
        currency = row[amount + 1]
        sums[currency] = sums.get(currency, Decimal(0)) + csv_number(row[amount], language)
    assert sums == expected_totals(document, "funding_programmes", label)
    # French decimal comma, English decimal point: what each language's spreadsheet reads.
    cents = next(
        row[amount] for row in records if row[amount + 1] == "EUR" and row[amount] != "30000"
    )
    assert cents == ("120000,50" if language == "fr" else "120000.50")


def test_csv_shows_no_internal_id(demo):
    tables = read_zip(to_csv.build(demo["fr"]))
    step = tables["01-etape-1.csv"]
    assert step[0] == ["Étape", "Section", "Question", "Réponse", "Options proposées (☒ = choisie)"]
    cells = {cell for rows in tables.values() for row in rows for cell in row}
    assert not {"orientation", "funding_programmes_text", "excluded_groups"} & cells
    assert not [cell for cell in cells if "funding_programmes" in cell]
