"""What the office deliverables share: safe text, the words they print, and the plan as tables.

The XLSX workbook and the CSV zip hold the same tables (`tables`), so they cannot drift apart;
the DOCX builder uses the same safe text and words. Plain functions over a `Document`.

The tables are for people who compute: no internal id of the worksheet in them (a stable key
for machines is the JSON export's business), and a money field takes two columns, its amount as
a number and its currency as a code, so that a spreadsheet can sum the amounts of one currency;
`totals` gives those sums per currency.

Spreadsheet cells are made harmless here: a text that a spreadsheet could read as a formula
(starting with =, +, -, @, a tab or a carriage return) gets a leading single quote, and a text
longer than a cell can hold (32,767 characters in Excel) is cut with a visible note. Numbers
and dates of number, money and date fields stay numbers and dates.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from jalon.worksheets.schema import FieldKind, ItemKind

from .characters import xml_text
from .document import Amount, Document, Entry, review_of, role_name

MAX_CELL = 32_767  # characters in one Excel cell, counted in UTF-16 units
MAX_SHEET_NAME = 31  # Excel refuses longer sheet names
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

# The words the builders print, in the document's language. The document's language is fixed
# per build, whatever the request's, so a plain table is clearer here than gettext.
WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "answer": "Réponse",
        "chart_data": "Données du graphique",
        "contents": "Sommaire",
        "contents_hint": (
            "Pour mettre à jour ce sommaire et les numéros de page dans Word ou LibreOffice\u00a0:"
            " clic droit sur le sommaire, puis «\u00a0Mettre à jour les champs\u00a0» (F9)."
        ),
        "country": "Pays",
        "currency": "Devise",
        "cut": "[texte tronqué\u00a0: {n} caractères au total]",
        "field": "Champ",
        "file": "Fichier",
        "figure": "Figure",
        "generated": "Document produit le",
        "hash": "Empreinte de la fiche",
        "language": "Langue",
        "language_name": "français",
        "level": "Niveau",
        "list_in": "{count}\u00a0: voir «\u00a0{name}\u00a0»",
        "municipality": "Municipalité",
        "no_answer": "(sans réponse)",
        "options": "Options proposées (☒ = choisie)",
        "no_records": "(aucun enregistrement)",
        "page": "Page {page} sur {pages}",
        "plan": "Plan",
        "progress": "{answered} éléments renseignés sur {total}",
        "progress_label": "Avancement",
        "question": "Question",
        "record": "enregistrement",
        "records": "enregistrements",
        "revisions": "Modifications enregistrées",
        "section": "Section",
        "service": "Service",
        "sheet": "Feuille",
        "sheet_contents": "Contenu",
        "source": "Source",
        "step": "Étape",
        "total": "Total",
        "city": "Ville",
        "value": "Valeur",
        "version": "Version",
        "worksheet": "Fiche de travail",
        "validation": "Validation",
        "review_state": "État de la relecture",
        "validated_by": "Validé par",
        "validated_role": "Rôle",
        "validated_on": "Validé le",
        "operators_responses": "Enquête opérateurs — réponses",
        "operators_summary": "Enquête opérateurs — synthèse",
        "maturity_question": "Question de maturité (2.2)",
        "survey_question": "Question de l’enquête",
        "operators": "Opérateurs",
        "asked": "Interrogés",
        "share": "Part (%)",
    },
    "en": {
        "answer": "Answer",
        "chart_data": "Chart data",
        "contents": "Contents",
        "contents_hint": (
            "To update these contents and the page numbers in Word or LibreOffice: right-click"
            " the contents, then “Update Field” (F9)."
        ),
        "country": "Country",
        "currency": "Currency",
        "cut": "[text cut: {n} characters in all]",
        "field": "Field",
        "file": "File",
        "figure": "Figure",
        "generated": "Generated on",
        "hash": "Worksheet fingerprint",
        "language": "Language",
        "language_name": "English",
        "level": "Level",
        "list_in": "{count}: see “{name}”",
        "municipality": "Municipality",
        "no_answer": "(no answer)",
        "options": "Options offered (☒ = chosen)",
        "no_records": "(no records)",
        "page": "Page {page} of {pages}",
        "plan": "Plan",
        "progress": "{answered} of {total} items answered",
        "progress_label": "Progress",
        "question": "Question",
        "record": "record",
        "records": "records",
        "revisions": "Saved changes",
        "section": "Section",
        "service": "Service",
        "sheet": "Sheet",
        "sheet_contents": "Contents",
        "source": "Source",
        "step": "Step",
        "total": "Total",
        "city": "City",
        "value": "Value",
        "version": "Version",
        "worksheet": "Worksheet",
        "validation": "Validation",
        "review_state": "Review state",
        "validated_by": "Validated by",
        "validated_role": "Role",
        "validated_on": "Validated on",
        "operators_responses": "Operators’ survey — responses",
        "operators_summary": "Operators’ survey — summary",
        "maturity_question": "Maturity question (2.2)",
        "survey_question": "Survey question",
        "operators": "Operators",
        "asked": "Asked",
        "share": "Share (%)",
    },
}


def words(language: str) -> Mapping[str, str]:
    return WORDS["en"] if language.startswith("en") else WORDS["fr"]


def count_records(count: int, language: str) -> str:
    w = words(language)
    return f"{count}\u00a0{w['record'] if count == 1 else w['records']}"


def _units(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def needs_quote(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def cut(text: str, language: str, limit: int = MAX_CELL) -> str:
    """`text` as is when it fits in `limit`, else its beginning and a note saying it was cut."""
    if len(text) * 2 <= limit or _units(text) <= limit:  # the first test spares most texts
        return text
    note = words(language)["cut"].format(n=len(text))
    room = limit - _units(note) - 2  # "…" and a line break before the note
    kept = text[:room]
    while (over := _units(kept) - room) > 0:  # characters beyond the basic plane count twice
        kept = kept[: len(kept) - over]
    return f"{kept}…\n{note}"


def cell_text(text: str, language: str) -> str:
    """A text as a spreadsheet cell may safely hold it: XML-clean, never a formula, within
    the cell limit (the quote included)."""
    text = xml_text(text)
    quote = needs_quote(text)
    text = cut(text, language, MAX_CELL - quote)
    return "'" + text if quote else text


# The plan as tables: what the XLSX sheets and the CSV files hold.


@dataclass(frozen=True)
class Link:
    """In a step's table, the answer of a list: how many records, and the table holding them."""

    table: str  # name of the list's table
    count: int


Value = str | int | Amount | datetime.date | Link | None


@dataclass(frozen=True)
class Money:
    """In a list's table, a money field: the column of its amounts (`Amount` values, or "" when
    none was given) and the column of their currency codes, right after it."""

    amount: int
    currency: int


@dataclass(frozen=True)
class Table:
    name: str  # sheet name: at most 31 characters, unique, none of []:*?/\
    slug: str  # CSV file name, ASCII
    title: str  # what the table holds, in full
    kind: str  # "contents", "step" or "list"
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    headings: tuple[int, ...] = ()  # rows that head a group (a step's sections)
    money: tuple[Money, ...] = ()  # a list's money fields: the columns worth a total


def _sheet_name(text: str, taken: set[str]) -> str:
    name = _NOT_IN_SHEET_NAME.sub(" ", xml_text(text))
    name = re.sub(r"\s+", " ", name).strip().strip("'") or "?"
    if len(name) > MAX_SHEET_NAME:
        head = name[: MAX_SHEET_NAME - 1]
        # Cut at a word when that loses little; a word cut in the middle says more than none.
        if name[len(head)] != " " and len(head) - head.rfind(" ") <= 6:
            head = head[: head.rfind(" ")]
        name = head.rstrip(" ,;:–—-.") + "…"
    base, n = name, 1
    while name.casefold() in taken or name.casefold() == "history":  # Excel reserves History
        n += 1
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    taken.add(name.casefold())
    return name


def _slug(index: int, text: str) -> str:
    words_ = slugify(text.replace(".", "-"))[:60].rstrip("-")
    return f"{index:02d}-{words_ or 'table'}.csv"


def options_text(entry: Entry) -> str:
    """Every option of a choice or maturity item, one a line, ticked (☒) or not (☐), under
    its family's name in a checklist tree: the whole worksheet, not only what was chosen. For
    a list, the options of each of its choice fields, under the field's name."""
    lines = []
    for column, offered in zip(entry.columns, entry.column_options, strict=False):
        if offered:  # a list's choice field: what each record may choose from
            lines.append(column)
            lines += [f"    ☐ {label}" for label in offered]
    family = ""
    for choice in entry.choices or entry.levels:
        if choice.family and choice.family != family:
            family = choice.family
            lines.append(family)
        box = "☒" if choice.selected else "☐"
        lines.append(f"{'    ' if choice.family else ''}{box} {choice.label}")
    return "\n".join(lines)


def tables(document: Document) -> tuple[Table, ...]:
    """The contents table (the plan's details), then each step's table followed by the tables
    of its lists, in the worksheet's order; then the operators' survey, when the plan keeps
    one."""
    meta = document.meta
    w = words(meta.language)
    taken: set[str] = set()
    contents_name = _sheet_name(w["contents"], taken)
    # Names first: a step's table links to the tables of its lists.
    step_names = {
        step.id: _sheet_name(f"{w['step']} {step.number}", taken) for step in document.steps
    }
    list_names = {
        entry.id: _sheet_name(f"{section.id} {entry.question}", taken)
        for step in document.steps
        for section in step.sections
        for entry in section.entries
        if entry.kind is ItemKind.RECORDS
    }
    contents = Table(
        name=contents_name,
        slug="",
        title=meta.title,
        kind="contents",
        header=(w["field"], w["value"]),
        rows=(
            (w["plan"], meta.title),
            (w["municipality"], meta.municipality),
            (w["city"], meta.city),
            (w["country"], meta.country),
            (w["service"], meta.service),
            (w["worksheet"], meta.worksheet_title),
            (w["version"], meta.definition_version),
            (w["hash"], meta.definition_hash),
            (w["language"], w["language_name"]),
            (w["generated"], meta.generated),
            (w["revisions"], meta.revision_count),
            (w["source"], meta.worksheet_source),
            *_review_rows(document),
        ),
    )
    out = [contents]
    for step in document.steps:
        step_rows: list[tuple[Value, ...]] = []
        lists: list[Table] = []
        headings = []
        for section in step.sections:
            # A row for the section itself carries the worksheet's instruction for it.
            name = f"{section.id} {section.title}"
            headings.append(len(step_rows))
            step_rows.append((step.number, name, section.instruction, "", ""))
            for entry in section.entries:
                answer: Value = entry.text
                if entry.kind is ItemKind.RECORDS:
                    answer = Link(list_names[entry.id], len(entry.records))
                    lists.append(
                        _list_table(list_names[entry.id], section.id, entry, meta.language)
                    )
                row = (step.number, name, entry.question, answer, options_text(entry))
                step_rows.append(row)
        out.append(
            Table(
                name=step_names[step.id],
                slug="",
                title=f"{w['step']} {step.number}\u00a0: {step.title}"
                if meta.language.startswith("fr")
                else f"{w['step']} {step.number}: {step.title}",
                kind="step",
                header=(
                    w["step"],
                    w["section"],
                    w["question"],
                    w["answer"],
                    w["options"],
                ),
                rows=tuple(step_rows),
                headings=tuple(headings),
            )
        )
        out += lists
    # Last, so that the other files keep their numbers whether or not a plan has a survey.
    out += _operators_tables(document, taken)
    # CSV file names: numbered in this order, so that a file list reads like the workbook.
    return tuple(
        dataclasses.replace(t, slug=_slug(i, t.title if t.kind == "list" else t.name))
        for i, t in enumerate(out)
    )


def _operators_tables(document: Document, taken: set[str]) -> list[Table]:
    """The operators' survey kept as evidence of step 2: its responses, one row per operator,
    and the distribution of each answer, by the maturity question it informs."""
    summary = document.operators
    if summary is None or not document.operator_responses:
        return []
    entries = {
        e.id: e.question
        for step in document.steps
        for section in step.sections
        for e in section.entries
    }
    w = words(document.meta.language)
    header, *rows = document.operator_responses
    responses = Table(
        name=_sheet_name(w["operators_responses"], taken),
        slug="",
        title=f"{w['operators_responses']} ({summary.title})",
        kind="list",
        header=header,
        rows=tuple(tuple(row) for row in rows),
    )
    distribution = Table(
        name=_sheet_name(w["operators_summary"], taken),
        slug="",
        title=w["operators_summary"],
        kind="list",
        header=(
            w["maturity_question"],
            w["survey_question"],
            w["answer"],
            w["operators"],
            w["asked"],
            w["share"],
        ),
        rows=tuple(
            (
                entries.get(evidence.item, evidence.item),
                q.label,
                s.label,
                s.count,
                s.base,
                s.percent,
            )
            for evidence in summary.items
            for q in evidence.questions
            for s in (q.options or q.texts)
        ),
    )
    return [responses, distribution]


def _review_rows(document: Document) -> tuple[tuple[Value, Value], ...]:
    """The review as data: the state, and for a validated plan who validated it, as what and
    when (a date a spreadsheet can sort)."""
    meta, w = document.meta, words(document.meta.language)
    review = review_of(meta)
    rows: list[tuple[Value, Value]] = [(w["review_state"], review.state)]
    if review.validated and meta.validated_at is not None:
        rows += [
            (w["validated_by"], meta.validated_by),
            (w["validated_role"], role_name(meta.validated_role, meta.language)),
            (w["validated_on"], timezone.localtime(meta.validated_at).date()),
        ]
    rows.append((w["validation"], review.line))
    return tuple(rows)


def _list_table(name: str, section_id: str, entry: Entry, language: str) -> Table:
    """A row per record, a column per field; a money field's column is followed by its
    currency's (« Devise »), whether or not the list has records yet."""
    kinds = entry.column_kinds or ("",) * len(entry.columns)
    is_money = [kind == FieldKind.MONEY.value for kind in kinds]
    header: list[str] = []
    money: list[Money] = []
    for column, money_field in zip(entry.columns, is_money, strict=True):
        header.append(column)
        if money_field:
            money.append(Money(amount=len(header) - 1, currency=len(header)))
            header.append(words(language)["currency"])
    rows = []
    for record in entry.records:
        values = record.values or (None,) * len(record.cells)
        row: list[Value] = []
        for text, value, money_field in zip(record.cells, values, is_money, strict=True):
            if money_field:
                # No amount: both cells empty, never the text of the missing amount.
                amount = value if isinstance(value, Amount) else None
                row += [amount, amount.currency if amount else ""]
            else:
                row.append(value if value is not None else text)
        rows.append(tuple(row))
    return Table(
        name=name,
        slug="",
        title=f"{section_id} {entry.question}",
        kind="list",
        header=tuple(header),
        rows=tuple(rows),
        money=tuple(money),
    )


def totals(table: Table) -> tuple[tuple[str, tuple[Decimal, ...]], ...]:
    """The sums of a list's money columns per currency: (currency, a sum per `table.money`
    column), currencies in the order they first appear. Amounts of different currencies are
    never added together; the indicators' and measurements' numbers are never summed (a sum
    of baselines or readings means nothing), only money."""
    sums: dict[str, list[Decimal]] = {}
    for row in table.rows:
        for index, money in enumerate(table.money):
            amount = row[money.amount]
            if isinstance(amount, Amount):
                line = sums.setdefault(amount.currency, [Decimal(0)] * len(table.money))
                line[index] += amount.value
    return tuple((currency, tuple(line)) for currency, line in sums.items())


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
