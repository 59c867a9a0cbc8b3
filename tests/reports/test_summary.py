"""The one-page summary (« Synthèse »): its totals checked against the plan's records, its place
in the PDF and on the plan page, the image to share on a phone, who wrote what, and English
typography in English documents."""

from __future__ import annotations

import io
import re
import struct
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document as Docx
from pypdf import PdfReader

from jalon.plans.demo import demo_plan
from jalon.plans.models import Plan, PlanVersion, Record, Revision
from jalon.plans.services import record_add
from jalon.reports import to_docx, to_pdf, to_png
from jalon.reports.document import edition, long_date
from jalon.reports.selectors import plan_document, version_document
from jalon.reports.summary import MAX_FUNDING, MAX_PILOTS, Funding, Total
from jalon.worksheets.loading import get_definition

from ..conftest import client_for


@pytest.fixture
def demo(db) -> Plan:
    call_command("load_demo", stdout=StringIO())
    plan = demo_plan()
    assert plan is not None
    return plan


def amounts(plan: Plan, item_id: str, field: str) -> list[tuple[str, Decimal, str]]:
    """(record uid, amount, currency) of a money field, straight from the database."""
    return [
        (r.uid, Decimal(r.data[field]["amount"]), r.data[field]["currency"])
        for r in Record.objects.filter(plan=plan, item_id=item_id)
        if r.data.get(field)
    ]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def flat(text: str) -> str:
    """Text with every run of spaces (no-break ones too) as one plain space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_the_demo_summary_adds_up_the_records(demo):
    summary = plan_document(demo, "fr").summary
    assert summary is not None
    budgets = amounts(demo, "roadmap", "budget")
    programmes = amounts(demo, "funding_programmes", "amount")
    planned = sum((amount for _uid, amount, _currency in budgets), Decimal(0))
    identified = sum((amount for _uid, amount, _currency in programmes), Decimal(0))
    # The figures: 28.1 M XOF of pilots against 93 M XOF of funding identified.
    assert (planned, identified) == (Decimal(28_100_000), Decimal(93_000_000))
    assert summary.totals == (Total("XOF", planned, identified),)
    assert summary.totals[0].balance == Decimal(64_900_000)
    # Each source: the budgets of the roadmap lines drawn on it, against its own amount.
    lines = {r.uid: r.data for r in Record.objects.filter(plan=demo, item_id="roadmap")}
    for uid, amount, currency in programmes:
        name = Record.objects.get(uid=uid).data["name"]
        row = next(f for f in summary.funding if f.source == name)
        drawn = [d for d in lines.values() if d.get("funding_source") == uid]
        assert row.identified == amount and row.currency == currency
        assert row.planned == sum(Decimal(d["budget"]["amount"]) for d in drawn)
        assert row.lines == len(drawn)
    # Each pilot action: its roadmap lines' budget, dates, lead partner and perimeter.
    assert summary.pilot_count == 3 and len(summary.pilots) == 3
    first = summary.pilots[0]
    assert first.title.startswith("Suivi GPS des tournées")
    assert [(m.amount, m.currency) for m in first.budget] == [(Decimal(18_500_000), "XOF")]
    assert first.start is not None and first.start.isoformat() == "2027-03-01"
    assert first.lead == "Tekki Track SARL" and first.perimeter.startswith("Secteur de collecte")
    assert summary.indicator_count == 6 and summary.unanswered_count == 0


def test_currencies_are_never_added_together_and_unfunded_lines_are_said(plan, people):
    owner = people["owner"]

    def add(item_id: str, **raw: object):
        return record_add(plan=plan, user=owner, item_id=item_id, raw=raw)

    euros = add(
        "funding_programmes", name="Fonds en euros", amount={"amount": "10000", "currency": "EUR"}
    )
    francs = add(
        "funding_programmes",
        name="Fonds en francs",
        amount={"amount": "5000000", "currency": "XOF"},
    )
    pilots = [add("pilot_actions", title=f"Action {n}", family="data") for n in range(3)]
    add(
        "roadmap",
        action=pilots[0].uid,
        budget={"amount": "2000", "currency": "EUR"},
        funding_source=euros.uid,
    )
    add("roadmap", action=pilots[1].uid, budget={"amount": "1000000", "currency": "XOF"})
    add(
        "roadmap",
        action=pilots[2].uid,
        budget={"amount": "500", "currency": "EUR"},
        funding_source=francs.uid,
    )
    summary = plan_document(plan, "fr").summary
    assert summary is not None
    assert summary.totals == (
        Total("EUR", Decimal(2500), Decimal(10000)),
        Total("XOF", Decimal(1_000_000), Decimal(5_000_000)),
    )
    assert summary.funding == (
        Funding("Fonds en euros", "", "EUR", Decimal(2000), Decimal(10000), 1),
        Funding("Fonds en francs", "", "XOF", Decimal(0), Decimal(5_000_000), 0),
        Funding("", "", "XOF", Decimal(1_000_000), None, 1),  # no source named
        Funding("Fonds en francs", "", "EUR", Decimal(500), None, 1),  # not its currency
    )
    text = flat(
        PdfReader(io.BytesIO(to_pdf.build(plan_document(plan, "fr")))).pages[1].extract_text()
    )
    assert "Source non précisée" in text
    assert "Total EUR 10 000 EUR 2 500 EUR 7 500 EUR" in text
    assert "Total XOF 5 000 000 XOF 1 000 000 XOF 4 000 000 XOF" in text


def test_the_summary_is_the_pdf_page_after_the_cover_in_both_languages(demo):
    for language, words in (
        ("fr", ("Synthèse", "Total XOF 93 000 000 XOF 28 100 000 XOF 64 900 000 XOF", "Sommaire")),
        ("en", ("Summary", "Total XOF 93,000,000 XOF 28,100,000 XOF 64,900,000 XOF", "Contents")),
    ):
        pages = PdfReader(io.BytesIO(to_pdf.build(plan_document(demo, language)))).pages
        summary = flat(pages[1].extract_text())
        assert pages[1].extract_text().splitlines()[1] == words[0]
        assert words[1] in summary
        assert "Tekki Track SARL" in summary  # a pilot's lead partner
        assert pages[2].extract_text().splitlines()[1] == words[2]  # it holds on one page


def test_a_large_plan_keeps_its_summary_on_one_page_and_its_image_under_300_kb(plan, people):
    owner = people["owner"]
    long = "Un intitulé très long pour une action test dans un quartier éloigné " * 4
    sources = [
        record_add(
            plan=plan,
            user=owner,
            item_id="funding_programmes",
            raw={
                "name": f"Programme {n} {long}",
                "amount": {"amount": "1000000", "currency": "XOF"},
            },
        )
        for n in range(MAX_FUNDING + 4)
    ]
    for n in range(MAX_PILOTS + 12):
        pilot = record_add(
            plan=plan, user=owner, item_id="pilot_actions", raw={"title": f"{n} {long}"[:200]}
        )
        record_add(
            plan=plan,
            user=owner,
            item_id="roadmap",
            raw={
                "action": pilot.uid,
                "budget": {"amount": "250000", "currency": "XOF"},
                "funding_source": sources[n % len(sources)].uid,
            },
        )
    document = plan_document(plan, "fr")
    pages = PdfReader(io.BytesIO(to_pdf.build(document))).pages
    summary = flat(pages[1].extract_text())
    assert f"Actions test ({MAX_PILOTS + 12})" in summary
    assert "… et 12 autres actions test" in summary and "4 autres sources" in summary
    # Every pilot's budget and every source still count.
    planned, identified = (MAX_PILOTS + 12) * 250_000, (MAX_FUNDING + 4) * 1_000_000
    total = f"Total XOF {identified:,} XOF {planned:,} XOF {identified - planned:,} XOF"
    assert total.replace(",", " ") in summary
    assert pages[2].extract_text().splitlines()[1] == "Sommaire"
    image = to_png.build(document)
    assert len(image) <= to_png.MAX_BYTES
    width, height = png_size(image)
    assert to_png.MIN_WIDTH <= width <= to_png.WIDTH and height > width  # portrait


def test_the_summary_image_reads_on_a_phone(demo, tmp_path):
    for language in ("fr", "en"):
        output = tmp_path / f"summary-{language}.png"
        call_command(
            "export_plan",
            demo.pk,
            "--format",
            "png",
            "--output",
            str(output),
            "--lang",
            language,
            stdout=StringIO(),
        )
        data = output.read_bytes()
        width, height = png_size(data)
        # A phone's width, drawn at it (nothing to zoom), portrait, under 300 KB.
        assert width == 1080 and height > 2 * width
        assert len(data) < 300_000


def test_the_plan_page_shows_the_summary_and_offers_its_image(client, demo):
    client_for(client, demo.organisation.memberships.first().user)
    page = client.get(f"/plans/{demo.pk}/").content.decode()
    assert '<h2 id="summary-title">Synthèse</h2>' in page
    assert "93\u00a0000\u00a0000 XOF" in page and "28\u00a0100\u00a0000 XOF" in page
    assert f'href="/plans/{demo.pk}/download/png/?lang=fr"' in page
    response = client.get(f"/plans/{demo.pk}/download/png/?lang=fr")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert (
        png_size(
            b"".join(response.streaming_content if response.streaming else [response.content])
        )[0]
        == 1080
    )


def test_contributors_come_from_the_history(demo):
    document = plan_document(demo, "fr")
    counts: dict[str, int] = {}
    for revision in Revision.objects.filter(plan=demo).select_related("user"):
        name = revision.user.name if revision.user else revision.file_author
        counts[name] = counts.get(name, 0) + 1
    assert {c.name: c.changes for c in document.contributors} == counts
    assert document.contributors[0].changes == max(counts.values())  # the most active first
    last = PdfReader(io.BytesIO(to_pdf.build(document))).pages[-1].extract_text()
    awa = next(c for c in document.contributors if c.name == "Awa Demba")
    assert f"{awa.changes} modifications, dans les sections {', '.join(awa.sections)}" in flat(last)


def option_labels(language: str) -> set[str]:
    """Every option's label of the worksheet's choice items and fields, in one language."""
    definition = get_definition("gerer-les-services-urbains", 3)
    options = [o for item in definition.items for o in item.leaf_options()]
    options += [
        leaf
        for item in definition.items
        for field in item.fields
        for option in field.options
        for leaf in option.options or (option,)
    ]
    return {str(o.label.en if language == "en" else o.label.fr) for o in options}


def test_english_documents_use_english_punctuation(demo):
    """« Technical ; Human » was printed 61 times in English documents: Jalon joined choices
    with the French spaced semicolon. (The team's own words are theirs: the demo's are French,
    with French spacing, so only what Jalon writes around them is checked.)"""
    english = plan_document(demo, "en")
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf.build(english))).pages)
    docx = Docx(io.BytesIO(to_docx.build(english)))
    words = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
        cell.text for table in docx.tables for row in table.rows for cell in row.cells
    )
    labels = option_labels("en")
    for text in (flat(pdf), flat(words)):
        assert [label for label in labels if f"{label} ;" in text] == []
        assert "Technical; Human" in text  # choices still separated, the English way
        assert "Target :" not in text
    french = "\n".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(to_pdf.build(plan_document(demo, "fr")))).pages
    )
    assert "Techniques\u202f; Humaines" in french  # French keeps its no-break space before « ; »


def test_a_frozen_version_says_which_in_every_footer(demo):
    version = PlanVersion.objects.filter(plan=demo, kind=PlanVersion.Kind.SNAPSHOT).get()
    document = version_document(version, "fr")
    day = long_date(timezone.localtime(version.created).date(), "fr")
    assert len(version.name) <= 40  # a longer name is cut, with « … »
    mark = f"Version «\u00a0{version.name}\u00a0» du {day}"
    assert edition(document.meta) == mark
    pages = PdfReader(io.BytesIO(to_pdf.build(document))).pages
    for page in pages[1:]:
        assert flat(page.extract_text().splitlines()[-1]).startswith(
            flat(f"Projet — non validé · {mark} · Page")
        )


def test_the_docx_opens_with_the_summary_and_ends_with_the_colophon(demo):
    document = plan_document(demo, "fr")
    word = Docx(io.BytesIO(to_docx.build(document)))
    tables = [[[flat(c.text) for c in row.cells] for row in t.rows] for t in word.tables]
    cover, facts, pilots, funding, indicators = tables[:5]
    assert ["État du plan", "Projet — non validé"] in facts
    assert pilots[-1] == ["Total XOF", "", "", "", "28 100 000 XOF"]
    assert funding[-1] == ["Total XOF", "93 000 000 XOF", "28 100 000 XOF", "64 900 000 XOF"]
    assert len(indicators) == 1 + 6
    # The worksheet's fingerprint is in the colophon, not on the cover.
    hash_ = document.meta.definition_hash
    assert all(hash_ not in cell for row in cover for cell in row)
    assert [hash_ for row in tables[-1] for cell in row if cell == hash_] == [hash_]
    assert tables[-2][1][0] == document.contributors[0].name
