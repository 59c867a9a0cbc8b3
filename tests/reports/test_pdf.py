"""The PDF deliverable, read back with pypdf: the whole worksheet and every answer, in French and
English; a cover, contents, page numbers and charts; tagged for screen readers; and the team's
text printed as typed, never run as Typst markup."""

from __future__ import annotations

import io
import re
import unicodedata
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from jalon.plans.demo import demo_plan
from jalon.reports import to_pdf
from jalon.reports.document import Document, Entry, long_date

from .test_docx import (
    answer_lines,
    demo_documents,
    hand_document,
    missing_seed_items,
    worksheet_lines,
)


@pytest.fixture
def demo(db) -> dict[str, Document]:
    return demo_documents()


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text without its running header and footer (the first and last lines of
    every page but the cover), so that a paragraph cut by a page break reads whole again."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return [pages[0]] + ["\n".join(p.splitlines()[1:-1]) for p in pages[1:]]


def squeezed(text: str) -> str:
    """Text without any white space: a table cell wraps « pré-collecte » or a link anywhere,
    and French spacing turns spaces into non-breaking ones; the words stay in order."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _entries(document: Document) -> list[Entry]:
    return [e for step in document.steps for s in step.sections for e in s.entries]


def not_in(lines: list[str], text: str) -> list[str]:
    flat = squeezed(text)
    return [line for line in lines if squeezed(line) not in flat]


def test_pdf_holds_every_seed_item_and_every_answer_of_the_demo_in_french(demo):
    data = to_pdf.build(demo["fr"])
    text = "\n".join(pdf_pages(data))
    assert missing_seed_items(text) == []
    # Dates print in words (« 1 mars 2027 »), so typed cells are checked apart, below.
    assert not_in(answer_lines(demo["fr"], typed_cells=False), text) == []
    assert "1 mars 2027" in text  # the first pilot action's start, 2027-03-01
    assert "18500000XOF" in squeezed(text)  # its budget


def test_pdf_in_english_holds_every_question_option_and_answer_in_english(demo):
    text = "\n".join(pdf_pages(to_pdf.build(demo["en"])))
    levels = {c.label for e in _entries(demo["en"]) for c in e.levels}
    # A card's heading is its record's title: the title field's label does not print there.
    titles = {
        e.columns[e.title_column]
        for e in _entries(demo["en"])
        if e.records and e.title_column is not None and to_pdf._layout(e) != "table"
    }
    # Only the chosen level of a maturity question prints, with its rubric.
    lines = [line for line in worksheet_lines(demo["en"]) if line not in levels | titles]
    assert not_in(lines, text) == []
    assert not_in(answer_lines(demo["en"], typed_cells=False), text) == []
    assert "What is the level of IT equipment of the urban service operators?" in text
    assert "Quel est le niveau d’équipement" not in text
    assert "Step 1 — Clarify" in text


def test_pdf_has_a_cover_contents_page_numbers_and_bookmarks(demo):
    data = to_pdf.build(demo["fr"])
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    cover = pages[0]
    for words in ("PLAN DE TRANSITION NUMÉRIQUE", "Commune de Kandia", "Kandia, Sénégal"):
        assert words in cover
    assert "Gérer les services urbains, version 3" in cover
    assert "Français" in cover and "34 sur 34 éléments renseignés" in cover
    assert demo["fr"].meta.definition_hash[:12] not in cover  # in the colophon, not here
    assert pages[1].splitlines()[1] == "Synthèse"  # right after the cover
    assert pages[2].splitlines()[1] == "Sommaire"
    # Typst ties a figure's number to its name with a no-break space.
    assert "Graphique\u00a01 Profil de maturité numérique" in pages[2]
    total = len(pages)
    # The footer: the review mark (the demo plan is a draft), which state of the plan (its
    # date and count of changes), then the page out of the total.
    meta = demo["fr"].meta
    edition = f"État au {long_date(meta.generated, 'fr')} · révision {meta.revision_count}"
    assert meta.revision_count > 50
    assert pages[1].splitlines()[-1] == f"Projet — non validé · {edition} · Page 2 sur {total}"
    assert pages[-1].splitlines()[-1] == (
        f"Projet — non validé · {edition} · Page {total} sur {total}"
    )
    # The colophon closes the document, with the worksheet's whole fingerprint.
    assert "Contributeurs et références" in pages[-1]
    assert demo["fr"].meta.definition_hash in pages[-1].replace("\n", "")
    # Bookmarks: the six steps, each with its sections.
    outline = reader.outline
    steps = [str(item.title) for item in outline if not isinstance(item, list)]
    # The summary, the six steps, the colophon.
    assert steps[0] == "Synthèse" and steps[-1] == "Contributeurs et références"
    assert len(steps) == 8 and steps[1].startswith("Étape 1 — Expliciter")
    sections = outline[2]
    assert isinstance(sections, list)
    assert [item.title for item in sections if not isinstance(item, list)] == [
        "1.1 Orientation du numérique",
        "1.2 Risques d’exclusion",
    ]


def test_pdf_is_tagged_with_language_title_and_chart_alternatives(demo):
    data = to_pdf.build(demo["fr"])
    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.trailer["/Root"]  # a PDF dictionary: pypdf types it as any object
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert reader.metadata is not None
    assert reader.metadata.title == "Déchets solides\u00a0: collecte et valorisation 2026-2028"
    assert b"pdfuaid" in data  # declares PDF/UA-1 in its XMP metadata
    # Each chart is a figure whose alternative text describes it.
    alternatives = _structure_alternatives(root["/StructTreeRoot"])
    assert any(a.startswith("Maturité numérique sur 7 des 7 questions") for a in alternatives)
    assert any(a.startswith("Feuille de route : 3 actions") for a in alternatives)


def _structure_alternatives(node, seen=None) -> list[str]:
    """Every /Alt text of the structure tree."""
    seen = seen if seen is not None else set()
    found: list[str] = []
    node = node.get_object()
    if id(node) in seen:
        return found
    seen.add(id(node))
    if hasattr(node, "get") and node.get("/Alt"):
        found.append(str(node["/Alt"]))
    kids = node.get("/K") if hasattr(node, "get") else None
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if hasattr(kid, "get"):
            found += _structure_alternatives(kid, seen)
    return found


TYPST_SYNTAX = (
    '#pagebreak() $x^2$ *gras* _it_ ] [ "guillemets" \\ \\n <label> @ref'
    " // pas un commentaire = Titre"
)


def test_text_full_of_typst_syntax_prints_as_typed():
    document = hand_document(
        answers={
            "competences": TYPST_SYNTAX,
            "orientation": {"choice": "inclusion", "note": "#set page(width: 1cm)"},
        },
        records={
            "actors": [("a1", {"name": '#eval("1+1") ]) @x <y>', "type": "local_authorities"})]
        },
    )
    data = to_pdf.build(document)
    text = "\n".join(pdf_pages(data))
    assert squeezed(TYPST_SYNTAX) in squeezed(text)
    assert squeezed("#set page(width: 1cm)") in squeezed(text)
    assert squeezed('#eval("1+1") ]) @x <y>') in squeezed(text)
    # Nothing ran: the page size is still A4 and no page break was added.
    reader = PdfReader(io.BytesIO(data))
    assert {round(float(p.mediabox.width)) for p in reader.pages} == {595}
    assert len(reader.pages) == len(PdfReader(io.BytesIO(to_pdf.build(hand_document()))).pages)


def test_an_empty_plan_prints_every_question_and_says_what_is_missing():
    document = hand_document()
    text = "\n".join(pdf_pages(to_pdf.build(document)))
    levels = {c.label for e in _entries(document) for c in e.levels}
    assert not_in([line for line in worksheet_lines(document) if line not in levels], text) == []
    assert "Pas encore de réponse." in text
    assert "Rien d’enregistré pour l’instant." in text
    assert squeezed("La feuille de route est vide") in squeezed(text)
    assert "Graphique\u00a04" in text


def test_french_spacing_keeps_punctuation_with_its_word():
    document = hand_document(answers={"competences": "Pourquoi ? Parce que : 1 500 FCFA, 60 % !"})
    data = to_pdf.build(document)
    assert (
        "Pourquoi\u202f? Parce que\u00a0: 1\u202f500 FCFA, 60\u202f%\u202f!"
        in to_pdf.document_data(document)["steps"][1]["sections"][0]["entries"][3]["paragraphs"][0]
    )
    assert squeezed("Pourquoi ? Parce que : 1 500 FCFA") in squeezed("\n".join(pdf_pages(data)))


def test_export_plan_writes_the_pdf_in_the_language_asked(demo, tmp_path):
    plan = demo_plan()
    assert plan is not None
    output = tmp_path / "plan.pdf"
    call_command(
        "export_plan",
        plan.pk,
        "--format",
        "pdf",
        "--output",
        str(output),
        "--lang",
        "en",
        stdout=StringIO(),
    )
    text = "\n".join(pdf_pages(output.read_bytes()))
    assert "Step 1 — Clarify" in text


def test_no_text_runs_into_the_footer_of_any_page(demo):
    """Body text stays above the bottom margin: the partner map and its table, once kept in one
    unbreakable block taller than a page, printed their last rows over the page number."""
    reader = PdfReader(io.BytesIO(to_pdf.build(demo["fr"])))
    # The footer's pieces, as pypdf reads them: the review mark, the page number.
    footer = re.compile(
        r"^(Projet — non validé)?( ?· ?)?(État au [^·]+ · révision \d+)?( ?· ?)?"
        r"(Page \d+ sur \d+)?$"
    )
    low: list[tuple[int, float, str]] = []
    for number, page in enumerate(reader.pages[1:], start=2):  # the cover has no margins

        def seen(text, cm, tm, _font, _size, number=number):
            y = tm[5] * cm[3] + cm[5]
            if text.strip() and not footer.match(text.strip()) and y < 50:
                low.append((number, round(y), text.strip()[:40]))

        page.extract_text(visitor_text=seen)
    assert low == []
