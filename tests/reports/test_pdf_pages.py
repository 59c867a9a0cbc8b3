"""Every page of the PDF is clean, read back word by word with pdfplumber: no two words print
over each other, nothing but the running header and footer reaches the page's margins, and no
heading is left alone at the foot of a page. Checked on the demo plan and on a plan written to
stress the layout (10,000-character texts, cards taller than a page, a partner map of twelve
actors), in French and in English.

The partner map once printed its last table rows over each other and over the page number
(an unbreakable chart block taller than a page); a pilot action card with a long description
was still one unbreakable block, so it ran over the footer and off the page.
"""

from __future__ import annotations

import bisect
import io
import itertools
import random
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pdfplumber
import pytest
from django.core.management import call_command
from django.utils import translation

from bench.formats import line, prose
from jalon.plans.demo import PLAN, demo_organisation, demo_plan
from jalon.plans.models import Plan
from jalon.plans.services import answer_save, definition_of, plan_create, record_add
from jalon.reports import to_pdf
from jalon.reports.selectors import plan_document
from jalon.worksheets.schema import FieldKind, ItemKind

from .test_docx import hand_document
from .test_pdf import pdf_pages, squeezed

POINTS_PER_CM = 72 / 2.54
# The page's margins in plan.typ: the running header above, the footer below.
TOP_MARGIN = 2.2 * POINTS_PER_CM
BOTTOM_MARGIN = 2.0 * POINTS_PER_CM
# Headings' sizes in plan.typ: level 2 (sections), level 3 (questions, in bold).
HEADING_SIZES = (13.5, 10.5)
# Glyph boxes of neighbouring lines may touch by rounding; a real overlap is far more.
TOLERANCE = 0.5
# A line's glyph boxes reach a little past the baseline a page's text ends on; the header's
# and footer's text sits well within the margins.
SLACK = 4.0
FOOTER = {"fr": "Page {page} sur {total}", "en": "Page {page} of {total}"}


def _words(page: Any) -> list[dict[str, Any]]:
    """The page's words, but not the charts' slanted axis labels: pdfplumber reads each of
    their letters as a word of its own, and the boxes of slanted letters overlap."""
    level = page.filter(
        lambda o: (
            o.get("object_type") != "char"
            or (abs(o["matrix"][1]) < 0.01 and abs(o["matrix"][2]) < 0.01)
        )
    )
    words: list[dict[str, Any]] = level.extract_words(extra_attrs=["size", "fontname"])
    return words


def _overlaps(words: list[dict[str, Any]]) -> Iterator[str]:
    """Pairs of words whose boxes overlap. Words of one line never do: pdfplumber splits a
    line at its spaces."""
    ordered = sorted(words, key=lambda w: w["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["top"] >= a["bottom"] - TOLERANCE:
                break
            across = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if across > TOLERANCE and down > TOLERANCE:
                yield f"« {a['text']} » over « {b['text']} »"


def _is_heading(word: dict[str, Any]) -> bool:
    level2, level3 = HEADING_SIZES
    return abs(word["size"] - level2) < 0.05 or (
        abs(word["size"] - level3) < 0.05 and "Bold" in word["fontname"]
    )


def page_problems(data: bytes, language: str, header: str, lead: str = "") -> list[str]:
    """What is wrong on each page but the cover (it has no margins): words over each other,
    words in the header's or the footer's band that are not theirs, a heading as the page's
    last line. `lead`: what the footer says before the page number (the review mark and which
    state of the plan), when the caller knows it."""
    problems: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        total = len(pdf.pages)
        for number, page in enumerate(pdf.pages[1:], start=2):
            words = _words(page)
            foot = page.height - BOTTOM_MARGIN + SLACK
            problems += [f"p. {number}: {o}" for o in _overlaps(words)]
            # Any letter, slanted ones too (a chart's axis labels), in a margin but not one of
            # the header's or footer's words: a drawing taller than the page overflows there.
            outside = [
                c["text"]
                for c in page.chars
                if (c["top"] < TOP_MARGIN - SLACK or c["bottom"] > foot)
                and (abs(c["matrix"][1]) > 0.01 or c["size"] > 8.05)
            ]
            if outside:
                problems.append(f"p. {number}: « {''.join(outside)[:60]} » in a margin")
            top = " ".join(w["text"] for w in words if w["top"] < TOP_MARGIN - SLACK)
            bottom = " ".join(w["text"] for w in words if w["bottom"] > foot)
            body = [w for w in words if w["top"] >= TOP_MARGIN - SLACK and w["bottom"] <= foot]
            footer = FOOTER[language].format(page=number, total=total)
            expected = f"{lead} · {footer}" if lead else None
            if bottom != expected if expected else not bottom.endswith(" · " + footer):
                problems.append(f"p. {number}: footer band reads « {bottom} »")
            if top != header:
                problems.append(f"p. {number}: header band reads « {top} »")
            if body:
                last = max(w["bottom"] for w in body)
                last_line = [w for w in body if abs(w["bottom"] - last) < 2]
                if all(_is_heading(w) for w in last_line):
                    text = " ".join(w["text"] for w in last_line)
                    problems.append(f"p. {number}: heading « {text} » ends the page")
    return problems


class Pages:
    """The PDF's text without white space, page after page (each without its header and
    footer lines), to find on which page a text starts or ends."""

    def __init__(self, data: bytes) -> None:
        pages = [squeezed(page) for page in pdf_pages(data)]
        self.text = "".join(pages)
        self.ends = list(itertools.accumulate(len(page) for page in pages))

    def page(self, position: int) -> int:
        return bisect.bisect_right(self.ends, position) + 1

    def find(self, text: str, start: int) -> int:
        """Where `text` starts, at or after `start` (-1: not found)."""
        return self.text.find(squeezed(text), start)


def split_blocks(data: bytes, document: dict[str, Any]) -> list[str]:
    """Maturity levels whose rubric is not on the level line's page, and groups of options
    short enough to stay whole that are split across two pages."""
    pages = Pages(data)
    problems: list[str] = []
    position = 0
    entries = [e for step in document["steps"] for s in step["sections"] for e in s["entries"]]
    for entry in entries:
        found = pages.find(entry["question"], position)
        if found < 0:  # a question cut by a page break: the entries after it are still checked
            continue
        position = found
        if entry["kind"] == "maturity" and entry["level"] is not None and entry["rubric"]:
            level = pages.find(entry["level_text"], position)
            rubric = pages.find(entry["rubric"], level)
            end = rubric + len(squeezed(entry["rubric"])) - 1
            if pages.page(level) != pages.page(end):
                problems.append(f"p. {pages.page(level)}: « {entry['level_text']} » split")
        groups: dict[str, list[str]] = {}
        for choice in entry["choices"]:
            groups.setdefault(choice["family"], []).append(choice["label"])
        for family, labels in groups.items():
            rows = (len(labels) + 1) // 2 if len(labels) > 6 else len(labels)
            if rows > 12:  # a long group may run on
                continue
            first = pages.find(family or labels[0], position)
            last = pages.find(labels[-1], first)
            if first >= 0 and last >= 0 and pages.page(first) != pages.page(last):
                problems.append(f"p. {pages.page(first)}: « {family or labels[0]} » split")
    return problems


def header_of(data: dict[str, Any]) -> str:
    """The running header as pdfplumber reads it: words joined by single spaces."""
    meta = data["meta"]
    return " ".join(f"{meta['municipality']} · {meta['service']} {meta['short_title']}".split())


def check(plan: Plan, language: str) -> list[str]:
    document = plan_document(plan, language)
    with translation.override(language):
        data = to_pdf.document_data(document)
    pdf = to_pdf.build(document)
    lead = " ".join(f"{data['review']['mark']} · {data['meta']['edition']}".split())
    return page_problems(pdf, language, header_of(data), lead) + split_blocks(pdf, data)


# A plan that stresses the layout, written through the services as a team's edits.
LONG = 10_000
COUNTS = {
    "excluded_groups": 3,
    "informal_operators": 2,
    "funding_programmes": 4,
    "actors": 12,
    "partners": 12,
    "pilot_actions": 6,
    "perimeters": 6,
    "roadmap": 6,
    "indicators": 8,
    "communication_actions": 4,
    "measurements": 12,
}
LONG_TEXTS = {"excluded_groups_text", "scale_up"}
# Lists whose first record has a 10,000-character field: a table row, a card and a stacked
# card taller than a page.
LONG_LISTS = {"excluded_groups", "partners", "pilot_actions"}


def stress_plan() -> Plan:
    """Long texts (10,000 characters) in two answers and in a field of the first record of
    three lists (a table row, a card, a stacked card taller than a page), a partner map of
    twelve actors, choice notes and maturity notes of every length, so that headings, groups and
    cards fall at every height of a page."""
    organisation = demo_organisation()
    assert organisation is not None
    membership = organisation.memberships.order_by("pk").first()
    assert membership is not None
    user = membership.user
    plan = plan_create(
        organisation=organisation, user=user, service=PLAN["service"], title="Plan d’essai"
    )
    rng = random.Random(11)  # made-up text, the same plan on every run
    uids: dict[str, list[str]] = {}
    for step in definition_of(plan).steps:
        for item in step.items:
            raw: Any
            note = prose(rng, length=rng.choice((120, 600, 1800)))
            if item.kind is ItemKind.TEXT:
                raw = prose(rng, length=LONG if item.id in LONG_TEXTS else 700)
            elif item.kind is ItemKind.SINGLE_CHOICE:
                raw = {"choice": rng.choice(item.leaf_options()).code, "note": note}
            elif item.kind is ItemKind.MULTIPLE_CHOICE:
                codes = [o.code for o in item.leaf_options()]
                raw = {"choices": rng.sample(codes, len(codes) // 2 or 1), "note": note}
            elif item.kind is ItemKind.MATURITY:
                raw = {"level": rng.randint(0, 4), "note": note}
            else:
                added = uids.setdefault(item.id, [])
                for n in range(COUNTS[item.id]):
                    data: dict[str, Any] = {}
                    texts = [f.id for f in item.fields if f.kind is FieldKind.LONG_TEXT]
                    long_field = texts[0] if texts and n == 0 and item.id in LONG_LISTS else ""
                    for field in item.fields:
                        codes = [o.code for o in field.options]
                        if field.kind is FieldKind.TEXT:
                            data[field.id] = line(rng, f"{field.label.fr} n° {n + 1}")
                        elif field.kind is FieldKind.LONG_TEXT:
                            length = LONG if field.id == long_field else rng.choice((90, 400))
                            data[field.id] = prose(rng, length=length)
                        elif field.id == "family":  # the pilot actions' two families in turn
                            data[field.id] = codes[n % len(codes)]
                        elif field.kind is FieldKind.CHOICE:
                            data[field.id] = rng.choice(codes)
                        elif field.kind is FieldKind.MULTIPLE_CHOICE:
                            data[field.id] = rng.sample(codes, len(codes) // 2 or 1)
                        elif field.kind is FieldKind.NUMBER:
                            data[field.id] = str(rng.randint(1, 10_000))
                        elif field.kind is FieldKind.MONEY:
                            amount = str(rng.randint(1, 400) * 250_000)
                            data[field.id] = {"amount": amount, "currency": "XOF"}
                        elif field.kind is FieldKind.DATE:
                            data[field.id] = f"{rng.randint(2026, 2029)}-{rng.randint(1, 12):02}-15"
                        else:  # a reference: one per target in turn
                            targets = uids[field.references or ""]
                            chosen = targets[n % len(targets)]
                            data[field.id] = [chosen] if field.multiple else chosen
                    added.append(record_add(plan=plan, user=user, item_id=item.id, raw=data).uid)
                continue
            answer_save(plan=plan, user=user, item_id=item.id, raw=raw, base_version=None)
    return plan


@pytest.fixture
def demo(db) -> Plan:
    call_command("load_demo", stdout=StringIO())
    plan = demo_plan()
    assert plan is not None
    return plan


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_of_the_demo_plan_is_clean(demo, language):
    assert check(demo, language) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_of_a_plan_of_long_texts_and_long_lists_is_clean(demo, language):
    plan = stress_plan()
    assert check(plan, language) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_partner_map_taller_than_a_page_is_drawn_smaller_not_over_the_footer(language):
    """Forty-five actors: the map's drawing, an image that cannot break, would be taller than a
    page; it is drawn smaller, and its table runs on."""
    types = ["local_authorities", "private_companies", "telecoms"]
    actors = [(f"a{n}", {"name": f"Acteur {n}", "type": types[n % 3]}) for n in range(45)]
    partners = [
        (
            f"p{n}",
            {"actor": f"a{n}", "interests": ["profit", "knowledge"], "resources": ["data"]},
        )
        for n in range(45)
    ]
    document = hand_document(records={"actors": actors, "partners": partners}, language=language)
    with translation.override(language):
        data = to_pdf.document_data(document)
    chart = next(
        c
        for step in data["steps"]
        for s in step["sections"]
        for c in s["charts"]
        if c["id"] == "partners"
    )
    assert chart["aspect"] * 17 > 20  # taller than a page's text at the column's width
    assert page_problems(to_pdf.build(document), language, header_of(data)) == []


def test_the_checks_see_words_over_each_other_and_in_the_margins():
    """The checks themselves: overlapping words, a word in the footer's band, a heading last."""
    word = {"x0": 10.0, "x1": 50.0, "top": 100.0, "bottom": 110.0, "text": "a"}
    assert list(_overlaps([word, {**word, "x0": 40.0, "top": 105.0, "text": "b"}])) == [
        "« a » over « b »"
    ]
    assert list(_overlaps([word, {**word, "x0": 40.0, "top": 110.0, "text": "b"}])) == []
    assert _is_heading({"size": 13.5, "fontname": "X+NotoSans-Bold"})
    assert not _is_heading({"size": 10.0, "fontname": "X+NotoSans-Bold"})
