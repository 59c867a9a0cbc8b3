"""The plan as a PDF, typeset by Typst from `typst/plan.typ`.

`build(document)` turns the `Document` into plain JSON (texts already in the reader's language,
French spacing applied, the charts' SVG) and hands it to the template through `sys.inputs`: the
team's words are data, never markup (see `typesetting`). The PDF is tagged and declares
PDF/UA-1, so screen readers get headings, tables, reading order, the language and the charts'
text alternatives.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import followup
from .charts import Chart, all_charts, for_typst, trajectory_charts
from .charts.svg import relative_width
from .document import Document, Entry, Record, Section, Step, edition, long_date, review_of
from .summary import Money, cell_text, summary_page
from .typesetting import FONTS, TEMPLATES, compile_typst
from .typography import for_language

TEMPLATE = TEMPLATES / "plan.typ"

# Lists with up to this many columns print as one table, if the columns are short enough;
# longer ones print one small label/value table per record.
TABLE_COLUMNS = 4
WIDE_TABLE_COLUMNS = 6
SHORT_LABEL = 40
SHORT_CELL = 90
LONG_LABEL = 60
# A table row whose cells are all this short never splits across pages: half a row under a
# repeated header reads badly. A longer one may split, or it could not fit on a page.
SHORT_ROW = 400
# A card whose values hold up to this many characters in all stays whole on one page; a longer
# one may run on to the next page, its heading repeated there: kept whole, a card taller than a
# page would print over the footer and off the page.
SHORT_CARD = 1500

# Relative widths of each chart's data table (0: as wide as its content), and the width of its
# drawing across the text column: the radar is square, the others are wide.
CHART_TABLE_COLUMNS = {
    "maturity": (0, 1, 0),
    "maturity+target": (0, 1.4, 0, 1),  # a worksheet whose questions take a target
    "partners": (1.3, 1.2, 1, 1),
    "roadmap": (2, 0, 0, 0.8, 1.4),
    "indicators": (1.6, 1, 1),
    # date, point, value, expected, quality, source, entered by
    "trajectory": (1, 0.9, 0.9, 1, 0.9, 1.3, 1),
}
CHART_WIDTH = {"maturity": 0.62}


@dataclass(frozen=True)
class _Text:
    """French spacing for one document's texts (a no-op in English)."""

    language: str

    def __call__(self, text: str) -> str:
        return for_language(text, self.language)

    def paragraphs(self, text: str) -> list[str]:
        """Paragraphs as typed: blank lines separate them."""
        blocks = (p.strip() for p in text.replace("\r\n", "\n").split("\n\n"))
        return [self(p) for p in blocks if p]


def _layout(entry: Entry) -> str:
    """How a list prints: "table", "cards" (label | value per record) or "stacked" (each label
    above its value, for lists whose labels are the worksheet's long questions)."""
    longest_label = max((len(c) for c in entry.columns), default=0)
    short = longest_label <= SHORT_LABEL and all(
        len(cell) <= SHORT_CELL for record in entry.records for cell in record.cells
    )
    if len(entry.columns) <= TABLE_COLUMNS or (len(entry.columns) <= WIDE_TABLE_COLUMNS and short):
        return "table"
    return "cards" if longest_label <= LONG_LABEL else "stacked"


def _cells(record: Record, t: _Text) -> list[str]:
    """A record's cells as text, dates written out (« 1 mars 2027 », not 2027-03-01)."""
    values = record.values or (None,) * len(record.cells)
    return [
        long_date(value, t.language) if isinstance(value, datetime.date) else t(cell)
        for cell, value in zip(record.cells, values, strict=True)
    ]


def card_columns(entry: Entry, record: Record) -> list[int]:
    """The columns a record's card shows: not the title (the card's heading says it), nor the
    fields of another action family than the record's (empty questions it was never asked)."""
    applicable = record.applicable or (True,) * len(entry.columns)
    return [
        n
        for n, applies in enumerate(applicable)
        if applies and not (n == entry.title_column and record.title)
    ]


def _record(entry: Entry, record: Record, number: int, t: _Text) -> dict[str, Any]:
    # A field of another family than the record's stays blank, even where an earlier choice of
    # family left an answer in it: the record does not ask that question any more.
    applicable = record.applicable or (True,) * len(record.cells)
    cells = [
        cell if applies else "" for cell, applies in zip(_cells(record, t), applicable, strict=True)
    ]
    pairs = [[t(entry.columns[n]), cells[n]] for n in card_columns(entry, record)]
    return {
        "title": t(record.title) or str(number),
        "cells": cells,
        "short": all(len(cell) <= SHORT_ROW for cell in cells),
        # A card's rows, (label, value), and whether it stays whole on one page.
        "pairs": pairs,
        "whole": sum(len(value) for _label, value in pairs) <= SHORT_CARD,
    }


def _entry(entry: Entry, t: _Text) -> dict[str, Any]:
    selected_level = next((lvl for lvl in entry.levels if lvl.selected), None)
    return {
        "id": entry.id,
        "kind": entry.kind.value,
        "question": t(entry.question),
        "answered": entry.answered,
        "paragraphs": t.paragraphs(entry.text) if entry.kind.value == "text" else [],
        "choices": [
            {"label": t(c.label), "selected": c.selected, "family": t(c.family)}
            for c in entry.choices
        ],
        "level": entry.level,
        "level_text": _("Level %(level)s of 4: %(label)s")
        % {"level": entry.level, "label": entry.level_label}
        if entry.level is not None
        else "",
        "rubric": t(selected_level.detail) if selected_level else "",
        "note_label": t(entry.note_label),
        "note": t.paragraphs(entry.note),
        "target": t(entry.target),
        "columns": [t(c) for c in entry.columns],
        # An empty list prints as a blank form: each field, with the options it offers.
        "blank": [
            {"label": t(label), "options": [t(o) for o in options]}
            for label, options in zip(
                entry.columns, entry.column_options or ((),) * len(entry.columns), strict=True
            )
        ]
        if not entry.records
        else [],
        "records": [_record(entry, r, n, t) for n, r in enumerate(entry.records, start=1)],
        "layout": _layout(entry),
    }


def _chart(chart: Chart, t: _Text) -> dict[str, Any]:
    kind = chart.id.split("-")[0]  # trajectory-1, trajectory-2…: one kind
    columns = CHART_TABLE_COLUMNS.get(kind) or ()
    if len(columns) != len(chart.table[0]):  # the maturity table with its targets
        columns = CHART_TABLE_COLUMNS.get(f"{kind}+target") or ()
    if len(columns) != len(chart.table[0]):
        columns = (1,) * len(chart.table[0])
    return {
        "id": chart.id,
        "title": chart.title,
        "svg": chart.svg,
        "alt": chart.alt,
        "message": t(chart.message),
        "table": [[t(cell) for cell in row] for row in chart.table],
        "table_columns": list(columns),
        "width": CHART_WIDTH.get(chart.id, relative_width(chart.svg)),
        "aspect": _aspect(chart.svg),
        # A long roadmap's page-sized parts, each with its height over its width.
        "parts": [{"svg": part, "aspect": _aspect(part)} for part in chart.parts],
    }


def _aspect(svg: str | None) -> float:
    """A drawing's height over its width, from its viewBox (0 when it has none)."""
    found = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg or "")
    return float(found.group(2)) / float(found.group(1)) if found and float(found.group(1)) else 0


def _section(section: Section, charts: list[Chart], t: _Text) -> dict[str, Any]:
    items = {e.id for e in section.entries}
    return {
        "heading": t(f"{section.id} {section.title}"),
        "instruction": t(section.instruction),
        "entries": [_entry(e, t) for e in section.entries],
        "charts": [_chart(c, t) for c in charts if c.item in items],
    }


def _progress(answered: int, total: int) -> str:
    return ngettext(
        "%(answered)s of %(total)s item answered",
        "%(answered)s of %(total)s items answered",
        total,
    ) % {"answered": answered, "total": total}


def _step(step: Step, charts: list[Chart], t: _Text) -> dict[str, Any]:
    return {
        "heading": t(
            _("Step %(number)s — %(title)s") % {"number": step.number, "title": step.title}
        ),
        "progress": _progress(step.answered, step.total),
        "sections": [_section(s, charts, t) for s in step.sections],
    }


def _follow_up(document: Document, t: _Text) -> dict[str, Any]:
    """The « Suivi » part: how it is computed, the roadmap's status (late lines said so), the
    indicators' progress, then each indicator's trajectory."""
    today = document.follow_up.today if document.follow_up else document.meta.generated
    instruction = followup.method()
    if not document.measured:
        instruction += " " + followup.needs_measurements()
    return {
        "heading": followup.heading(today, document.meta.language),
        "instruction": t(instruction),
        "entries": [_entry(e, t) for e in followup.summary_entries(document)],
        "charts": [_chart(c, t) for c in trajectory_charts(document)],
    }


def _follow_up_step(document: Document) -> int:
    """The step the follow-up closes: the one with the measurements, else the indicators,
    else the last."""
    for item_id in ("measurements", "indicators"):
        for index, step in enumerate(document.steps):
            if any(e.id == item_id for s in step.sections for e in s.entries):
                return index
    return len(document.steps) - 1


def summary_data(document: Document, t: _Text) -> dict[str, Any] | None:
    """The one-page summary as text: the PDF's page after the cover, the PNG, the print view."""
    if document.summary is None:
        return None
    page = summary_page(
        document.summary, service=document.meta.service, review=review_of(document.meta).line
    )
    return {
        "title": page.title,
        "colon": "\u00a0: " if document.meta.language == "fr" else ": ",
        "facts": [[t(label), t(value)] for label, value in page.facts],
        "blocks": [
            {
                "title": t(block.title),
                "columns": [t(c) for c in block.columns],
                "rows": [[t(cell_text(c)) for c in row] for row in block.rows],
                "totals": [[t(cell_text(c)) for c in row] for row in block.totals],
                # Columns of amounts read aligned on the right.
                "right": [
                    i
                    for i in range(len(block.columns))
                    if any(isinstance(row[i], Money) for row in (*block.rows, *block.totals))
                ],
                "more": t(block.more),
                "empty": t(block.empty),
            }
            for block in page.blocks
        ],
        "open_title": t(page.open_title),
        "open": [t(line) for line in page.open],
    }


def summary_text(document: Document) -> dict[str, Any] | None:
    """The summary as the plan page shows it, in the document's language: each cell with its
    column's name, which a phone shows before it when the table's rows stack."""
    with translation.override(document.meta.language):
        data = summary_data(document, _Text(document.meta.language))
    for block in data["blocks"] if data else ():
        for part in ("rows", "totals"):
            block[part] = [
                [
                    (c, cell, i in block["right"])
                    for i, (c, cell) in enumerate(zip(block["columns"], row, strict=True))
                ]
                for row in block[part]
            ]
    return data


def colophon_text(document: Document) -> dict[str, Any]:
    """The colophon as the DOCX and XLSX write it, in the document's language."""
    with translation.override(document.meta.language):
        return colophon_data(document, _Text(document.meta.language))


def colophon_data(document: Document, t: _Text) -> dict[str, Any]:
    """The last page: who wrote the plan (from its history) and the technical references."""
    meta = document.meta
    return {
        "title": _("Contributors and references"),
        "contributors_title": _("Contributors"),
        "contributors_columns": [_("Person"), _("What they wrote")],
        "contributors": [
            [
                t(person.name),
                t(
                    ngettext(
                        "%(count)s change, in sections %(sections)s",
                        "%(count)s changes, in sections %(sections)s",
                        person.changes,
                    )
                    % {"count": person.changes, "sections": ", ".join(person.sections)}
                ),
            ]
            for person in document.contributors
        ],
        "no_contributors": _("No change recorded in this plan’s history."),
        "references_title": _("Technical references"),
        "references": [
            [_("Worksheet"), t(f"{meta.worksheet_title} ({meta.definition_id})")],
            [_("Worksheet version"), str(meta.definition_version)],
            [_("Worksheet fingerprint (SHA-256)"), meta.definition_hash],
            [_("Edition"), t(edition(meta))],
            [
                _("Made with"),
                _("Jalon, on %(date)s") % {"date": long_date(meta.generated, meta.language)},
            ],
        ],
    }


def frame_data(document: Document, t: _Text) -> dict[str, Any]:
    """What every page of a deliverable typeset by Typst carries: the fonts, the plan's details,
    the fixed words and the review's state (the PDF's furniture, the summary image's band)."""
    meta = document.meta
    title = t(meta.title)
    review = review_of(meta)
    return {
        "fonts": list(FONTS),
        "meta": {
            "title": title,
            "short_title": title if len(title) <= 70 else title[:69].rstrip() + "…",
            "municipality": t(meta.municipality),
            "place": ", ".join(p for p in (meta.city, meta.country) if p),
            "service": t(meta.service),
            "language": meta.language,
            "description": t(
                _("Digital transition plan of the service “%(service)s”, %(municipality)s.")
                % {"service": meta.service, "municipality": meta.municipality}
            ),
            "keywords": [meta.municipality, meta.service, meta.worksheet_title],
            "date": [meta.generated.year, meta.generated.month, meta.generated.day],
            "edition": t(edition(meta)),
            "source": t(meta.worksheet_source),
        },
        "words": {
            "kicker": _("Digital transition plan"),
            "contents": _("Contents"),
            "figures": _("Charts"),
            "figure": _("Chart"),
            "caption_separator": "\u00a0: " if meta.language == "fr" else ": ",
            "page": _("Page {page} of {total}"),
            "not_answered": _("Not answered yet."),
            "no_records": _("Nothing recorded yet."),
            "fields": t(_("Fields:")),
        },
        # Atop the cover and on every page after it: who validated the plan, or that it is a
        # draft, so a page printed alone still says which.
        "review": {"validated": review.validated, "line": t(review.line), "mark": t(review.mark)},
    }


def summary_image_data(document: Document) -> dict[str, Any]:
    """The summary image's data: the page's frame and the summary, nothing of the steps (their
    charts would be drawn for nothing)."""
    with translation.override(document.meta.language):
        t = _Text(document.meta.language)
        return {**frame_data(document, t), "summary": summary_data(document, t)}


def document_data(document: Document) -> dict[str, Any]:
    """The document as plain data in its language, ready to lay out: the PDF template reads it
    as JSON, the print view renders it as HTML. Call it with the document's language active."""
    meta = document.meta
    t = _Text(meta.language)
    charts = list(all_charts(document))
    placed = {e.id for s in document.steps for sec in s.sections for e in sec.entries}
    answered = sum(s.answered for s in document.steps)
    total = sum(s.total for s in document.steps)
    steps = [_step(step, charts, t) for step in document.steps]
    review = review_of(meta)
    if steps and any(c.item not in placed for c in charts):
        # A chart whose item this worksheet lacks still prints, after the last section.
        steps[-1]["sections"][-1]["charts"] += [
            _chart(c, t) for c in charts if c.item not in placed
        ]
    if steps:
        steps[_follow_up_step(document)]["sections"].append(_follow_up(document, t))
    return {
        **frame_data(document, t),
        "cover": [
            [_("Validation"), t(review.line)],
            [_("Date"), long_date(meta.generated, meta.language)],
            [
                _("Worksheet"),
                t(
                    _("%(title)s, version %(version)s")
                    % {"title": meta.worksheet_title, "version": meta.definition_version}
                ),
            ],
            [_("Progress"), _progress(answered, total)],
            [
                _("History"),
                ngettext(
                    "%(count)s change recorded", "%(count)s changes recorded", meta.revision_count
                )
                % {"count": meta.revision_count},
            ],
            [_("Language"), _("French") if meta.language == "fr" else _("English")],
        ],
        "summary": summary_data(document, t),
        "colophon": colophon_data(document, t),
        "steps": steps,
    }


def build(document: Document) -> bytes:
    """The plan as PDF bytes, in the document's language."""
    with translation.override(document.meta.language):
        data = document_data(document)
    for step in data["steps"]:  # the charts as Typst's SVG reader can draw them
        for section in step["sections"]:
            for chart in section["charts"]:
                if chart["svg"] is not None:
                    chart["svg"] = for_typst(chart["svg"])
                for part in chart["parts"]:
                    part["svg"] = for_typst(part["svg"])
    return compile_typst(
        TEMPLATE.read_bytes(),
        format="pdf",
        data=data,
        pdf_standards=["ua-1"],
    )
