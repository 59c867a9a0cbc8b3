"""The plan as a zip of CSV files: the same tables as the XLSX workbook, one file per sheet.

Written the way a spreadsheet of the document's language reads them when opened with a double
click: UTF-8 with a byte order mark (without it Excel shows « Ã© » for « é »), lines ending in
CR LF, and in French a semicolon between fields and a decimal comma (French Excel's list
separator and decimal mark; a comma-separated file opens there as a single column). Numbers of
number fields and money amounts are written as plain numbers, a money field's currency in the
next column (see `_number`); every text goes through `cells.cell_text` (never a formula, never
over the 32,767-character cell limit).

No « Total » rows, unlike the workbook: a CSV file is data to be summed, filtered or loaded,
and a total among the records would be counted twice by whoever sums the column.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Sequence

from .cells import Link, Table, Value, cell_text, count_records, tables, words
from .document import Amount, Document

CONTENT_TYPE = "application/zip"
# A fixed time for every member: the same plan gives the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _number(value: Amount, language: str) -> str:
    """A number as the spreadsheet of the file's language reads one: digits, a minus sign, the
    decimal comma in French (the decimal point in English), and no thousands separator, which
    would make it a text in one reader or another (« 18500000 », « 9,5 »). The same for money:
    the currency is in its own column, so the amount stays a number that sums."""
    text = format(value.value, "f")
    return text.replace(".", ",") if language.startswith("fr") else text


def _text(value: Value, language: str, files: dict[str, str]) -> str:
    if isinstance(value, Amount):
        return _number(value, language)
    if isinstance(value, datetime.date):
        return value.isoformat()  # ISO dates: unambiguous, and read as dates by spreadsheets
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Link):
        name = files.get(value.table, value.table)
        text = words(language)["list_in"].format(
            count=count_records(value.count, language), name=name
        )
        return cell_text(text, language)
    return cell_text(value or "", language)


def _csv(table: Table, language: str, files: dict[str, str], others: Sequence[Table]) -> bytes:
    output = io.StringIO()
    writer = csv.writer(
        output, delimiter=";" if language.startswith("fr") else ",", lineterminator="\r\n"
    )
    writer.writerow([cell_text(title, language) for title in table.header])
    for row in table.rows:
        writer.writerow([_text(value, language, files) for value in row])
    if others:  # the contents file ends with what every other file holds
        w = words(language)
        writer.writerow([])
        writer.writerow([w["file"], w["sheet_contents"]])
        writer.writerows([other.slug, cell_text(other.title, language)] for other in others)
    return output.getvalue().encode("utf-8-sig")


def build(document: Document) -> bytes:
    language = document.meta.language
    all_tables = tables(document)
    files = {table.name: table.slug for table in all_tables}
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in all_tables:
            member = zipfile.ZipInfo(table.slug, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16  # readable files once extracted
            others = all_tables[1:] if table.kind == "contents" else ()
            archive.writestr(member, _csv(table, language, files, others))
    return output.getvalue()
