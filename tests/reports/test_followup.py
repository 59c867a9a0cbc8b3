"""The follow-up in the deliverables and on the « Suivi » page: trajectory charts (accessible,
quality by shape), the roadmap's lateness beside its lines in every format, and the page itself
for members, with links back to the lists it reads."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import pdfplumber
import pytest
from django.core.management import call_command
from django.utils import timezone

from jalon.plans.demo import demo_plan
from jalon.plans.models import Plan
from jalon.plans.services import record_add
from jalon.reports import to_csv, to_docx, to_pdf, to_xlsx
from jalon.reports.charts import trajectory_charts
from jalon.reports.document import Meta, build_document
from jalon.worksheets.loading import get_definition

from ..conftest import client_for
from .test_docx import WORKSHEET, docx_text, hand_document
from .test_xlsx import column, workbook

# On the hand-made document's day, 15 January 2027: the mobile payment line, in progress,
# should have ended on 31 December 2026 (15 days late); the GPS line starts in March.
RECORDS = {
    "pilot_actions": [
        ("p1", {"title": "Paiement mobile", "family": "data"}),
        ("p2", {"title": "Suivi GPS", "family": "data"}),
    ],
    "roadmap": [
        (
            "r1",
            {"action": "p1", "start": "2026-10-01", "end": "2026-12-31", "status": "in_progress"},
        ),
        ("r2", {"action": "p2", "start": "2027-03-01", "end": "2027-09-30", "status": "planned"}),
    ],
    "indicators": [
        (
            "i1",
            {
                "name": "Taux de recouvrement",
                "unit": "%",
                "baseline_value": "34",
                "baseline_date": "2026-06-30",
                "target_value": "65",
                "target_date": "2027-12-31",
            },
        ),
        ("i2", {"name": "Points de collecte cartographiés"}),
    ],
    "measurements": [
        (
            "m1",
            {
                "indicator": "i1",
                "date": "2026-09-30",
                "value": "36",
                "source": "Cahiers de redevance",
                "quality": "reported",
            },
        ),
        (
            "m2",
            {
                "indicator": "i1",
                "date": "2026-12-31",
                "value": "45",
                "source": "Registre",
                "quality": "verified",
            },
        ),
    ],
}


@pytest.fixture
def document():
    return hand_document(records=RECORDS)


def test_a_trajectory_chart_has_a_title_a_description_a_table_and_quality_shapes(document):
    chart = trajectory_charts(document)[0]
    assert chart.title == "Trajectoire\u00a0: Taux de recouvrement"
    svg = chart.svg
    assert svg is not None
    assert 'role="img"' in svg and 'aria-labelledby="chart-trajectory-1-title' in svg
    assert "<desc" in svg and "En bonne voie" in chart.alt  # 35 % of the way, 34 % expected
    assert 'stroke-dasharray="6 4"' in svg  # the straight line, dashed
    assert re.search(r'<rect [^>]*width="10" height="10"', svg)  # verified: a square
    assert svg.count("<polygon") >= 2  # reported: a diamond, in the chart and its key
    assert "Vérifiée" in svg and "Déclarée" in svg and "Estimée" not in svg  # only those used
    header, *rows = chart.table
    assert header[4] == "Fiabilité de la donnée"
    assert [row[1] for row in rows] == ["Valeur de départ", "Mesure", "Mesure", "Cible"]
    assert rows[1][4:6] == ("Déclarée", "Cahiers de redevance")


def test_an_indicator_with_nothing_dated_gets_a_message_instead_of_a_drawing(document):
    chart = trajectory_charts(document)[1]
    assert chart.svg is None
    assert "donnez la valeur de départ et la cible" in chart.message


def test_every_deliverable_says_beside_each_roadmap_line_whether_it_is_late(document):
    roadmap = next(
        e for s in document.steps for sec in s.sections for e in sec.entries if e.id == "roadmap"
    )
    assert roadmap.columns[-1] == "En retard (calculé)"
    assert [r.cells[-1] for r in roadmap.records] == ["Oui, de 15\u00a0jours", "Non"]
    # XLSX: the column on the roadmap's sheet; the measurements keep their numbers.
    book = workbook(to_xlsx.build(document))
    sheet = next(s for s in book.worksheets if s.title.startswith("5.3"))
    assert column(sheet, "En retard (calculé)") == ["Oui, de 15\u00a0jours", "Non"]
    measurements = next(s for s in book.worksheets if s.title.startswith("6.3"))
    assert column(measurements, "Valeur") == [36, 45]
    # CSV: the same column in the roadmap's file.
    archive = zipfile.ZipFile(io.BytesIO(to_csv.build(document)))
    name = next(n for n in archive.namelist() if "feuille-de-route" in n)
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "En retard (calculé)" and rows[1][-1] == "Oui, de 15\u00a0jours"
    # DOCX.
    text = docx_text(to_docx.build(document))
    assert "En retard (calculé)" in text and "Oui, de 15\u00a0jours" in text


def pdf_text(data: bytes) -> str:
    """The PDF's text laid out as on the page (a table's row on one line), read by pdfplumber:
    a Python package, so the test needs no system tool (poppler's pdftotext is not on a bare
    machine)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text(layout=True) for page in pdf.pages)


def test_the_pdf_has_a_follow_up_part_with_the_late_line_and_the_trajectories(document):
    text = pdf_text(to_pdf.build(document))
    part = text[text.index("Suivi au 15 janvier 2027", text.index("6.3 Mesures de suivi")) :]
    assert "L’avancement est la part du chemin" in part
    assert re.search(r"Paiement mobile\s.*En cours\s+En retard de 15\s+jours", part)
    assert "Trajectoire : Taux de recouvrement" in part
    assert "En bonne voie (35 %)" in part
    assert "Trajectoire : Points de collecte cartographiés" in part


def test_a_plan_on_an_older_worksheet_is_followed_without_measurements():
    definition = get_definition(WORKSHEET, 2)
    meta = Meta(
        municipality="Commune de Test", country="Sénégal", city="Test", service="Déchets",
        title="Plan v2", definition_id=definition.id, definition_version=2,
        definition_hash=definition.hash, worksheet_title="Fiche", worksheet_source="AFD",
        language="fr", generated=datetime.date(2027, 1, 15),
    )  # fmt: skip
    records = {key: RECORDS[key] for key in ("pilot_actions", "roadmap", "indicators")}
    document = build_document(definition, {}, records, meta)
    assert not document.measured
    data = to_pdf.document_data(document)
    part = data["steps"][5]["sections"][-1]
    assert part["heading"] == "Suivi au 15 janvier 2027"
    assert "Les mesures demandent la fiche plus récente" in part["instruction"]
    assert part["entries"][0]["records"][0]["cells"][-1] == "En retard de 15\u00a0jours"
    assert part["charts"][0]["svg"] is not None  # baseline → target, dashed, without measures


# The page.


def follow_up_page(client, plan: Plan) -> str:
    response = client.get(f"/plans/{plan.pk}/follow-up/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_demo_follow_up_shows_roadmap_status_and_indicators_progress(client, db):
    call_command("load_demo", stdout=io.StringIO())
    plan = demo_plan()
    assert plan is not None
    page = follow_up_page(client_for(client, plan.created_by), plan)
    assert "<h1>Suivi</h1>" in page
    assert page.count('class="badge line-') == 3  # every roadmap line, with its status
    assert 'class="badge line-in_progress">En cours</span>' in page
    assert page.count('<figure class="chart" id="chart-trajectory-') == 6
    assert "En bonne voie" in page and "En retard sur la droite attendue" in page
    assert "Vérifiée" in page and "saisie par " in page
    assert "Comment est-ce calculé" in page
    assert page.count(">+ Ajouter une mesure<") == 6
    assert f'href="/plans/{plan.pk}/steps/6/#item-measurements"' in page


def test_a_late_line_shows_its_days_late_in_its_own_badge(client, plan, people):
    user = people["editor"]
    action = record_add(plan=plan, user=user, item_id="pilot_actions", raw={"title": "Paiement"})
    start = timezone.localdate() - datetime.timedelta(days=12)
    line = record_add(
        plan=plan,
        user=user,
        item_id="roadmap",
        raw={"action": action.uid, "start": start.isoformat(), "status": "planned"},
    )
    page = follow_up_page(client_for(client, people["viewer"]), plan)
    assert '<span class="badge line-late">En retard de 12\u00a0jours</span>' in page
    assert '<strong class="late-count">1 en retard</strong>' in page
    assert f'href="/plans/{plan.pk}/steps/5/#record-{line.uid}">Paiement</a>' in page
    assert "Ajouter une mesure" not in page  # a viewer adds nothing
    assert "Aucun indicateur pour l’instant." in page


def test_a_plan_on_an_older_worksheet_says_measurements_need_the_newer_one(client, plan, people):
    definition = get_definition(WORKSHEET, 2)
    Plan.objects.filter(pk=plan.pk).update(definition_version=2, definition_hash=definition.hash)
    record_add(
        plan=plan,
        user=people["editor"],
        item_id="indicators",
        raw={"name": "Taux", "baseline_value": "10", "target_value": "20"},
    )
    page = follow_up_page(client_for(client, people["editor"]), plan)
    assert "Les mesures demandent la fiche plus récente" in page
    assert "Ajouter une mesure" not in page  # there is nowhere to add one
    assert "Taux" in page


def test_the_overview_and_the_steps_with_its_lists_link_to_the_follow_up(client, plan, people):
    owner = client_for(client, people["owner"])
    link = f'href="/plans/{plan.pk}/follow-up/"'
    assert link in owner.get(f"/plans/{plan.pk}/").content.decode()
    assert link in owner.get(f"/plans/{plan.pk}/steps/6/").content.decode()
    assert link in owner.get(f"/plans/{plan.pk}/steps/5/").content.decode()
    assert link not in owner.get(f"/plans/{plan.pk}/steps/1/").content.decode()
