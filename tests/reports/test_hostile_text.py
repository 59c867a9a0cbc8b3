"""Text stored before the input rule, or that the rule lets through, never breaks a deliverable.

Each kind of text is placed in an answer and in the names of a pilot action, an indicator and an
actor (the names the charts draw). Every deliverable builds, in French and in English: PDF,
DOCX, XLSX, CSV, JSON, the print view and the charts' PNG. Characters that are not text (control
characters, non-characters) are left out; everything else is kept and printed, and a character
that no bundled font has (Chinese) prints in the PDF as « � ».

The texts are stored with the ORM or given to the builders as plain data: the rule at the door
would refuse some of them, and the point is that what is already stored still exports.
"""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Any

import docx
import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from pypdf import PdfReader

from jalon.plans.models import Answer, Record
from jalon.reports import charts, to_csv, to_docx, to_pdf, to_xlsx
from jalon.reports.document import Document

from ..conftest import client_for
from .test_docx import hand_document
from .test_pdf import squeezed


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str
    kept: str  # what a deliverable holds: the text without what is not text
    printed: str | None = None  # what the PDF prints, when it differs from `kept`
    # False when the PDF's extracted text cannot be read back in order: right-to-left words
    # come out in visual order, and a cluster of marks once per glyph.
    in_order: bool = True

    @property
    def in_pdf(self) -> str:
        return self.kept if self.printed is None else self.printed


HOSTILE = [
    Hostile("escape", "\x1b[31m", kept="[31m"),
    Hostile("bell", "\x07", kept=""),
    Hostile("c1_control", "\x9b", kept=""),
    Hostile("noncharacter_ffff", "\uffff", kept=""),
    Hostile("noncharacter_10ffff", "\U0010ffff", kept=""),
    Hostile("nul", "\x00", kept=""),
    Hostile("emoji", "🚮♻️", kept="🚮♻️"),
    Hostile("chinese", "中文", kept="中文", printed="\ufffd\ufffd"),
    Hostile("flag", "🇸🇳", kept="🇸🇳"),
    Hostile("stacked_marks", "o\u0323\u0300\u0301", kept="o\u0323\u0300\u0301", in_order=False),
    Hostile("line_separator", "un\u2028deux", kept="un\u2028deux"),
    Hostile("arabic", "مرحبا بكم", kept="مرحبا بكم", in_order=False),
    Hostile("west_african_letters", "ɛ ɔ ŋ ƙ ɗ ẹ ọ ṣ Ɛ Ɔ Ŋ Ƙ Ɗ", kept="ɛ ɔ ŋ ƙ ɗ ẹ ọ ṣ Ɛ Ɔ Ŋ Ƙ Ɗ"),
    Hostile(
        "west_african_tones",
        "Ɛ\u0301 ɔ\u0300 ŋ\u0300",
        kept="Ɛ\u0301 ɔ\u0300 ŋ\u0300",
        in_order=False,
    ),
]
NOT_TEXT = "\x00\x07\x1b\x9b\uffff\U0010ffff"

# Where the text goes: before and after it, words that say where it is.
ANSWER = ("Réponse", "fin")
NAMES = {"pilot_actions": ("ActionA", "Z"), "indicators": ("IndicI", "Z"), "actors": ("ActB", "Z")}


def placed(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An answer and the records of a plan holding `text`, as stored: answers by item, and
    records by list as (uid, data) pairs, pilot action, roadmap, indicator, actor, partner."""

    def name(list_id: str) -> str:
        before, after = NAMES[list_id]
        return f"{before} {text} {after}"

    answers = {"competences": f"{ANSWER[0]} {text} {ANSWER[1]}"}
    records = {
        "pilot_actions": [("p1", {"title": name("pilot_actions"), "family": "data"})],
        "roadmap": [
            ("r1", {"action": "p1", "start": "2027-01-01", "end": "2027-06-30"}),
        ],
        "indicators": [
            (
                "i1",
                {
                    "name": name("indicators"),
                    "unit": "%",
                    "baseline_value": "5",
                    "baseline_date": "2026-06-30",
                    "target_value": "9",
                    "target_date": "2027-12-31",
                },
            )
        ],
        "actors": [("a1", {"name": name("actors"), "type": "local_authorities"})],
        "partners": [("s1", {"actor": "a1", "interests": ["profit"]})],
    }
    return answers, records


def holds(text: str, kept: str, *, in_order: bool = True) -> list[str]:
    """What of the answer and the names is missing from `text`, which is a deliverable's text
    and should hold each with `kept` in place of the hostile text."""
    wanted = [ANSWER, *NAMES.values()]
    flat = squeezed(text)
    if in_order:
        return [
            f"{before} {kept} {after}"
            for before, after in wanted
            if squeezed(f"{before}{kept}{after}") not in flat
        ]
    pieces = [squeezed(word) for word in kept.split()] + [
        squeezed(w) for pair in wanted for w in pair
    ]
    return [piece for piece in pieces if piece not in flat]


def _no_characters_that_are_not_text(text: str) -> None:
    assert not set(NOT_TEXT) & set(text)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def xlsx_text(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def csv_text(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


CASES = [
    pytest.param(h, language, id=f"{h.name}-{language}")
    for h in HOSTILE
    for language in ("fr", "en")
]


def _document(hostile: Hostile, language: str) -> Document:
    answers, records = placed(hostile.text)
    return hand_document(answers=answers, records=records, language=language)


@pytest.mark.parametrize(("hostile", "language"), CASES)
def test_the_pdf_prints_every_kind_of_text(hostile, language):
    text = pdf_text(to_pdf.build(_document(hostile, language)))
    assert holds(text, hostile.in_pdf, in_order=hostile.in_order) == []
    _no_characters_that_are_not_text(text)
    # The replacement shows only where a character has no glyph in any bundled font.
    assert ("\ufffd" in text) == ("\ufffd" in hostile.in_pdf)


@pytest.mark.parametrize(("hostile", "language"), CASES)
def test_the_office_files_keep_every_kind_of_text(hostile, language):
    document = _document(hostile, language)
    for text in (
        xlsx_text(to_xlsx.build(document)),
        csv_text(to_csv.build(document)),
        docx_text(to_docx.build(document)),
    ):
        # Word writes a line separator as a new paragraph: its words stay in order.
        assert holds(text, hostile.kept) == []
        _no_characters_that_are_not_text(text)
    spreadsheet = xlsx_text(to_xlsx.build(document))
    assert hostile.kept in spreadsheet  # exactly as stored, U+2028 included


@pytest.mark.parametrize(("hostile", "language"), CASES)
def test_the_charts_draw_every_kind_of_text(hostile, language):
    drawn = [c for c in charts.all_charts(_document(hostile, language)) if c.svg is not None]
    assert [c.id for c in drawn] == ["partners", "roadmap", "indicators"]
    for chart in drawn:
        assert chart.svg is not None
        root = ET.fromstring(chart.svg)  # noqa: S314 — our own output: it must parse as XML
        labels = " ".join(
            "".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
        )
        _no_characters_that_are_not_text(labels)
        width, _height = _png_size(charts.png(chart.svg, width=600))
        assert width == 600
    # Every word of the text is drawn; a one-line label shows a line separator as a space.
    svgs = [c.svg for c in drawn if c.svg is not None]
    drawing = squeezed(" ".join("".join(ET.fromstring(svg).itertext()) for svg in svgs))  # noqa: S314
    assert [w for w in hostile.kept.split() if squeezed(w) not in drawing] == []


@pytest.mark.parametrize(("hostile", "language"), CASES)
def test_the_print_data_keeps_every_kind_of_text(hostile, language):
    document = _document(hostile, language)
    with translation.override(language):
        data = to_pdf.document_data(document)
    text = json.dumps(data, ensure_ascii=False)
    assert hostile.kept in text


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# PostgreSQL cannot store a NUL at all (« unsupported Unicode escape sequence »): there is no
# such plan to export. The builders' tests above cover it from plain data.
STORABLE = [h for h in HOSTILE if not (connection.vendor == "postgresql" and "\x00" in h.text)]


def _store(plan, hostile: Hostile, owner) -> None:
    """The hostile text in the plan's rows, written as a plan stored before the input rule."""
    answers, records = placed(hostile.text)
    for item_id, value in answers.items():
        Answer.objects.create(plan=plan, item_id=item_id, value=value, version=1, updated_by=owner)
    uids = {
        key: f"{plan.pk:04d}{key}" for list_records in records.values() for key, _ in list_records
    }
    references = {"action", "actor"}
    for item_id, list_records in records.items():
        for position, (key, data) in enumerate(list_records, start=1):
            stored = {
                field: uids[value] if field in references else value
                for field, value in data.items()
            }
            Record.objects.create(
                plan=plan,
                item_id=item_id,
                uid=uids[key],
                position=position,
                data=stored,
                version=1,
                updated_by=owner,
            )


@pytest.mark.parametrize("hostile", STORABLE, ids=[h.name for h in STORABLE])
def test_every_deliverable_of_a_plan_holding_the_text_answers_200(client, people, plan, hostile):
    cache.clear()
    _store(plan, hostile, people["owner"])
    viewer = client_for(client, people["viewer"])
    for language in ("fr", "en"):
        page = viewer.get(f"/plans/{plan.pk}/print/?lang={language}")
        assert page.status_code == 200
        assert hostile.kept in page.content.decode()
        texts = {}
        for code in ("pdf", "docx", "xlsx", "csv"):
            response = viewer.get(f"/plans/{plan.pk}/download/{code}/?lang={language}")
            assert response.status_code == 200, code
            texts[code] = response.content
        assert holds(pdf_text(texts["pdf"]), hostile.in_pdf, in_order=hostile.in_order) == []
        assert holds(docx_text(texts["docx"]), hostile.kept) == []
        assert hostile.kept in xlsx_text(texts["xlsx"])
        assert hostile.kept in csv_text(texts["csv"])
        # The summary image: the text drawn (Typst reads it as data), a phone's width.
        image = viewer.get(f"/plans/{plan.pk}/download/png/?lang={language}")
        assert image.status_code == 200 and _png_size(image.content)[0] == 1080
    exported = viewer.get(f"/plans/{plan.pk}/download/json/")
    assert exported.status_code == 200
    # The JSON export is the plan as stored: the text exactly as it is in the database.
    assert any(hostile.text in s for s in _strings(json.loads(exported.content)))
