"""A pilot action's card shows the questions of its own action family only, and its title once:
in the document's data (`Record.applicable`, `Entry.title_column`), in the PDF and in the print
view. Cards once printed the other family's four questions as « — », and repeated the title
under the card's heading."""

from __future__ import annotations

import html
import io
import re
from io import StringIO
from typing import Any

import docx
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from docx.oxml.ns import qn
from pypdf import PdfReader

from jalon.accounts.models import User
from jalon.plans.demo import DEMO_USER, demo_plan
from jalon.reports import to_docx, to_pdf
from jalon.reports.document import Entry
from jalon.reports.selectors import plan_document
from jalon.worksheets.loading import latest_definition
from jalon.worksheets.schema import Field

from .test_docx import WORKSHEET, hand_document
from .test_pdf import squeezed

DATA = {"lifecycle", "data_type", "data_objective", "data_users", "obstacles"}
COMMUNICATION = {"beneficiaries", "favour", "communication_objective", "format"}


def pilot_actions(entries: list[Entry]) -> Entry:
    return next(e for e in entries if e.id == "pilot_actions")


def _fields() -> tuple[Field, ...]:
    item = latest_definition(WORKSHEET).item("pilot_actions")
    assert item is not None
    return item.fields


def _families(entry: Entry, language: str) -> list[str]:
    """Each record's family code, read back from its family cell."""
    fields = _fields()
    family = fields[[f.id for f in fields].index("family")]
    codes = {str(o.label.get(language)): o.code for o in family.options}
    return [codes.get(r.cells[fields.index(family)], "") for r in entry.records]


def test_the_worksheet_groups_the_pilot_actions_fields_by_family():
    """The families these tests rely on, as the worksheet defines them."""
    item = latest_definition(WORKSHEET).item("pilot_actions")
    assert item is not None
    assert {f.id for f in item.fields_in("data")} == DATA
    assert {f.id for f in item.fields_in("communication")} == COMMUNICATION


def test_each_record_says_which_fields_apply_to_its_family():
    document = hand_document(
        records={
            "pilot_actions": [
                ("p1", {"title": "Données", "family": "data"}),
                ("p2", {"title": "Échanges", "family": "communication"}),
                ("p3", {"title": "Sans famille"}),
            ]
        }
    )
    entry = pilot_actions([e for s in document.steps for sec in s.sections for e in sec.entries])
    item = latest_definition(WORKSHEET).item("pilot_actions")
    assert item is not None
    ids = [f.id for f in item.fields]
    data, communication, undecided = entry.records
    assert len(data.applicable) == len(ids) == len(entry.columns)
    assert {ids[n] for n, applies in enumerate(data.applicable) if not applies} == COMMUNICATION
    assert {ids[n] for n, applies in enumerate(communication.applicable) if not applies} == DATA
    assert undecided.applicable == ()  # no family chosen: every field applies
    # The fields of no family apply to every record.
    for record in (data, communication):
        assert record.applicable[ids.index("description")] is True
        assert record.applicable[ids.index("family")] is True
    assert entry.title_column == ids.index("title")


def test_lists_without_families_have_every_field_apply():
    document = hand_document(records={"actors": [("a1", {"name": "GIE", "type": "private"})]})
    entries = [e for s in document.steps for sec in s.sections for e in sec.entries]
    actors = next(e for e in entries if e.id == "actors")
    assert actors.records[0].applicable == ()
    assert actors.title_column == 0
    # The roadmap's computed column keeps the mask as long as the columns.
    assert all(e.title_column is None for e in entries if e.kind.value != "records")


def test_an_answer_left_in_another_family_s_field_is_not_printed():
    """A pilot action moved from « communication » to « data » keeps its old answers in the
    store; neither its card nor its table row prints them."""
    document = hand_document(
        records={
            "pilot_actions": [
                ("p1", {"title": "Carte", "family": "data", "format": ["forums"], "data_type": "X"})
            ]
        }
    )
    with translation.override("fr"):
        data = to_pdf.document_data(document)
    entries = [e for step in data["steps"] for s in step["sections"] for e in s["entries"]]
    record = next(e for e in entries if e["id"] == "pilot_actions")["records"][0]
    ids = [f.id for f in _fields()]
    stored = next(e for e in document.steps[3].sections[0].entries).records[0]
    assert stored.cells[ids.index("format")] == "Forums"  # kept in the document's data
    assert record["cells"][ids.index("format")] == ""
    assert record["cells"][ids.index("data_type")] == "X"
    labels = [squeezed(label) for label, _value in record["pairs"]]
    assert labels == [
        squeezed(f.label.fr) for f in _fields() if f.id not in COMMUNICATION and f.id != "title"
    ]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())
    plan = demo_plan()
    assert plan is not None
    return plan


def _cards_text(text: str, titles: list[str], end: str) -> list[str]:
    """Each card's text, from its heading « n. title » to the next card's (or `end`)."""
    flat = squeezed(text)
    starts = [flat.index(squeezed(f"{n}. {title}")) for n, title in enumerate(titles, start=1)]
    stop = flat.index(squeezed(end), starts[-1])
    return [flat[a:b] for a, b in zip(starts, [*starts[1:], stop], strict=True)]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_pilot_action_card_in_the_pdf_shows_its_family_s_questions_and_its_title_once(
    demo, language
):
    document = plan_document(demo, language)
    entries = [e for s in document.steps for sec in s.sections for e in sec.entries]
    entry = pilot_actions(entries)
    with translation.override(language):
        section = to_pdf.document_data(document)["steps"][3]["sections"]
    assert section[0]["entries"][0]["layout"] in ("cards", "stacked")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(to_pdf.build(document))).pages]
    # Without the running header and footer, which repeat the plan's title on every page.
    text = "\n".join("\n".join(p.splitlines()[1:-1]) for p in pages[1:])
    titles = [r.title for r in entry.records]
    cards = _cards_text(text, titles, section[1]["heading"])
    label = {f.id: squeezed(f.label.get(language)) for f in _fields()}
    families = _families(entry, language)
    assert set(families) == {"data", "communication"}  # the demo has both
    for record, family, card in zip(entry.records, families, cards, strict=True):
        own, other = (DATA, COMMUNICATION) if family == "data" else (COMMUNICATION, DATA)
        assert [f for f in other if label[f] in card] == [], record.title
        assert [f for f in own if label[f] not in card] == [], record.title
        # The title: in the card's heading, not again as a row.
        assert card.count(squeezed(record.title)) == 1, record.title
        assert label["title"] not in card


def test_the_print_view_s_cards_show_their_family_s_questions_and_their_title_once(demo):
    client = Client()
    client.force_login(User.objects.get(email=DEMO_USER["email"]))
    page = client.get(f"/plans/{demo.pk}/print/?lang=fr").content.decode()
    document = plan_document(demo, "fr")
    entry = pilot_actions([e for s in document.steps for sec in s.sections for e in sec.entries])
    label = {f.id: str(f.label.fr) for f in _fields()}
    # Section 4.1, the pilot actions (4.2's perimeters are named after them too).
    section = page[page.index('id="section-4-1"') : page.index('id="section-4-2"')]
    cards = re.findall(r'<table class="card">(.*?)</table>', section, flags=re.S)
    assert len(cards) == len(entry.records) == 3
    for card, family in zip(cards, _families(entry, "fr"), strict=True):
        caption = re.search(r"<caption>\d+\. (.*?)</caption>", card, flags=re.S)
        assert caption is not None
        rows = {html.unescape(r) for r in re.findall(r'<th scope="row">(.*?)</th>', card)}
        other = COMMUNICATION if family == "data" else DATA
        assert rows.isdisjoint(label[f] for f in other), caption.group(1)
        assert label["title"] not in rows
        assert label["description"] in rows


def caption(table: Any) -> str:
    """A DOCX table's caption (its accessible name, `w:tblCaption`)."""
    found = table._tbl.tblPr.find(qn("w:tblCaption"))
    return str(found.get(qn("w:val"))) if found is not None else ""


def test_the_docx_cards_show_their_family_s_questions_and_their_title_once():
    """The same in the DOCX, answers left in another family's field included: each card's
    table holds its own family's rows and no title row (the title is the card's heading)."""
    document = hand_document(
        records={
            "pilot_actions": [
                (
                    "p1",
                    {"title": "Carte", "family": "data", "format": ["forums"], "data_type": "X"},
                ),
                ("p2", {"title": "Radio", "family": "communication", "data_type": "Y"}),
            ]
        }
    )
    word = docx.Document(io.BytesIO(to_docx.build(document)))
    label = {f.id: str(f.label.fr) for f in _fields()}
    headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 4"
    ]
    assert "1. Carte" in headings and "2. Radio" in headings

    def card(title: str) -> list[str]:
        table = next(t for t in word.tables if caption(t).endswith(title))
        return [row.cells[0].text for row in table.rows]

    rows = [card("1. Carte"), card("2. Radio")]
    data, communication = rows
    assert label["data_type"] in data and label["format"] not in data
    assert label["data_type"] not in communication
    assert label["title"] not in data + communication
    assert label["family"] in data and label["family"] in communication
