"""The plan as an Excel workbook: a contents sheet, then a sheet per step and a sheet per list.

A step's sheet has one row per item (step, section, question, answer, options offered); a
list's sheet has one row per record and one column per field, numbers and dates kept as numbers
and dates, a money field's amount a number with its currency in the next column, and under a
list with money a « Total » row per currency. No internal id of the worksheet is shown. Header
rows are bold, frozen and filterable; text wraps; every sheet prints at a legible scale with its
header row on every page. Every text goes through `cells.cell_text` (never a formula, never over
the 32,767-character cell limit).

`write_sheets` writes tables as sheets in the order given, so that a sheet can be put first
(the summary) without touching the others.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .cells import (
    Link,
    Table,
    Value,
    cell_text,
    count_records,
    decimal_places,
    tables,
    totals,
    words,
)
from .document import Amount, Document, edition, review_of
from .summary import Cell as Cell_
from .summary import Money, summary_page
from .summary import cell_text as cell_text_of
from .to_pdf import colophon_text

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Calibri: Excel's own default, so a workbook looks at home there, and LibreOffice shows it with
# Carlito, which it ships and which has Calibri's widths, so the column widths computed here
# (in Calibri's characters) hold in both. Noto Sans, the PDF's font, is absent from most
# office machines and would fall back to a wider font that overflows the columns. Every font
# is named and sized: a font without a name is drawn in LibreOffice's default, a serif.
FONT_NAME = "Calibri"
FONT_SIZE = 11
BODY = Font(name=FONT_NAME, size=FONT_SIZE)
BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
LINK = Font(name=FONT_NAME, size=FONT_SIZE, color="0563C1", underline="single")
HEADER_FILL = PatternFill("solid", fgColor="E7EEF6")
SECTION_FILL = PatternFill("solid", fgColor="F3F3F3")
TOTAL_BORDER = Border(top=Side(style="thin"))
WRAP = Alignment(wrap_text=True, vertical="top")

# Column widths, in characters of the default font. Wide enough for a phrase, narrow enough
# that a printed page holds several columns at a legible scale: long texts wrap.
STEP_WIDTHS = (6, 22, 36, 42, 34)  # step, section, question, answer, options offered
CONTENTS_WIDTHS = (28, 66)
MIN_WIDTH, MAX_WIDTH = 8, 32
DATE_WIDTH = 19  # « 30 septembre 2027 »: narrower, a date shows as ###
LINE_HEIGHT = 15  # points: a line of the 11-point font
MAX_ROW_HEIGHT = 409  # points: Excel's limit

# Printing on A4 with half-inch side margins. A sheet that needs more than its page's width is
# printed landscape and fitted to the page's width only when that keeps at least MIN_SCALE of
# its size (below about 70 % an 11-point font prints under 8 points): a wider sheet flows onto
# more pages across, its header row and first column repeated on each, each band of rows
# printed across before going down, so that a record's pages follow each other.
MARGIN = 0.5  # inches, left and right
TOP = 0.75  # inches, top and bottom; the review mark's header sits in it, 0.3 from the edge
PORTRAIT_WIDTH = 595.3 - 2 * 72 * MARGIN  # points printable across A4 portrait
LANDSCAPE_WIDTH = 841.9 - 2 * 72 * MARGIN
PORTRAIT_HEIGHT = 841.9 - 2 * 72 * TOP  # points printable down A4 portrait
LANDSCAPE_HEIGHT = 595.3 - 2 * 72 * TOP
MIN_SCALE = 70  # per cent
# Column breaks are placed for this share of the page: room for a reader's font a little wider
# than Calibri before it adds breaks of its own.
BREAK_ROOM = 0.9


def _date_format(language: str) -> str:
    """A long date in the document's language whatever the reader's settings (the locale code
    names the month's language): « 31 décembre 2027 », « 31 December 2027 »."""
    return "[$-809]d mmmm yyyy" if language.startswith("en") else "[$-40C]d mmmm yyyy"


def _amount_format(places: int) -> str:
    """Thousands separated, the currency in its own column: the cell stays a plain number."""
    return "#,##0" + ("." + "0" * places if places else "")


def _reference(name: str) -> str:
    """A cell reference to the top of a sheet, quoted as Excel wants sheet names."""
    return "'{}'!A1".format(name.replace("'", "''"))


def _put(sheet: Worksheet, row: int, column: int, value: Value, language: str) -> Cell:
    """Write one value: numbers and dates as such, any text made safe."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # never a merged cell: the builder merges none
    if isinstance(value, Amount):
        cell.value = value.value
        cell.number_format = _amount_format(decimal_places(value.value))
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


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _widths(table: Table) -> list[int]:
    """Column widths in characters: each column as wide as its longest line, within bounds;
    a header wraps, but none of its words is cut; an amount's column holds its totals too."""
    sums = {
        money.amount: [Amount(line[index]) for _currency, line in totals(table)]
        for index, money in enumerate(table.money)
    }
    widths = []
    for i, header in enumerate(table.header):
        longest = _longest_word(header)
        for value in (*(row[i] for row in table.rows), *sums.get(i, ())):
            if isinstance(value, str):
                longest = max(longest, *(len(line) for line in value.splitlines() or [""]))
            elif isinstance(value, Amount):  # digits and a separator every three
                digits = len(f"{abs(value.value):f}")
                longest = max(longest, digits + digits // 3 + 1)
            elif isinstance(value, datetime.date):
                longest = max(longest, DATE_WIDTH - 2)
            elif value is not None:
                longest = max(longest, len(str(value)))
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def _set_widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def column_points(width: float) -> float:
    """A column's printed width in points: Excel gives a character of the default font 7
    pixels, plus 5 of padding, at 96 pixels an inch."""
    return (width * 7 + 5) * 72 / 96


def fit_scale(widths: Iterable[float], page_width: float) -> float:
    """The scale, in per cent, at which columns of these widths fill `page_width` points."""
    return 100 * page_width / sum(column_points(width) for width in widths)


def _print_header(sheet: Worksheet, mark: str) -> None:
    """The review mark atop every printed page (« Projet — non validé »); `&` is a code in
    Excel's headers, written `&&` for itself."""
    header = sheet.oddHeader
    assert header is not None  # openpyxl gives every sheet its header and footer
    header.center.text = mark.replace("&", "&&")
    header.center.font = FONT_NAME
    header.center.size = 9


def column_breaks(widths: Sequence[float], together: Iterable[int] = ()) -> list[int]:
    """Where a sheet too wide for its page breaks, as the 0-based columns that start a new
    page, the first column (repeated on every page) set aside; never before a column of
    `together` (a currency, which stays beside its amount)."""
    room = LANDSCAPE_WIDTH * BREAK_ROOM - column_points(widths[0])
    kept = set(together)
    breaks: list[int] = []
    start, used = 1, 0.0
    for column in range(1, len(widths)):
        used += column_points(widths[column])
        if used > room and column > start:
            cut = column - 1 if column in kept and column - 1 > start else column
            breaks.append(cut)
            start = cut
            used = sum(column_points(w) for w in widths[cut : column + 1])
    return breaks


def _print_setup(
    sheet: Worksheet,
    widths: Sequence[int],
    *,
    first_column: bool = True,
    together: Iterable[int] = (),
) -> None:
    """Portrait when the columns fit A4 upright, else landscape; fitted to the page's width only
    at MIN_SCALE or more, else printed at full size over pages across, the first column (a
    record's name) repeated on each when `first_column`, and broken between columns so that
    no page splits an amount from its currency (`together`: columns kept with the previous)."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    margins = sheet.page_margins
    margins.left = margins.right = MARGIN
    margins.top = margins.bottom = TOP
    margins.header = margins.footer = 0.3
    sheet.print_options.gridLines = True  # a table read on paper needs its rules
    if fit_scale(widths, PORTRAIT_WIDTH) >= 100:
        setup.orientation = "portrait"
        return
    setup.orientation = "landscape"
    if fit_scale(widths, LANDSCAPE_WIDTH) >= MIN_SCALE:
        setup.fitToWidth = 1
        setup.fitToHeight = 0  # as many pages down as needed
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        return
    setup.scale = 100
    setup.pageOrder = "overThenDown"
    if first_column:
        sheet.print_title_cols = "A:A"
        sheet.freeze_panes = "B2"
        for column in column_breaks(widths, together):
            # A break's id is the last column of a page, counted from 1.
            sheet.col_breaks.append(Break(id=column, max=1_048_575))


def _height(
    texts: Iterable[str], widths: Sequence[int], most: float = MAX_ROW_HEIGHT
) -> float | None:
    """A row's height in points for its wrapped text, at `most`, or None for one line.

    Neither Excel nor LibreOffice sizes rows to wrapped text when opening a file: without a
    height, a long answer shows as one cut line. Counting a character per unit of column
    width errs on the tall side."""
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        per_line = max(1, width - 1)
        lines = max(lines, sum(-(-len(line) // per_line) or 1 for line in text.split("\n")))
    return min(most, MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 3) if lines > 1 else None


def _page_height(widths: Sequence[int]) -> float:
    """The printable height of the sheet's page, upright or landscape as `_print_setup`
    chooses it, at full size (a fitted sheet only gets more room)."""
    return PORTRAIT_HEIGHT if fit_scale(widths, PORTRAIT_WIDTH) >= 100 else LANDSCAPE_HEIGHT


@dataclass(frozen=True)
class Formula:
    """A formula cell and the value it computes, written into the file for the readers that
    show what a file holds without computing (phone previews, scripts)."""

    sheet: Worksheet
    coordinate: str
    value: Decimal


def _places(table: Table, column: int) -> int:
    """The most decimals of a column's amounts: a total shows as many."""
    amounts = (row[column] for row in table.rows)
    return max((decimal_places(a.value) for a in amounts if isinstance(a, Amount)), default=0)


def _total_rows(sheet: Worksheet, table: Table, language: str) -> list[Formula]:
    """Under a list with money, a « Total » row per currency: for each money column, the sum
    of the amounts whose currency is the one of the row (SUMIF over the currency column, the
    criterion being the row's own currency cell), so that an edited amount or currency moves
    the total."""
    first, last = 2, len(table.rows) + 1
    label_column = next(
        (
            i
            for i in range(len(table.header))
            if all(i not in (m.amount, m.currency) for m in table.money)
        ),
        None,
    )
    formulas = []
    for offset, (currency, sums) in enumerate(totals(table)):
        row = last + 1 + offset
        if label_column is not None:
            _put(sheet, row, label_column + 1, words(language)["total"], language)
        for money, value in zip(table.money, sums, strict=True):
            _put(sheet, row, money.currency + 1, currency, language)
            amounts = get_column_letter(money.amount + 1)
            currencies = get_column_letter(money.currency + 1)
            cell = sheet.cell(row=row, column=money.amount + 1)
            cell.value = (
                f"=SUMIF(${currencies}${first}:${currencies}${last},{currencies}{row},"
                f"${amounts}${first}:${amounts}${last})"
            )
            cell.number_format = _amount_format(_places(table, money.amount))
            formulas.append(Formula(sheet, cell.coordinate, value))
        for column in range(1, len(table.header) + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font = BOLD
            cell.border = TOTAL_BORDER
    return formulas


def _table_sheet(sheet: Worksheet, table: Table, language: str) -> list[Formula]:
    widths = STEP_WIDTHS if table.kind == "step" else _widths(table)
    for column, title in enumerate(table.header, start=1):
        cell = _put(sheet, 1, column, title, language)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    header_height = _height(table.header, widths) or LINE_HEIGHT
    sheet.row_dimensions[1].height = header_height
    # A row taller than the page's room under the header would leave a page with the header
    # alone: a very long answer is cut on paper (it stays whole in its cell).
    most = _page_height(widths) - header_height - LINE_HEIGHT
    headings = set(table.headings)
    for index, values in enumerate(table.rows):
        texts = []
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, index + 2, column, value, language)
            texts.append(cell.value if isinstance(cell.value, str) else "")
            if index in headings:
                cell.font = BOLD
                cell.fill = SECTION_FILL
        sheet.row_dimensions[index + 2].height = _height(texts, widths, most)
    _set_widths(sheet, widths)
    sheet.freeze_panes = "A2"
    if table.rows:  # the records only: sorting them must leave the totals below
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{len(table.rows) + 1}"
    sheet.print_title_rows = "1:1"
    # A step's first column is its number, the same on every row: not worth repeating.
    _print_setup(
        sheet,
        widths,
        first_column=table.kind == "list",
        together=[money.currency for money in table.money],
    )
    return _total_rows(sheet, table, language) if table.money else []


def _contents_sheet(
    sheet: Worksheet, contents: Table, others: Sequence[Table], document: Document
) -> None:
    """The plan's details, then every other sheet with a link to it and its full title (sheet
    names are cut to 31 characters)."""
    language = document.meta.language
    w = words(language)
    title = _put(sheet, 1, 1, document.meta.title, language)
    title.font = TITLE
    # Across both columns and wrapped: a title running over empty cells would print beyond
    # them, on a page of its own.
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    title_height = _height([str(title.value)], [sum(CONTENTS_WIDTHS) * 11 // 14])
    sheet.row_dimensions[1].height = title_height and title_height * 14 / 11
    row = 3
    # The worksheet's fingerprint goes to the references at the end, with the contributors.
    for label, value in (r for r in contents.rows if r[0] != w["hash"]):
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
        sheet.row_dimensions[row].height = _height((table.name, table.title), CONTENTS_WIDTHS)
    _colophon_rows(sheet, row + 1, document)
    _set_widths(sheet, CONTENTS_WIDTHS)
    _print_setup(sheet, CONTENTS_WIDTHS, first_column=False)


# Name, then places, dates, amounts: 88 characters, A4 upright at full size with BREAK_ROOM
# for a reader's font a little wider than Calibri.
SUMMARY_WIDTHS = (27, 16, 15, 15, 15)


def _summary_cell(sheet: Worksheet, row: int, column: int, value: Cell_, language: str) -> Cell:
    """A cell of the summary: an amount stays a number, its currency shown by the cell's format
    (« 28 100 000 XOF »), so that it still adds up; a measure reads as written."""
    if isinstance(value, Money):
        cell = sheet.cell(row=row, column=column)
        assert isinstance(cell, Cell)
        cell.value = value.amount
        places = decimal_places(value.amount)
        # The currency is a three-letter code (the answers refuse anything else): safe to quote.
        cell.number_format = f'{_amount_format(places)} "{value.currency}"'
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right")
        return cell
    if isinstance(value, Decimal):
        return _put(sheet, row, column, Amount(value), language)
    return _put(sheet, row, column, value or "", language)


def _summary_sheet(sheet: Worksheet, document: Document) -> None:
    """The plan on one page (reports/summary.py), the workbook's first sheet: the facts, then
    the pilot actions, the budget by funding source and the key indicators as small tables."""
    language = document.meta.language
    if document.summary is None:
        return
    with translation.override(language):
        page = summary_page(
            document.summary, service=document.meta.service, review=review_of(document.meta).line
        )
    last = len(SUMMARY_WIDTHS)
    title = _put(sheet, 1, 1, f"{page.title} — {document.meta.title}", language)
    title.font = TITLE
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    row = 3
    for label, value in page.facts:
        _put(sheet, row, 1, label, language).font = BOLD
        _put(sheet, row, 2, value, language)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last)
        sheet.row_dimensions[row].height = _height(
            (label, value), (SUMMARY_WIDTHS[0], sum(SUMMARY_WIDTHS[1:]))
        )
        row += 1
    for block in page.blocks:
        row += 1
        _put(sheet, row, 1, block.title, language).font = BOLD
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        row += 1
        if not block.rows:
            _put(sheet, row, 1, block.empty, language)
            row += 1
            continue
        widths = SUMMARY_WIDTHS[: len(block.columns)]
        for column, header in enumerate(block.columns, start=1):
            cell = _put(sheet, row, column, header, language)
            cell.font = BOLD
            cell.fill = HEADER_FILL
        sheet.row_dimensions[row].height = _height(block.columns, widths)
        for cells, bold in [(r, False) for r in block.rows] + [(r, True) for r in block.totals]:
            row += 1
            for column, item in enumerate(cells, start=1):
                cell = _summary_cell(sheet, row, column, item, language)
                cell.font = BOLD if bold else BODY
                if bold:
                    cell.border = TOTAL_BORDER
            sheet.row_dimensions[row].height = _height([cell_text_of(v) for v in cells], widths)
        row += 1
        if block.more:
            _put(sheet, row, 1, block.more, language)
            row += 1
    row += 1
    _put(sheet, row, 1, page.open_title, language).font = BOLD
    for line in page.open:
        row += 1
        _put(sheet, row, 1, f"– {line}", language)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    _set_widths(sheet, SUMMARY_WIDTHS)
    _print_setup(sheet, SUMMARY_WIDTHS, first_column=False)


def _colophon_rows(sheet: Worksheet, row: int, document: Document) -> None:
    """Under the plan's details: who wrote the plan, from its history, and the technical
    references (the worksheet's fingerprint is for whoever checks a copy)."""
    language = document.meta.language
    colophon = colophon_text(document)
    for title, rows in (
        (
            colophon["contributors_title"],
            colophon["contributors"] or [[colophon["no_contributors"], ""]],
        ),
        (colophon["references_title"], colophon["references"]),
    ):
        row += 1
        cell = _put(sheet, row, 1, title, language)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        _put(sheet, row, 2, "", language).fill = HEADER_FILL
        for label, value in rows:
            row += 1
            _put(sheet, row, 1, label, language).font = BOLD
            _put(sheet, row, 2, value, language)
            sheet.row_dimensions[row].height = _height((label, value), CONTENTS_WIDTHS)
        row += 1


def write_sheets(workbook: Workbook, document: Document) -> list[Formula]:
    """The summary, the contents sheet and the step and list sheets, appended to `workbook` in
    this order; the formulas written, with their values (see `with_cached_values`)."""
    language = document.meta.language
    contents, *others = tables(document)
    if document.summary is not None:
        with translation.override(language):
            name = _("Summary")
        _summary_sheet(workbook.create_sheet(name[:31]), document)
    _contents_sheet(workbook.create_sheet(contents.name), contents, others, document)
    formulas = []
    for table in others:
        formulas += _table_sheet(workbook.create_sheet(table.name), table, language)
    return formulas


def with_cached_values(data: bytes, formulas: Sequence[Formula]) -> bytes:
    """The saved workbook with each formula's value written beside it.

    openpyxl writes a formula without its value (`<f>…</f><v></v>`): Excel and LibreOffice
    compute it on opening (the workbook asks for a full calculation on load), but a reader
    that only shows what the file holds (a phone's preview, a script) would show an empty
    total. The value is the one the formula computes from the same cells, so both agree."""
    by_part: dict[str, dict[str, Decimal]] = {}
    for formula in formulas:
        by_part.setdefault(formula.sheet.path.lstrip("/"), {})[formula.coordinate] = formula.value
    if not by_part:
        return data
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            content = source.read(member)
            if member.filename in by_part:
                content = _fill_values(content.decode("utf-8"), by_part[member.filename])
            target.writestr(member, content)
    return output.getvalue()


def _fill_values(xml: str, values: Mapping[str, Decimal]) -> bytes:
    for coordinate, value in values.items():
        empty_value = rf'(<c r="{coordinate}"[^>]*><f>[^<]*</f>)(?:<v\s*/>|<v></v>)'
        xml = re.sub(empty_value, rf"\g<1><v>{value:f}</v>", xml, count=1)
    return xml.encode("utf-8")


def build(document: Document) -> bytes:
    language = document.meta.language
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # write_sheets makes every sheet
    formulas = write_sheets(workbook, document)
    # Every printed page says the review's state and which state of the plan it shows.
    mark = f"{review_of(document.meta).mark} · {edition(document.meta)}"
    for worksheet in workbook.worksheets:
        _print_header(worksheet, mark)
    workbook.active = 0
    workbook.properties.title = cell_text(document.meta.title, language)
    workbook.properties.subject = cell_text(document.meta.worksheet_title, language)
    workbook.properties.creator = "Jalon"
    workbook.properties.language = "en-GB" if language.startswith("en") else "fr-FR"
    output = io.BytesIO()
    workbook.save(output)
    return with_cached_values(output.getvalue(), formulas)
