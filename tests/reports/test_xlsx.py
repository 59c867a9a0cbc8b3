"""The XLSX deliverable, read back with openpyxl: a sheet per step and per list, the whole
worksheet and every answer, numbers kept as numbers, no formula, no cell over Excel's limit."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from jalon.reports import to_xlsx
from jalon.reports.cells import MAX_CELL, cell_text
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


@pytest.fixture
def demo(db):
    return demo_documents()


def workbook(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def workbook_text(book: Workbook) -> str:
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def column(sheet, title: str) -> list[Any]:
    header = [cell.value for cell in sheet[1]]
    index = header.index(title)
    return [row[index].value for row in sheet.iter_rows(min_row=2)]


def test_xlsx_holds_every_seed_item_and_every_answer_of_the_demo_in_french(demo):
    text = workbook_text(workbook(to_xlsx.build(demo["fr"])))
    assert missing_seed_items(text) == []
    assert not_found(answer_lines(demo["fr"], typed_cells=False), text) == []


def test_xlsx_in_english_holds_every_question_option_and_answer_in_english(demo):
    text = workbook_text(workbook(to_xlsx.build(demo["en"])))
    assert not_found(worksheet_lines(demo["en"]), text) == []
    assert not_found(answer_lines(demo["en"], typed_cells=False), text) == []
    assert "Quel est le niveau d’équipement" not in text


def test_xlsx_has_a_contents_sheet_then_a_sheet_per_step_and_per_list(demo):
    book = workbook(to_xlsx.build(demo["fr"]))
    names = book.sheetnames
    assert names[:4] == [
        "Sommaire",
        "Étape 1",
        "1.2 Groupes sociaux et quartie…",
        "1.2 Opérateurs informels dont…",
    ]
    lists = [e for step in demo["fr"].steps for s in step.sections for e in s.entries if e.columns]
    assert len(names) == 1 + 6 + len(lists)
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    step = book["Étape 1"]
    assert [c.value for c in step[1]][:5] == [
        "Étape",
        "Section",
        "Identifiant",
        "Question",
        "Réponse",
    ]
    assert column(step, "Identifiant")[1] == "orientation"
    # A list's answer in its step's sheet links to the list's sheet.
    link = next(row[4] for row in step.iter_rows(min_row=2) if row[2].value == "excluded_groups")
    assert (
        link.value
        == "3\u00a0enregistrements\u00a0: voir «\u00a01.2 Groupes sociaux et quartie…\u00a0»"
    )
    assert link.hyperlink is not None
    assert link.hyperlink.location == "'1.2 Groupes sociaux et quartie…'!A1"


def test_xlsx_list_sheets_have_a_column_per_field_a_bold_frozen_header_and_wrapped_text(demo):
    book = workbook(to_xlsx.build(demo["fr"]))
    sheet = book["6.1 Indicateurs"]
    entry = demo["fr"].steps[5].sections[0].entries[1]
    assert tuple(c.value for c in sheet[1]) == entry.columns
    assert sheet.max_row == 1 + len(entry.records)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}7"
    assert sheet["C2"].alignment.wrap_text
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJK"]
    assert all(10 <= width <= 50 for width in widths)


def test_xlsx_keeps_numbers_and_dates_of_number_money_and_date_fields(demo):
    book = workbook(to_xlsx.build(demo["fr"]))
    indicators = book["6.1 Indicateurs"]
    assert column(indicators, "Valeur de départ") == [34, 46, 58, 9.5, 143, 68000]
    assert column(indicators, "Date cible")[0] == datetime.datetime(2027, 12, 31)  # noqa: DTZ001 (Excel dates are naive)
    assert indicators["H2"].number_format == "dd/mm/yyyy"  # the baseline's date
    programmes = book["2.1 Programmes, concours et…"]
    amount = programmes.cell(2, 5)
    assert amount.value == 25_000_000
    assert amount.number_format == '#,##0 "XOF"'


def test_xlsx_makes_no_formula_of_what_a_person_typed():
    document = hand_document(FORMULAS, HOSTILE_RECORDS)
    book = workbook(to_xlsx.build(document))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    answers = {row[2].value: row[4].value for row in book["Étape 1"].iter_rows(min_row=2)}
    answers |= {row[2].value: row[4].value for row in book["Étape 2"].iter_rows(min_row=2)}
    answers |= {row[2].value: row[4].value for row in book["Étape 5"].iter_rows(min_row=2)}
    for item_id, typed in FORMULAS.items():
        assert answers[item_id] == "'" + typed
    indicators = book["6.1 Indicateurs"]
    assert column(indicators, "Nom de l’indicateur") == ["'=cmd|' /C calc'!A0"]
    # A number field's negative number stays a number.
    assert column(indicators, "Valeur de départ") == [-5]
    assert column(indicators, "Valeur cible") == [9.5]
    assert book["2.1 Programmes, concours et…"]["A2"].value == "'@Programme"


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("fr", "[texte tronqué\u00a0: 40001 caractères au total]"),
        ("en", "[text cut: 40001 characters in all]"),
    ],
)
def test_xlsx_cuts_a_cell_over_32767_characters_with_a_visible_note(language, note):
    long_answer = "é" * 39_990 + " fin cachée"  # 40,001 characters
    document = hand_document(
        {"competences": long_answer, "scale_up": "=" + "x" * 40_000}, language=language
    )
    book = workbook(to_xlsx.build(document))
    step = book["Étape 2" if language == "fr" else "Step 2"]
    cell = next(row[4].value for row in step.iter_rows(min_row=2) if row[2].value == "competences")
    assert isinstance(cell, str)
    assert len(cell) == MAX_CELL
    assert cell.startswith("é" * 1000)
    assert cell.endswith(note)
    assert "fin cachée" not in cell
    formula = next(
        row[4].value
        for row in book["Étape 5" if language == "fr" else "Step 5"].iter_rows(min_row=2)
        if row[2].value == "scale_up"
    )
    assert isinstance(formula, str)
    assert formula.startswith("'=xxx")
    assert len(formula) <= MAX_CELL


def test_xlsx_of_an_empty_plan_is_a_blank_worksheet(plan):
    book = workbook(to_xlsx.build(plan_document(plan, "fr")))
    assert missing_seed_items(workbook_text(book)) == []
    indicators = book["6.1 Indicateurs"]
    assert indicators.max_row == 1
    answers = column(book["Étape 1"], "Réponse")
    assert answers[1] is None  # the orientation: no answer, an empty cell


def test_xlsx_drops_characters_xml_cannot_hold():
    document = hand_document({"competences": "avant\x00\x0b\x1bapres", "scale_up": "ok"})
    book = workbook(to_xlsx.build(document))
    values = column(book["Étape 2"], "Réponse")
    assert "avantapres" in values


def test_amounts_keep_their_decimals():
    record = ("f1", {"name": "P", "amount": {"amount": "1500.25", "currency": "EUR"}})
    book = workbook(to_xlsx.build(hand_document(records={"funding_programmes": [record]})))
    cell = book["2.1 Programmes, concours et…"].cell(2, 5)
    assert Decimal(str(cell.value)) == Decimal("1500.25")
    assert cell.number_format == '#,##0.00 "EUR"'


def test_the_cut_counts_characters_as_excel_does():
    emoji = "😀" * 20_000  # 20,000 characters, 40,000 UTF-16 units: Excel counts the units
    cut = cell_text(emoji, "fr")
    assert len(cut.encode("utf-16-le")) // 2 <= MAX_CELL
    assert cut.endswith("[texte tronqué\u00a0: 20000 caractères au total]")
    assert cell_text("😀" * 16_000, "fr") == "😀" * 16_000  # 32,000 units: it fits
