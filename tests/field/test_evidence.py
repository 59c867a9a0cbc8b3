"""The operators' survey kept as evidence of step 2: stored once, summarised honestly (shares of
those asked), drawn on the server, shown beside the maturity questions and in every deliverable."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter

import docx
import openpyxl
import pytest
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from jalon.field.demo import add_demo_responses, demo_responses
from jalon.field.evidence import (
    ItemEvidence,
    OperatorAnswers,
    OperatorsSummary,
    codes,
    is_asked,
    remove_response,
    store_responses,
    summarise,
)
from jalon.field.models import OperatorResponse
from jalon.plans.models import Plan
from jalon.plans.plan_file import PlanFileError, parse
from jalon.plans.services import answer_save, definition_of, plan_import
from jalon.reports import to_csv, to_docx, to_json, to_pdf, to_xlsx
from jalon.reports.charts.operators import headline, operators_charts, percent
from jalon.reports.selectors import plan_document, plan_export
from jalon.worksheets.survey import Question, bundled_survey

from ..conftest import client_for

RESPONSES = demo_responses()


def headline_in(language: str) -> str:
    """« 50 opérateurs interrogés, du 2 mars 2026 au 18 mars 2026 », as the pages word it."""
    with translation.override(language):
        return headline(summarise(bundled_survey(), RESPONSES, language))


@pytest.fixture
def surveyed(plan, people):
    assert add_demo_responses(plan, people["owner"]) == 50
    plan.refresh_from_db()
    return plan


def survey_question(question_id: str) -> Question:
    question = bundled_survey().question(question_id)
    assert question is not None
    return question


def evidence_of(summary: OperatorsSummary, item_id: str) -> ItemEvidence:
    found = summary.item(item_id)
    assert found is not None
    return found


def step_of_maturity(plan: Plan) -> str:
    step = definition_of(plan).step_of("maturity_equipment")
    assert step is not None
    return step.id


def expected_counts(question_id: str) -> tuple[int, Counter[str]]:
    """Computed here from the raw data, independently of the summary: how many were asked
    the question, and how many chose each code."""
    question = survey_question(question_id)
    asked = [r.answers for r in RESPONSES if is_asked(question, r.answers)]
    return len(asked), Counter(code for a in asked for code in set(codes(a.get(question_id))))


# Storing ------------------------------------------------------------------------------------


def test_the_same_responses_imported_twice_are_kept_once(surveyed, people):
    before = surveyed.updated
    again = store_responses(
        plan=surveyed,
        user=people["editor"],
        survey=bundled_survey(),
        responses=RESPONSES,
        source="again.xlsx",
    )
    assert (again.added, again.already_there) == (0, 50)
    assert OperatorResponse.objects.filter(plan=surveyed).count() == 50
    surveyed.refresh_from_db()
    assert surveyed.updated == before  # nothing changed: the pages' caches stay valid


def test_a_response_repeated_in_one_file_counts_once(plan, people):
    one = RESPONSES[0]
    stored = store_responses(
        plan=plan, user=None, survey=bundled_survey(), responses=[one, one], source="x.csv"
    )
    assert (stored.added, stored.already_there) == (1, 1)


def test_removing_a_response_bumps_the_plan_and_takes_it_out(surveyed, people):
    before = surveyed.updated
    first = OperatorResponse.objects.filter(plan=surveyed).earliest("pk")
    assert remove_response(plan=surveyed, user=people["owner"], response_id=first.pk)
    assert not remove_response(plan=surveyed, user=people["owner"], response_id=first.pk)
    surveyed.refresh_from_db()
    assert surveyed.updated > before
    assert OperatorResponse.objects.filter(plan=surveyed).count() == 49


# The summary --------------------------------------------------------------------------------


def test_the_summary_counts_operators_types_dates_and_positions():
    summary = summarise(bundled_survey(), RESPONSES, "fr")
    assert summary.count == 50
    assert summary.located == 35
    assert str(summary.first) == "2026-03-02" and str(summary.last) == "2026-03-18"
    types = Counter(r.answers["operator_type"] for r in RESPONSES)
    assert {s.code: s.count for s in summary.types} == dict(types)
    assert sum(s.count for s in summary.neighbourhoods) == 50
    places = Counter(r.answers["neighbourhood"] for r in RESPONSES)
    assert len(places) > 8  # the demo names more neighbourhoods than the summary shows
    *top, rest = summary.neighbourhoods
    assert len(top) == 8 and rest.label == "autres quartiers"
    assert rest.count == 50 - sum(s.count for s in top)


@pytest.mark.parametrize(
    "question_id", ["equipment", "uses", "online_presence", "data_kept", "data_medium"]
)
def test_each_distribution_matches_the_data(question_id):
    summary = summarise(bundled_survey(), RESPONSES, "fr")
    found = next(q for i in summary.items for q in i.questions if q.id == question_id)
    asked, counts = expected_counts(question_id)
    assert found.asked == asked
    assert {s.code: s.count for s in found.options if s.count} == dict(counts)
    assert all(s.base == asked for s in found.options)


def test_a_question_asked_of_some_counts_its_shares_over_them_alone():
    summary = summarise(bundled_survey(), RESPONSES, "fr")
    medium = next(q for i in summary.items for q in i.questions if q.id == "data_medium")
    kept_nothing = sum("none" in r.answers["data_kept"] for r in RESPONSES)
    assert kept_nothing > 0
    assert medium.asked == 50 - kept_nothing
    paper = next(s for s in medium.options if s.code == "paper")
    assert paper.percent == round(100 * paper.count / medium.asked)
    assert paper.percent != round(100 * paper.count / 50)


def test_an_unanswered_question_is_counted_as_such_not_as_a_share():
    answers = [
        OperatorAnswers("a", None, {"operator_type": "startup", "equipment": ["gps"]}, None, None),
        OperatorAnswers("b", None, {"operator_type": "startup"}, None, None),
    ]
    summary = summarise(bundled_survey(), answers, "en")
    equipment = evidence_of(summary, "maturity_equipment").questions[0]
    assert (equipment.asked, equipment.answered, equipment.unanswered) == (2, 1, 1)
    assert next(s for s in equipment.options if s.code == "gps").percent == 50
    assert summary.first is None and summary.located == 0


def test_start_ups_named_are_listed_the_same_name_once():
    summary = summarise(bundled_survey(), RESPONSES, "fr")
    names = next(
        q for q in evidence_of(summary, "maturity_startups").questions if q.id == "startups_names"
    )
    given = [r.answers["startups_names"] for r in RESPONSES if "startups_names" in r.answers]
    assert {t.label: t.count for t in names.texts} == dict(Counter(given))
    assert names.asked == sum(r.answers["startups_known"] == "yes" for r in RESPONSES)


# Charts ---------------------------------------------------------------------------------------


def test_each_chart_has_a_bar_per_option_with_its_numbers(surveyed):
    document = plan_document(surveyed, "fr")
    charts = {c.id: c for c in operators_charts(document)}
    equipment = charts["operators-maturity_equipment"]
    assert equipment.svg is not None
    asked, counts = expected_counts("equipment")
    question = survey_question("equipment")
    drawn = re.findall(r">(\d+) \((\d+)\u00a0%\)</text>", equipment.svg)
    assert len(drawn) == len(question.options)
    for option, (count, share) in zip(question.options, drawn, strict=True):
        assert int(count) == counts[option.code]
        assert int(share) == round(100 * counts[option.code] / asked)
    assert "<title id=" in equipment.svg and "<desc id=" in equipment.svg
    rows = [row for row in equipment.table[1:] if row[1] == "Smartphone"]
    assert rows == [(question.label.fr, "Smartphone", str(counts["smartphone"]), "50", rows[0][4])]
    assert len(equipment.svg) < 8000  # small in bytes


def test_the_map_has_a_point_per_located_operator_a_scale_and_a_north_arrow(surveyed):
    chart = next(c for c in operators_charts(plan_document(surveyed, "fr")) if c.id.endswith("map"))
    assert chart.svg is not None
    body = chart.svg.split("</desc>", 1)[1]
    legend_dots = len(re.findall(r'<circle [^>]*r="5" fill="[^"]+"/>', body))
    points = len(re.findall(r'<circle [^>]*stroke="#fff"/>', body))
    assert points == 35
    assert legend_dots == len({r.answers["operator_type"] for r in RESPONSES[:35]})
    assert re.search(r">\d+[ \u00a0](k)?m</text>", body)  # the scale bar's distance
    assert ">N</text>" in body
    assert "http" not in body.replace("http://www.w3.org/2000/svg", "")  # no tiles, no host


def test_no_response_no_section(plan):
    document = plan_document(plan, "fr")
    assert document.operators is None
    assert operators_charts(document) == ()


# Pages ----------------------------------------------------------------------------------------


def test_step_2_shows_the_survey_and_each_distribution(client, surveyed, people):
    client_for(client, people["viewer"])
    page = client.get(f"/plans/{surveyed.pk}/steps/{step_of_maturity(surveyed)}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert headline_in("fr") in html
    asked, counts = expected_counts("equipment")
    item = html.split('id="item-maturity_equipment"', 1)[1].split('id="item-', 1)[0]
    with translation.override("fr"):
        share = percent(round(100 * counts["smartphone"] / asked))
    assert f"Smartphone&nbsp;: {share}" in item
    # The three answers given most, the most frequent first; the others on the survey's page.
    question = survey_question("equipment")
    labels = {o.code: o.label.fr for o in question.options}
    order = [labels[code] for code, _n in counts.most_common()]
    assert len(order) > 3
    positions = [item.index(f"{label}&nbsp;:") for label in order[:3]]
    assert positions == sorted(positions)
    assert all(f"{label}&nbsp;:" not in item for label in order[3:]) and " · …</p>" in item
    assert f"/plans/{surveyed.pk}/operators/" in html


def test_the_plan_page_links_to_the_survey_instead_of_drawing_its_charts(client, surveyed, people):
    client_for(client, people["viewer"])
    html = client.get(f"/plans/{surveyed.pk}/").content.decode()
    assert f'href="/plans/{surveyed.pk}/operators/"' in html
    assert "50 opérateurs interrogés, graphiques et carte" in html
    assert 'id="chart-maturity"' in html and "chart-operators" not in html


def test_step_2_reads_the_responses_again_only_when_they_change(
    client, surveyed, people, django_assert_max_num_queries
):
    client_for(client, people["editor"])
    url = f"/plans/{surveyed.pk}/steps/{step_of_maturity(surveyed)}/"
    assert headline_in("fr") in client.get(url).content.decode()
    # A colleague's save: the step is drawn again, the survey's summary comes from the cache
    # (the same six queries as a plan without a survey, tests/plans/test_speed.py).
    answer_save(plan=surveyed, user=people["owner"], item_id="competences", raw="X", base_version=0)
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert "X</textarea>" in html and headline_in("fr") in html


def test_step_2_without_responses_says_what_the_survey_is_for(client, plan, people):
    client_for(client, people["viewer"])
    html = client.get(f"/plans/{plan.pk}/steps/{step_of_maturity(plan)}/").content.decode()
    assert f'href="/plans/{plan.pk}/xlsform/operators/"' in html
    assert headline_in("fr") not in html


def test_step_2_shows_new_responses_at_once(client, plan, people):
    client_for(client, people["viewer"])
    url = f"/plans/{plan.pk}/steps/{step_of_maturity(plan)}/"
    assert headline_in("fr") not in client.get(url).content.decode()
    add_demo_responses(plan, people["editor"])
    assert headline_in("fr") in client.get(url).content.decode()


def test_the_operators_page_lists_charts_map_and_responses_page_by_page(client, surveyed, people):
    client_for(client, people["viewer"])
    html = client.get(f"/plans/{surveyed.pk}/operators/").content.decode()
    assert html.count("<svg") == 2 + len(summarise(bundled_survey(), RESPONSES, "fr").items)
    assert html.count('id="response-') == 20
    assert "?page=3" in client.get(f"/plans/{surveyed.pk}/operators/?page=2").content.decode()
    assert "/remove/" not in html  # a viewer cannot remove


def test_an_editor_removes_a_response_after_confirming(client, surveyed, people):
    client_for(client, people["editor"])
    first = OperatorResponse.objects.filter(plan=surveyed).earliest("pk")
    url = f"/plans/{surveyed.pk}/operators/{first.pk}/remove/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert OperatorResponse.objects.filter(pk=first.pk).exists()
    assert client.post(url).status_code == 302
    assert not OperatorResponse.objects.filter(pk=first.pk).exists()


def test_an_outsider_cannot_see_the_operators_page(client, surveyed, people, other_plan):
    client_for(client, people["outsider"])
    assert client.get(f"/plans/{surveyed.pk}/operators/").status_code == 404
    first = OperatorResponse.objects.filter(plan=surveyed).earliest("pk")
    assert client.post(f"/plans/{surveyed.pk}/operators/{first.pk}/remove/").status_code == 404
    # Nor through a plan of their own: the response belongs to another plan.
    assert client.post(f"/plans/{other_plan.pk}/operators/{first.pk}/remove/").status_code == 404
    assert OperatorResponse.objects.filter(pk=first.pk).exists()


# Deliverables ---------------------------------------------------------------------------------


def test_the_pdf_carries_the_survey(surveyed):
    data = to_pdf.build(plan_document(surveyed, "fr"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert headline_in("fr").split(",")[0] in re.sub(r"\s+", " ", text)


def test_the_docx_carries_the_survey(surveyed):
    document = docx.Document(io.BytesIO(to_docx.build(plan_document(surveyed, "fr"))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert headline_in("fr") in text


def test_the_xlsx_has_a_row_per_operator_with_labels_and_the_distribution(surveyed):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx.build(plan_document(surveyed, "fr"))))
    responses = book["Enquête opérateurs — réponses"]
    rows = list(responses.iter_rows(values_only=True))
    header = rows[0]
    data = [row for row in rows[1:] if any(row)]
    assert len(data) == 50
    kind = header.index("Type d’opérateur")
    assert Counter(row[kind] for row in data)["Opérateur informel, seul ou en famille"] == 22
    distribution = list(book["Enquête opérateurs — synthèse"].iter_rows(values_only=True))
    asked, counts = expected_counts("equipment")
    smartphone = [row for row in distribution if row[2] == "Smartphone"]
    assert smartphone[0][3:5] == (counts["smartphone"], asked)


def test_the_csv_zip_has_the_responses_file(surveyed):
    archive = zipfile.ZipFile(io.BytesIO(to_csv.build(plan_document(surveyed, "fr"))))
    name = next(n for n in archive.namelist() if "reponses" in n)
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 51


def test_no_response_no_sheet(plan):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx.build(plan_document(plan, "fr"))))
    assert not any("opérateurs" in name for name in book.sheetnames)
    assert plan_export(plan)["operators"] == []


def test_the_json_export_keeps_the_responses_and_its_import_restores_them(
    surveyed, organisation, people
):
    exported = plan_export(surveyed)
    assert len(exported["operators"]) == 50
    data = parse(to_json.build(exported))
    assert len(data.operators) == 50
    copy = plan_import(organisation=organisation, user=people["editor"], data=data)
    kept = OperatorResponse.objects.filter(plan=copy).order_by("submitted", "id")
    assert [r.answers for r in kept] == [e["answers"] for e in exported["operators"]]
    assert sum(r.latitude is not None for r in kept) == 35


def test_a_plan_file_with_a_wrong_operators_code_is_refused_naming_the_response(surveyed):
    exported = json.loads(to_json.build(plan_export(surveyed)))
    exported["operators"][2]["answers"]["equipment"] = ["jetpack"]
    with pytest.raises(PlanFileError) as refused:
        parse(json.dumps(exported).encode())
    assert any("3" in m and "equipment" in m for m in refused.value.messages)


def test_the_plans_activity_says_who_added_responses(client, surveyed, people):
    client_for(client, people["viewer"])
    html = client.get(f"/plans/{surveyed.pk}/activity/").content.decode()
    assert f"/plans/{surveyed.pk}/operators/" in html
    assert "Owner" in html and "50" in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_operators_page_shows_the_survey_file_as_written(client, surveyed, people, language):
    """The survey definition file, as people read it: its title, its introduction, each
    question and each option, in the page's language, on the survey's page."""
    first = OperatorResponse.objects.filter(plan=surveyed).order_by("submitted", "id").first()
    assert first is not None and first.latitude is not None
    first.answers = {**first.answers, "remarks": "Entretien au garage"}  # an optional question
    first.save()
    client_for(client, people["viewer"])
    if language == "en":
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/plans/{surveyed.pk}/operators/?page=1").content.decode()
    position = f"{first.latitude:.5f}".replace(".", "," if language == "fr" else ".")
    assert position in html  # the located response says where
    survey = bundled_survey()
    missing = [
        text
        for text in (
            survey.intro.get(language),
            *(q.label.get(language) for q in survey.questions),
            *(o.label.get(language) for q in survey.questions for o in q.options),
        )
        if escape(text) not in html
    ]
    assert missing == []
