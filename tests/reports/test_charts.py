"""The charts: drawn from plain data, honest about missing data, safe with any text, and the
same SVG for the page, the PDF and (as PNG) the DOCX."""

from __future__ import annotations

import datetime
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from jalon.reports.charts import Chart, all_charts, png
from jalon.reports.document import Actor, Document, Indicator, MaturityPoint, RoadmapBar

from .test_docx import demo_documents, hand_document

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def demo(db) -> dict[str, Document]:
    return demo_documents()


def charts_of(document: Document) -> dict[str, Chart]:
    return {chart.id: chart for chart in all_charts(document)}


def parsed(svg: str | None) -> ET.Element:
    """The SVG as XML: it must parse, or a browser and Typst would refuse it."""
    assert svg is not None, "no chart drawn"
    return ET.fromstring(svg)  # noqa: S314 — our own output, parsed to check it


def texts(svg: str | None) -> list[str]:
    return ["".join(t.itertext()) for t in parsed(svg).iter(f"{SVG}text")]


def with_maturity(levels: list[int | None]) -> Document:
    points = tuple(
        MaturityPoint(question=f"Question {i + 1} ?", short="", level=level)
        for i, level in enumerate(levels)
    )
    return replace(hand_document(), maturity=points)


def test_the_demo_plan_draws_four_charts_each_with_a_title_an_alternative_and_its_data(demo):
    charts = all_charts(demo["fr"])
    # The demo keeps an operators' survey: its charts come after the maturity profile.
    operators = [c.id for c in charts if c.id.startswith("operators")]
    assert [c.id for c in charts][1 : 1 + len(operators)] == operators
    assert len(operators) == 8  # overview, map, the six maturity questions it informs
    four = [c for c in charts if c.id not in operators]
    assert [c.id for c in four] == ["maturity", "partners", "roadmap", "indicators"]
    assert [c.title for c in four] == [
        "Profil de maturité numérique",
        "Carte des partenaires",
        "Feuille de route des actions pilotes",
        "Indicateurs : de la valeur de départ à la cible",
    ]
    for chart in charts:
        assert chart.svg is not None and chart.message == ""
        root = parsed(chart.svg)
        assert root.get("role") == "img"
        assert root.findtext(f"{SVG}title") == chart.title
        assert root.findtext(f"{SVG}desc") == chart.alt
        assert len(chart.alt) > 40
        header, *rows = chart.table
        assert header and rows and all(len(row) == len(header) for row in rows)
        assert chart.item  # the deliverables know where to put it


def test_charts_follow_the_documents_language(demo):
    charts = [c for c in all_charts(demo["en"]) if not c.id.startswith("operators")]
    assert [c.title for c in charts][:2] == ["Digital maturity profile", "Partner map"]
    assert any(t.startswith("Today, ") for t in texts(charts[2].svg))
    assert "Interests" in texts(charts[1].svg)


def test_chart_markup_carries_no_style_or_script_the_content_security_policy_would_refuse(demo):
    for chart in all_charts(demo["fr"]):
        assert chart.svg is not None
        assert "style=" not in chart.svg and "<style" not in chart.svg
        assert "<script" not in chart.svg and "href" not in chart.svg


def test_an_empty_plan_gets_messages_that_say_what_to_fill_instead_of_charts():
    charts = all_charts(hand_document())
    assert all(c.svg is None for c in charts)
    messages = {c.id: c.message for c in charts}
    assert "étape 2.2" in messages["maturity"]
    assert "étape 3.1" in messages["partners"]
    assert "étape 5.3" in messages["roadmap"]
    assert "étape 6.1" in messages["indicators"]
    # The maturity table still lists the seven questions, each « not answered ».
    maturity = charts[0]
    assert len(maturity.table) == 8
    assert {row[2] for row in maturity.table[1:]} == {"Non renseigné"}


def test_the_maturity_radar_numbers_its_axes_and_needs_three_levels():
    two = charts_of(with_maturity([1, 2, None, None, None, None, None]))["maturity"]
    assert two.svg is None
    assert "Seules 2 des 7 questions" in two.message
    full = charts_of(with_maturity([1, 2, 1, 1, 2, 0, 2]))["maturity"]
    root = parsed(full.svg)
    assert {"1", "2", "3", "4", "5", "6", "7"} <= set(texts(full.svg))
    shapes = [p for p in root.iter(f"{SVG}polygon") if p.get("fill") != "none"]
    assert len(shapes) == 1  # the profile, filled: every question has a level
    assert "moyenne 1,3" in full.alt


def test_a_partial_maturity_profile_is_not_drawn_as_zeros():
    partial = charts_of(with_maturity([3, 3, None, 3, 3, None, 3]))["maturity"]
    root = parsed(partial.svg)
    assert [p for p in root.iter(f"{SVG}polygon") if p.get("fill") != "none"] == []
    # Sides only between answered neighbours: 1–2, 4–5 and 7–1.
    sides = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2.5"]
    assert len(sides) == 3
    assert "Sans niveau : 3, 6." in partial.alt
    assert partial.table[3][2] == "Non renseigné"


def test_the_partner_map_shows_every_interest_and_resource_and_counts_them():
    document = replace(
        hand_document(),
        actors=(
            Actor("Mairie", "Autorités locales", ("Gains d’efficacité",), ("Humaines",)),
            Actor("Opérateur", "Entreprises", ("Perspectives de profit",), ("Techniques",)),
            Actor("ONG", "Autorités locales", (), ()),
        ),
        actor_types=("Autorités locales", "Entreprises", "Citoyens"),
        interest_options=("Perspectives de profit", "Gains d’efficacité", "Démocratie"),
        resource_options=("Financières", "Techniques", "Humaines"),
    )
    chart = charts_of(document)["partners"]
    words = texts(chart.svg)
    assert {"Perspectives de profit", "Démocratie", "Financières", "Intérêts"} <= set(words)
    # Types in the worksheet's order, an absent type left out.
    assert words.index("Autorités locales") < words.index("Entreprises")
    assert "Citoyens" not in words
    assert "Acteurs sans profil de partenaire : 1." in chart.alt
    assert chart.table[3] == ("ONG", "Autorités locales", "—", "—")


def test_actors_without_any_interest_or_resource_get_a_message_not_an_empty_matrix():
    document = replace(hand_document(), actors=(Actor("Mairie", "Autorités locales", (), ()),))
    chart = charts_of(document)["partners"]
    assert chart.svg is None
    assert chart.message.startswith("1 acteur nommé, mais aucun intérêt ni aucune ressource")


def test_the_roadmap_marks_today_and_says_which_lines_lack_dates():
    document = replace(
        hand_document(),
        roadmap=(
            RoadmapBar(
                "Pilote A",
                datetime.date(2026, 11, 1),
                datetime.date(2027, 6, 30),
                "En cours",
                "in_progress",
                "Opérateur",
            ),
            RoadmapBar("Pilote B", None, None, "Prévue", "planned", ""),
            RoadmapBar(
                "Pilote C", datetime.date(2027, 5, 1), datetime.date(2027, 2, 1), "", "", ""
            ),
        ),
    )
    chart = charts_of(document)["roadmap"]
    words = texts(chart.svg)
    assert "Aujourd’hui, 15 janvier 2027" in words  # the document's date
    assert "Dates de début et de fin à renseigner" in words
    assert "Fin avant le début" in words
    assert {"En cours", "Opérateur", "Pilote A"} <= set(words)
    assert "en cours, Pilote A" in chart.alt
    assert chart.table[1] == (
        "Pilote A",
        "1 novembre 2026",
        "30 juin 2027",
        "En cours",
        "Opérateur",
    )


def test_a_roadmap_without_dates_says_so():
    bars = (RoadmapBar("Pilote", None, None, "Prévue", "planned", ""),)
    chart = charts_of(replace(hand_document(), roadmap=bars))["roadmap"]
    assert chart.svg is None and "date de début et de fin" in chart.message


def test_indicators_go_from_baseline_to_target_in_the_readers_numbers():
    document = replace(
        hand_document(),
        indicators=(
            Indicator(
                "Délai",
                "",
                "jours",
                "9.5",
                datetime.date(2026, 9, 30),
                "3",
                datetime.date(2027, 6, 30),
            ),
            Indicator("Sans cible", "", "%", "12", None, None, None),
        ),
    )
    chart = charts_of(document)["indicators"]
    words = texts(chart.svg)
    assert "9,5\u00a0jours (sept. 2026)" in words
    assert "3\u00a0jours (juin 2027)" in words
    assert "Cible à renseigner" in words
    assert chart.table[2] == ("Sans cible", "12\u00a0%", "—")


def test_indicators_without_both_values_say_so():
    lonely = (Indicator("Taux", "", "%", None, None, "50", None),)
    chart = charts_of(replace(hand_document(), indicators=lonely))["indicators"]
    assert chart.svg is None and "étape 6.1" in chart.message


HOSTILE = '<script>alert("x")</script> & </text><svg onload=alert(1)> « ok »'


def test_any_text_a_person_typed_stays_text_in_the_drawing():
    document = replace(
        hand_document(),
        actors=(Actor(HOSTILE, HOSTILE, (HOSTILE,), ()),),
        interest_options=(HOSTILE,),
        roadmap=(
            RoadmapBar(
                HOSTILE, datetime.date(2027, 1, 1), datetime.date(2027, 3, 1), HOSTILE, "x", HOSTILE
            ),
        ),
        indicators=(Indicator(HOSTILE, "", HOSTILE, "1", None, "2", None),),
    )
    for chart in all_charts(document)[1:]:
        root = parsed(chart.svg)  # still well-formed XML
        assert [e for e in root.iter() if e.tag in (f"{SVG}script", "script")] == []
        assert not any(name.startswith("on") for e in root.iter() for name in e.attrib)
        assert any("<script>" in t for t in texts(chart.svg))  # shown, as text


def test_a_chart_renders_to_a_png_of_the_asked_width(demo):
    chart = all_charts(demo["fr"])[2]
    assert chart.svg is not None
    image = png(chart.svg, width=800)
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", image[16:24])
    assert width == 800 and 0 < height < 800


def test_a_long_roadmap_also_comes_in_page_sized_parts_on_one_axis(demo):
    """Fifty lines drawn as one image had to shrink to a third of their size to fit a page,
    illegible; the PDF and DOCX print the parts instead, ten lines each, same months."""
    from jalon.reports.charts.roadmap import PART_ROWS

    day = datetime.date(2027, 1, 1)
    bars = tuple(
        RoadmapBar(
            f"Action {n}", day, day + datetime.timedelta(days=30 * n), "Prévue", "planned", ""
        )
        for n in range(1, 26)
    )
    chart = charts_of(replace(demo["fr"], roadmap=bars))["roadmap"]
    assert chart.svg is not None and len(chart.parts) == 3
    months: list[list[str]] = []
    for n, part in enumerate(chart.parts):
        shown = [t for t in texts(part) if t.startswith("Action ")]
        assert shown == [
            f"Action {i}" for i in range(n * PART_ROWS + 1, min(25, (n + 1) * PART_ROWS) + 1)
        ]
        width, height = (float(v) for v in parsed(part).get("viewBox", "").split()[2:])
        assert height / width * 17 <= 20  # cm: at full width, within a page's room for a chart
        months.append([t for t in texts(part) if t in ("janv.", "juil.")])
    assert months[0] and months[0] == months[1] == months[2]  # the same axis on every part
    # A short roadmap is one drawing.
    assert charts_of(demo["fr"])["roadmap"].parts == ()
