"""The plan's deliverables on the web: charts and download links on the plan's page, the print
view, and the downloads, for every member, in both languages."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from jalon.plans.services import answer_save, record_add
from jalon.reports.formats import FORMATS

from ..conftest import client_for
from .test_docx import missing_seed_items


@pytest.fixture
def viewer(client, people):
    return client_for(client, people["viewer"])


def test_the_plan_page_shows_the_charts_or_what_they_need(viewer, plan):
    page = viewer.get(f"/plans/{plan.pk}/").content.decode()
    for title in (
        "Profil de maturité numérique",
        "Carte des partenaires",
        "Feuille de route des actions pilotes",
        "Indicateurs : de la valeur de départ à la cible",
    ):
        assert title in page
    # A new plan has no data: each chart says what to fill in, and nothing is drawn.
    assert "<svg" not in page
    assert "Aucun acteur nommé pour l’instant" in page


def test_the_plan_page_draws_a_chart_once_there_is_enough_data(viewer, plan, people):
    for item_id, level in (("maturity_equipment", 1), ("maturity_uses", 2), ("maturity_data", 3)):
        answer_save(
            plan=plan, user=people["owner"], item_id=item_id, raw={"level": level}, base_version=0
        )
    page = viewer.get(f"/plans/{plan.pk}/").content.decode()
    assert page.count("<svg") == 1
    assert 'aria-labelledby="chart-maturity-title chart-maturity-desc"' in page
    assert "Sans niveau : 3, 5, 6, 7." in page  # its text alternative


def test_the_plan_page_links_every_format_in_both_languages(viewer, plan):
    page = viewer.get(f"/plans/{plan.pk}/").content.decode()
    for code, fmt in FORMATS.items():
        if fmt.by_language:
            for language in ("fr", "en"):
                assert f'href="/plans/{plan.pk}/download/{code}/?lang={language}"' in page
        else:
            assert f'href="/plans/{plan.pk}/download/{code}/"' in page
    assert f'href="/plans/{plan.pk}/print/"' in page


@pytest.mark.parametrize("code", sorted(FORMATS))
def test_every_member_downloads_every_format(client, people, plan, code):
    fmt = FORMATS[code]
    for role in ("viewer", "commenter", "editor", "owner"):
        client_for(client, people[role])
        response = client.get(f"/plans/{plan.pk}/download/{code}/?lang=en")
        assert response.status_code == 200
        assert response["Content-Type"] == fmt.content_type
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="kalaba-dechets-solides-2027-')
        assert disposition.endswith(f'.{fmt.extension}"')
        assert "private" in response["Cache-Control"]
    if code == "csv":
        assert zipfile.is_zipfile(io.BytesIO(response.content))


def test_the_pdf_follows_the_language_asked_and_the_interface_by_default(viewer, plan):
    def text(query):
        response = viewer.get(f"/plans/{plan.pk}/download/pdf/{query}")
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)

    english = text("?lang=en")
    assert "Step 1 — Clarify" in english and "Étape 1" not in english
    assert "Étape 1 — Expliciter" in text("")  # the interface's language, French here
    assert "Étape 1 — Expliciter" in text("?lang=xx")  # an unknown one: the same


def test_an_unknown_format_is_not_found(viewer, plan):
    assert viewer.get(f"/plans/{plan.pk}/download/exe/").status_code == 404


def test_someone_else_s_plan_cannot_be_downloaded_or_printed(viewer, other_plan):
    assert viewer.get(f"/plans/{other_plan.pk}/download/pdf/").status_code == 404
    assert viewer.get(f"/plans/{other_plan.pk}/print/").status_code == 404


def test_the_print_view_is_the_whole_plan_on_one_page_without_the_application(viewer, plan):
    response = viewer.get(f"/plans/{plan.pk}/print/")
    page = response.content.decode()
    assert missing_seed_items(page) == []
    assert '<html lang="fr">' in page
    assert "jalon/document.css" in page and "jalon/jalon.css" not in page
    assert 'class="stepper"' not in page and 'class="top"' not in page
    assert page.count('<section class="step"') == 6
    assert "Sommaire" in page and "Plan de transition numérique" in page


def test_the_print_view_in_english(viewer, plan):
    page = viewer.get(f"/plans/{plan.pk}/print/?lang=en").content.decode()
    assert '<html lang="en">' in page
    assert "Step 1 — Clarify" in page
    assert "Back to the plan" in page
    assert 'href="?lang=fr"' in page  # the other language


def test_what_a_person_typed_is_escaped_in_the_print_view_and_the_charts(viewer, plan, people):
    hostile = '<img src=x onerror="alert(1)"> & <b>gras</b>'
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw=hostile, base_version=0)
    record_add(
        plan=plan,
        user=people["owner"],
        item_id="actors",
        raw={"name": hostile, "type": "local_authorities"},
    )
    actor = plan.records.get(item_id="actors")
    record_add(
        plan=plan,
        user=people["owner"],
        item_id="partners",
        raw={"actor": actor.uid, "interests": ["profit"]},
    )
    for path in (f"/plans/{plan.pk}/print/", f"/plans/{plan.pk}/"):
        page = viewer.get(path).content.decode()
        assert "<img src=x" not in page and "<b>gras</b>" not in page
        assert "&lt;img src=x onerror=" in page


def test_a_download_follows_every_change_of_the_plan(viewer, plan, people):
    """Files are cached until the plan changes: the next download after a save has it."""

    def csv_text() -> str:
        response = viewer.get(f"/plans/{plan.pk}/download/csv/?lang=fr")
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        return "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())

    assert "Répartition revue" not in csv_text()
    answer_save(
        plan=plan,
        user=people["owner"],
        item_id="competences",
        raw="Répartition revue",
        base_version=0,
    )
    assert "Répartition revue" in csv_text()
