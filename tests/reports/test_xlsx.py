"""The XLSX deliverable, read back with openpyxl: a sheet per step and per list, the whole
worksheet and every answer, numbers kept as numbers, money as a number beside its currency with
totals per currency, no internal id, named fonts, a legible print scale, no formula of what a
person typed, no cell over Excel's limit."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from jalon.reports import to_xlsx
from jalon.reports.cells import MAX_CELL, cell_text
from jalon.reports.document import Amount, Document
from jalon.reports.selectors import plan_document
from jalon.worksheets.loading import get_definition
from jalon.worksheets.schema import FieldKind

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
    """A column's cells under its header, the records only (not the totals below them)."""
    header = [cell.value for cell in sheet[1]]
    index = header.index(title)
    return [row[index].value for row in sheet.iter_rows(min_row=2) if not is_total(row)]


def is_total(row) -> bool:
    return row[0].value in ("Total",)


def questions(document: Document) -> dict[str, str]:
    """Item id → question, to find an item's row in a step's sheet (which shows no ids)."""
    return {
        entry.id: entry.question
        for step in document.steps
        for section in step.sections
        for entry in section.entries
    }


def step_answers(book: Workbook, document: Document) -> dict[str, Any]:
    """Item id → the answer cell's value, over every step's sheet (question in column C)."""
    by_question = {
        row[2].value: row[3].value
        for sheet in book.worksheets
        if sheet.title.startswith(("Étape", "Step"))
        for row in sheet.iter_rows(min_row=2)
    }
    return {item: by_question.get(question) for item, question in questions(document).items()}


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
    assert names[:5] == [
        "Synthèse",
        "Sommaire",
        "Étape 1",
        "1.2 Groupes sociaux et quartie…",
        "1.2 Opérateurs informels dont…",
    ]
    lists = [e for step in demo["fr"].steps for s in step.sections for e in s.entries if e.columns]
    # …and the operators' survey of the demo: its responses and its distribution.
    assert names[-2:] == ["Enquête opérateurs — réponses", "Enquête opérateurs — synthèse"]
    assert len(names) == 2 + 6 + len(lists) + 2
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    step = book["Étape 1"]
    assert [c.value for c in step[1]] == [
        "Étape",
        "Section",
        "Question",
        "Réponse",
        "Options proposées (☒ = choisie)",
    ]
    assert column(step, "Question")[1] == questions(demo["fr"])["orientation"]
    # A list's answer in its step's sheet links to the list's sheet.
    excluded = questions(demo["fr"])["excluded_groups"]
    link = next(row[3] for row in step.iter_rows(min_row=2) if row[2].value == excluded)
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
    # Too wide for a page: the indicator's name stays in view and on every printed page.
    assert sheet.freeze_panes == "B2"
    assert sheet.print_title_cols == "$A:$A"
    assert book["6.3 Mesures des indicateurs"].freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}7"
    assert sheet["C2"].alignment.wrap_text
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJKLM"]
    assert all(8 <= width <= 32 for width in widths)


def test_xlsx_keeps_numbers_and_dates_of_number_money_and_date_fields(demo):
    book = workbook(to_xlsx.build(demo["fr"]))
    indicators = book["6.1 Indicateurs"]
    assert column(indicators, "Valeur de départ") == [34, 46, 58, 9.5, 143, 68000]
    assert column(indicators, "Date cible")[0] == datetime.datetime(2027, 12, 31)  # noqa: DTZ001 (Excel dates are naive)
    # A long date in the document's language, whatever the reader's settings.
    assert indicators["H2"].number_format == "[$-40C]d mmmm yyyy"  # the baseline's date
    english = workbook(to_xlsx.build(demo["en"]))["6.1 Indicators"]
    assert english["H2"].number_format == "[$-809]d mmmm yyyy"
    assert english["H2"].value == indicators["H2"].value
    programmes = book["2.1 Programmes, concours et…"]
    amount = programmes.cell(2, 5)
    assert amount.value == 25_000_000
    assert amount.number_format == "#,##0"
    assert programmes.cell(2, 6).value == "XOF"


def test_xlsx_makes_no_formula_of_what_a_person_typed():
    document = hand_document(FORMULAS, HOSTILE_RECORDS)
    book = workbook(to_xlsx.build(document))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    # The only formulas are the builder's own totals.
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert formulas == ["=SUMIF($F$2:$F$2,F3,$E$2:$E$2)"]
    answers = step_answers(book, document)
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
    answers = step_answers(book, document)
    cell = answers["competences"]
    assert isinstance(cell, str)
    assert len(cell) == MAX_CELL
    assert cell.startswith("é" * 1000)
    assert cell.endswith(note)
    assert "fin cachée" not in cell
    formula = answers["scale_up"]
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
    sheet = book["2.1 Programmes, concours et…"]
    cell = sheet.cell(2, 5)
    assert Decimal(str(cell.value)) == Decimal("1500.25")
    assert cell.number_format == "#,##0.00"
    assert sheet.cell(2, 6).value == "EUR"
    assert sheet.cell(3, 5).number_format == "#,##0.00"  # the total shows the cents too


def test_the_cut_counts_characters_as_excel_does():
    emoji = "😀" * 20_000  # 20,000 characters, 40,000 UTF-16 units: Excel counts the units
    cut = cell_text(emoji, "fr")
    assert len(cut.encode("utf-16-le")) // 2 <= MAX_CELL
    assert cut.endswith("[texte tronqué\u00a0: 20000 caractères au total]")
    assert cell_text("😀" * 16_000, "fr") == "😀" * 16_000  # 32,000 units: it fits


# What a programme officer computes with and prints (issue 11).

MIXED_FUNDING = [
    ("f1", {"name": "Fonds A", "amount": {"amount": "25000000", "currency": "XOF"}}),
    ("f2", {"name": "Fonds B", "amount": {"amount": "120000.50", "currency": "EUR"}}),
    ("f3", {"name": "Fonds C", "amount": {"amount": "8000000", "currency": "XOF"}}),
    ("f4", {"name": "Fonds sans montant"}),
    ("f5", {"name": "Fonds D", "amount": {"amount": "30000", "currency": "EUR"}}),
]


def money_columns(document: Document) -> dict[str, tuple[str, ...]]:
    """List item id → the labels of its money fields, read from the worksheet's definition."""
    definition = get_definition(document.meta.definition_id, document.meta.definition_version)
    language = document.meta.language
    fields = {
        item.id: [f for f in item.fields if f.kind is FieldKind.MONEY] for item in definition.items
    }
    return {
        item: tuple(str(f.label.get(language)) for f in money)
        for item, money in fields.items()
        if money
    }


def expected_totals(document: Document, item_id: str, label: str) -> dict[str, Decimal]:
    """Currency → the sum of the records' amounts of one money field, from the Document."""
    entry = next(
        e for s in document.steps for sec in s.sections for e in sec.entries if e.id == item_id
    )
    index = entry.columns.index(label)
    sums: dict[str, Decimal] = {}
    for record in entry.records:
        value = record.values[index]
        if isinstance(value, Amount):
            sums[value.currency] = sums.get(value.currency, Decimal(0)) + value.value
    return sums


def list_sheet(book: Workbook, document: Document, item_id: str):
    """A list's sheet: its name is the start of « section question »."""
    full = next(
        f"{sec.id} {e.question}"
        for s in document.steps
        for sec in s.sections
        for e in sec.entries
        if e.id == item_id
    )
    return next(sheet for sheet in book.worksheets if full.startswith(sheet.title.rstrip("…")))


SUMIF = re.compile(r"^=SUMIF\(\$(\w+)\$(\d+):\$\w+\$(\d+),(\w+)(\d+),\$(\w+)\$\d+:\$\w+\$\d+\)$")


def evaluate_sumif(sheet, formula: str) -> Decimal:
    """What the builder's SUMIF computes over the sheet's cells, as a spreadsheet would."""
    match = SUMIF.match(formula)
    assert match, formula
    currencies, first, last, criterion_column, criterion_row, amounts = match.groups()
    criterion = sheet[f"{criterion_column}{criterion_row}"].value
    return sum(
        (
            Decimal(str(sheet[f"{amounts}{row}"].value))
            for row in range(int(first), int(last) + 1)
            if sheet[f"{currencies}{row}"].value == criterion
            and sheet[f"{amounts}{row}"].value is not None
        ),
        Decimal(0),
    )


def check_money(data: bytes, document: Document) -> int:
    """Every money field of every list: its amounts numbers, its currency codes in the next
    column, and a « Total » row per currency whose formula and stored value both equal the
    sum of the Document's amounts in that currency. Returns the totals checked."""
    book, stored = workbook(data), openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    currency_word = "Devise" if document.meta.language == "fr" else "Currency"
    checked = 0
    for item_id, labels in money_columns(document).items():
        sheet = list_sheet(book, document, item_id)
        header = [cell.value for cell in sheet[1]]
        for label in labels:
            amount_column = header.index(label) + 1
            assert header[amount_column] == currency_word
            totals = [row for row in sheet.iter_rows(min_row=2) if is_total(row)]
            records = [row for row in sheet.iter_rows(min_row=2) if not is_total(row)]
            for row in records:
                amount, currency = row[amount_column - 1], row[amount_column]
                if amount.value is None:
                    assert currency.value is None
                    continue
                assert isinstance(amount.value, int | float), amount.value
                assert amount.number_format.startswith("#,##0")
                assert '"' not in amount.number_format  # no currency glued to the number
                assert re.fullmatch(r"[A-Z]{3}", currency.value)
            expected = expected_totals(document, item_id, label)
            found = {}
            for row in totals:
                cell = row[amount_column - 1]
                currency = row[amount_column].value
                value = stored[sheet.title][cell.coordinate].value
                assert Decimal(str(value)) == evaluate_sumif(sheet, cell.value)
                found[currency] = Decimal(str(value))
            assert found == expected
            checked += len(found)
    return checked


def test_money_is_a_number_beside_its_currency_and_totalled_per_currency_in_the_demo(demo):
    for language in ("fr", "en"):
        assert check_money(to_xlsx.build(demo[language]), demo[language]) == 2  # 2.1 and 5.3


def test_a_list_mixing_currencies_gets_a_total_row_per_currency():
    document = hand_document(records={"funding_programmes": MIXED_FUNDING})
    data = to_xlsx.build(document)
    assert check_money(data, document) == 2
    sheet = workbook(data)["2.1 Programmes, concours et…"]
    totals = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if is_total(row)]
    assert [(row[0], row[5]) for row in totals] == [("Total", "XOF"), ("Total", "EUR")]
    # The records' range stops above the totals: sorting the records leaves the totals alone.
    assert sheet.auto_filter.ref == "A1:G6"


def test_no_internal_id_of_the_worksheet_shows_in_the_workbook(demo):
    ids = set()
    for version in (1, 2, 3):
        definition = get_definition("gerer-les-services-urbains", version)
        # Step ids are their numbers, which the workbook shows as such.
        ids |= {step.id for step in definition.steps if not step.id.isdigit()}
        for item in definition.items:
            ids.add(item.id)
            ids |= {f.id for f in item.fields}
    assert "funding_programmes_text" in ids
    compound = {i for i in ids if "_" in i}  # never a word of a sentence: found anywhere
    documents = [demo["fr"], demo["en"], hand_document(FORMULAS, HOSTILE_RECORDS)]
    for document in documents:
        book = workbook(to_xlsx.build(document))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    text = str(cell.value or "")
                    assert text not in ids, (sheet.title, cell.coordinate, text)
                    assert not [i for i in compound if i in text], (sheet.title, text)


def test_every_cell_and_print_header_has_a_named_sized_font(demo):
    book = workbook(to_xlsx.build(demo["fr"]))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.font.name == "Calibri", (sheet.title, cell.coordinate)
                assert cell.font.sz and cell.font.sz >= 9, (sheet.title, cell.coordinate)
        assert sheet.oddHeader is not None
        header = sheet.oddHeader.center
        assert header.font == "Calibri" and header.size == 9


PRINTABLE = {"portrait": 595.3 - 72, "landscape": 841.9 - 72}  # A4 less half-inch margins


def orientation(sheet) -> str:
    return str(sheet.page_setup.orientation)


def printed_scale(sheet) -> float:
    """The scale a reader prints a fitted sheet at: its page's width over its columns'
    (Excel's column width: 7 pixels a character plus 5, at 96 pixels an inch)."""
    widths = [
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    ]
    columns = sum((float(width) * 7 + 5) * 0.75 for width in widths)
    return 100 * PRINTABLE[orientation(sheet)] / columns


@pytest.mark.parametrize("plan_kind", ["demo", "long"])
def test_no_sheet_prints_at_an_illegible_scale(demo, plan_kind):
    if plan_kind == "demo":
        document = demo["fr"]
    else:  # every answer and every list field long: the widest columns a plan can have
        document = hand_document(
            dict.fromkeys(questions(demo["fr"]), "mot " * 3000),
            records={"pilot_actions": [("p1", {"title": "x" * 500, "description": "mot " * 3000})]},
        )
    book = workbook(to_xlsx.build(document))
    for sheet in book.worksheets:
        assert sheet.page_margins.left == sheet.page_margins.right == 0.5
        fitted = sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage
        if fitted:
            assert printed_scale(sheet) >= to_xlsx.MIN_SCALE, sheet.title
        else:  # printed at full size, over as many pages as it takes
            assert sheet.page_setup.scale in (None, 100), sheet.title
        if sheet.title in ("Synthèse", "Sommaire"):  # upright, at full size
            assert sheet.page_setup.orientation == "portrait" and not fitted
            continue
        assert sheet.print_title_rows == "$1:$1", sheet.title
        # Every record's row fits a page under the header row, which is printed on each:
        # a taller row would leave a page holding the header alone.
        paper = {"portrait": 841.9, "landscape": 595.3}[orientation(sheet)]
        room = paper - 72 * (sheet.page_margins.top + sheet.page_margins.bottom)
        header = sheet.row_dimensions[1].height or 15
        for row in range(2, sheet.max_row + 1):
            assert (sheet.row_dimensions[row].height or 15) + header <= room, (sheet.title, row)
        assert all(dimension.width <= 42 for dimension in sheet.column_dimensions.values()), (
            sheet.title
        )
    actions = book["4.1 Actions test"]
    assert actions.max_column == 12
    setup = actions.sheet_properties.pageSetUpPr
    assert setup is None or not setup.fitToPage  # 12 columns: no shrinking
    assert actions.page_setup.orientation == "landscape"
    assert actions.print_title_cols == "$A:$A"


def test_a_page_break_never_parts_an_amount_from_its_currency(demo):
    book = workbook(to_xlsx.build(demo["fr"]))
    roadmap = book["5.3 Feuille de route des…"]
    header = [cell.value for cell in roadmap[1]]
    budget = header.index("Budget") + 1  # 1-based: a break's id is a page's last column
    breaks = [brk.id for brk in roadmap.col_breaks.brk]
    assert breaks  # ten columns: more than a page across
    assert budget not in breaks
    # Each page's columns fit it in Calibri, with the repeated first column.
    widths = [roadmap.column_dimensions[get_column_letter(i)].width for i in range(1, 11)]
    starts = [1, *breaks]
    ends = [*breaks, len(widths)]
    for start, end in zip(starts, ends, strict=True):
        page = [widths[0], *widths[start:end]]
        assert sum((w * 7 + 5) * 0.75 for w in page) <= PRINTABLE["landscape"]


def test_the_summary_is_the_first_sheet_and_its_amounts_add_up(demo):
    """The summary sheet: amounts are numbers (their currency shown by the cell's format), the
    totals those of the summary, which tests/reports/test_summary.py checks against the
    records."""
    document = demo["fr"]
    book = workbook(to_xlsx.build(document))
    sheet = book.worksheets[0]
    assert sheet.title == "Synthèse"
    assert document.summary is not None
    totals = [
        [cell for cell in row if cell.value is not None]
        for row in sheet.iter_rows()
        if row[0].value == "Total XOF"
    ]
    pilots, funding = totals
    total = document.summary.totals[0]
    assert [c.value for c in pilots[1:]] == [total.planned]
    assert [c.value for c in funding[1:]] == [total.identified, total.planned, total.balance]
    assert all(c.number_format.endswith(' "XOF"') and c.font.b for c in funding[1:])
    assert sheet.page_setup.orientation == "portrait"
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Tekki Track SARL" in text and "Reste à faire" in text
