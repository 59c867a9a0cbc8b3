"""The plan as an Excel workbook: a contents sheet, then a sheet per step and a sheet per list.

A step's sheet has one row per item (step, section, item id, question, answer); a list's sheet
has one row per record and one column per field, numbers and dates kept as numbers and dates.
Header rows are bold, frozen and filterable; text wraps; sheets print landscape, one page wide,
their header repeated. Every text goes through `cells.cell_text` (never a formula, never over
the 32,767-character cell limit).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .cells import Link, Table, Value, cell_text, count_records, decimal_places, tables, words
from .document import Amount, Document, review_of

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
LINK = Font(color="0563C1", underline="single")
HEADER_FILL = PatternFill("solid", fgColor="E7EEF6")
SECTION_FILL = PatternFill("solid", fgColor="F3F3F3")
WRAP = Alignment(wrap_text=True, vertical="top")
STEP_WIDTHS = (8, 28, 22, 60, 80, 50)  # step, section, item id, question, answer, options
MIN_WIDTH, MAX_WIDTH = 10, 50
CONTENTS_WIDTHS = (34, 100)
LINE_HEIGHT = 15  # points: a line of Excel's default 11-point font
MAX_ROW_HEIGHT = 409  # points: Excel's limit


def _date_format(language: str) -> str:
    return "yyyy-mm-dd" if language.startswith("en") else "dd/mm/yyyy"


def _amount_format(amount: Amount) -> str:
    places = decimal_places(amount.value)
    number = "#,##0" + ("." + "0" * places if places else "")
    currency = re.sub(r"[^A-Za-z]", "", amount.currency)[:8]
    return f'{number} "{currency}"' if currency else number


def _reference(name: str) -> str:
    """A cell reference to the top of a sheet, quoted as Excel wants sheet names."""
    return "'{}'!A1".format(name.replace("'", "''"))


def _put(sheet: Worksheet, row: int, column: int, value: Value, language: str) -> Cell:
    """Write one value: numbers and dates as such, any text made safe."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # never a merged cell: the builder merges none
    if isinstance(value, Amount):
        cell.value = value.value
        cell.number_format = _amount_format(value)
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = _date_format(language)
    elif isinstance(value, int):
        cell.value = value
    elif isinstance(value, Link):
        text = words(language)["list_in"].format(
            count=count_records(value.count, language), name=value.table
        )
        cell.value = cell_text(text, language)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=_reference(value.table))
        cell.font = LINK
    elif value:
        cell.value = cell_text(value, language)
        cell.data_type = "s"  # a string, whatever it looks like: openpyxl reads "=…" as a formula
    cell.alignment = WRAP
    return cell


def _widths(table: Table) -> list[int]:
    """Column widths in characters: each column as wide as its longest line, within bounds."""
    widths = []
    for i, header in enumerate(table.header):
        longest = max(len(line) for line in header.splitlines() or [""])
        for row in table.rows:
            value = row[i]
            if isinstance(value, str):
                longest = max(longest, *(len(line) for line in value.splitlines() or [""]))
            elif value is not None:
                longest = max(longest, 12)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def _set_widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _print_header(sheet: Worksheet, mark: str) -> None:
    """The review mark atop every printed page (« Projet — non validé »); `&` is a code in
    Excel's headers, written `&&` for itself."""
    header = sheet.oddHeader
    assert header is not None  # openpyxl gives every sheet its header and footer
    header.center.text = mark.replace("&", "&&")
    header.center.size = 9


def _print_setup(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _height(texts: Iterable[str], widths: Sequence[int]) -> float | None:
    """A row's height in points for its wrapped text, or None for one line.

    Neither Excel nor LibreOffice sizes rows to wrapped text when opening a file: without a
    height, a long answer shows as one cut line. Counting a character per unit of column
    width errs on the tall side."""
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        per_line = max(1, width - 1)
        lines = max(lines, sum(-(-len(line) // per_line) or 1 for line in text.split("\n")))
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 3) if lines > 1 else None


def _table_sheet(sheet: Worksheet, table: Table, language: str) -> None:
    widths = STEP_WIDTHS if table.kind == "step" else _widths(table)
    for column, title in enumerate(table.header, start=1):
        cell = _put(sheet, 1, column, title, language)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    sheet.row_dimensions[1].height = _height(table.header, widths)
    headings = set(table.headings)
    for index, values in enumerate(table.rows):
        texts = []
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, index + 2, column, value, language)
            texts.append(cell.value if isinstance(cell.value, str) else "")
            if index in headings:
                cell.font = BOLD
                cell.fill = SECTION_FILL
        sheet.row_dimensions[index + 2].height = _height(texts, widths)
    _set_widths(sheet, widths)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions
    sheet.print_title_rows = "1:1"
    _print_setup(sheet)


def _contents_sheet(
    sheet: Worksheet, contents: Table, others: Sequence[Table], document: Document
) -> None:
    """The plan's details, then every other sheet with a link to it and its full title (sheet
    names are cut to 31 characters)."""
    language = document.meta.language
    w = words(language)
    title = _put(sheet, 1, 1, document.meta.title, language)
    title.font = TITLE
    title.alignment = Alignment(vertical="top")  # one line, running over the next columns
    row = 3
    for label, value in contents.rows:
        _put(sheet, row, 1, label, language).font = BOLD
        _put(sheet, row, 2, value, language).alignment = Alignment(
            wrap_text=True, vertical="top", horizontal="left"
        )
        sheet.row_dimensions[row].height = _height((str(label), str(value)), CONTENTS_WIDTHS)
        row += 1
    row += 1
    for column, header in enumerate((w["sheet"], w["sheet_contents"]), start=1):
        cell = _put(sheet, row, column, header, language)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for table in others:
        row += 1
        cell = _put(sheet, row, 1, table.name, language)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=_reference(table.name))
        cell.font = LINK
        _put(sheet, row, 2, table.title, language)
    _set_widths(sheet, CONTENTS_WIDTHS)
    _print_setup(sheet)
    sheet.page_setup.orientation = "portrait"


def build(document: Document) -> bytes:
    language = document.meta.language
    contents, *others = tables(document)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = contents.name
    _contents_sheet(sheet, contents, others, document)
    for table in others:
        _table_sheet(workbook.create_sheet(table.name), table, language)
    mark = review_of(document.meta).mark
    for worksheet in workbook.worksheets:
        _print_header(worksheet, mark)
    workbook.properties.title = cell_text(document.meta.title, language)
    workbook.properties.subject = cell_text(document.meta.worksheet_title, language)
    workbook.properties.creator = "Jalon"
    workbook.properties.language = "en-GB" if language.startswith("en") else "fr-FR"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
