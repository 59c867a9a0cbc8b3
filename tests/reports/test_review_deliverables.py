"""Deliverables and the review: a validated version, downloaded in every format, carries its
validation and its frozen content; a draft says « Projet — non validé » on every page; the JSON
export carries the review as data; the version's page is read only, with its banner."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from docx import Document as Docx
from openpyxl import load_workbook
from pypdf import PdfReader

from jalon.organisations.models import Membership
from jalon.plans.models import Plan, PlanVersion
from jalon.plans.plan_file import parse
from jalon.plans.review import review_validate
from jalon.plans.services import answer_save, plan_import

from ..conftest import client_for

DRAFT = {"fr": "Projet — non validé", "en": "Draft — not validated"}
VALIDATED = {"fr": "Validé par Owner, propriétaire, le", "en": "Validated by Owner, owner, on"}
VALIDATED_MARK = {"fr": "Version validée le", "en": "Version validated on"}


@pytest.fixture
def validated(plan, people) -> PlanVersion:
    """The plan, answered, validated by its owner, then changed: a draft with one version."""
    answer_save(
        plan=plan,
        user=people["editor"],
        item_id="competences",
        raw="Avant validation",
        base_version=0,
    )
    owner = Membership.objects.get(organisation=plan.organisation, user=people["owner"])
    version = review_validate(plan=plan, membership=owner, message="Bon pour le conseil").version
    assert version is not None
    answer_save(
        plan=plan,
        user=people["editor"],
        item_id="competences",
        raw="Après validation",
        base_version=1,
    )
    return version


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Cache-Control"] == "private, no-store"
    content: bytes = response.content
    return content


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def docx_headers(data: bytes) -> tuple[str, str]:
    """The cover's header and the other pages' header."""
    section = Docx(io.BytesIO(data)).sections[0]
    cover = "\n".join(p.text for p in section.first_page_header.paragraphs)
    return cover, "\n".join(p.text for p in section.header.paragraphs)


def docx_text(data: bytes) -> str:
    document = Docx(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def xlsx_facts(data: bytes) -> tuple[dict[str, Any], set[str]]:
    """The contents sheet as label → value, and the print header of every sheet."""
    workbook = load_workbook(io.BytesIO(data))
    contents = workbook["Sommaire" if "Sommaire" in workbook.sheetnames else "Contents"]
    rows = {str(row[0]): row[1] for row in contents.iter_rows(values_only=True) if row and row[0]}
    headers = [sheet.oddHeader for sheet in workbook.worksheets]
    return rows, {header.center.text or "" for header in headers if header is not None}


def csv_contents(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = sorted(archive.namelist())[0]
        return archive.read(first).decode("utf-8-sig")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_validated_version_says_so_in_every_format(client, people, plan, validated, language):
    client_for(client, people["viewer"])
    base = f"/plans/{plan.pk}/versions/{validated.pk}/download"

    pages = pdf_pages(download(client, f"{base}/pdf/?lang={language}"))
    assert VALIDATED[language] in pages[0]
    assert all(VALIDATED_MARK[language] in page for page in pages[1:])
    assert not any(DRAFT[language] in page for page in pages)
    assert "Avant validation" in "".join(pages) and "Après validation" not in "".join(pages)

    docx = download(client, f"{base}/docx/?lang={language}")
    assert all(VALIDATED_MARK[language] in header for header in docx_headers(docx))
    text = docx_text(docx)
    assert VALIDATED[language] in text and DRAFT[language] not in text
    assert "Avant validation" in text and "Après validation" not in text

    rows, headers = xlsx_facts(download(client, f"{base}/xlsx/?lang={language}"))
    assert headers and all(VALIDATED_MARK[language] in header for header in headers)
    validated_by = "Validé par" if language == "fr" else "Validated by"
    assert rows[validated_by] == "Owner"
    assert str(rows["Validation"]).startswith(VALIDATED[language])

    contents = csv_contents(download(client, f"{base}/csv/?lang={language}"))
    assert VALIDATED[language] in contents and validated_by in contents

    exported = json.loads(download(client, f"{base}/json/"))
    assert exported["review"]["state"] == "validated"
    assert exported["review"]["validated_by"] == "Owner"
    assert exported["review"]["role"] == "owner"
    assert exported["review"]["validated_at"]
    assert exported["answers"]["competences"]["value"] == "Avant validation"


def test_a_version_s_json_imports_as_a_new_draft_plan(client, people, plan, validated):
    client_for(client, people["owner"])
    content = download(client, f"/plans/{plan.pk}/versions/{validated.pk}/download/json/")
    imported = plan_import(
        organisation=plan.organisation, user=people["owner"], data=parse(content)
    )
    assert imported.review_state == "draft"
    assert imported.answers.get(item_id="competences").value == "Avant validation"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_draft_says_not_validated_on_every_page_of_every_format(client, people, plan, language):
    client_for(client, people["viewer"])
    base = f"/plans/{plan.pk}/download"
    pages = pdf_pages(download(client, f"{base}/pdf/?lang={language}"))
    assert len(pages) > 3
    assert all(DRAFT[language] in page for page in pages)

    docx = download(client, f"{base}/docx/?lang={language}")
    assert all(DRAFT[language] in header for header in docx_headers(docx))

    rows, headers = xlsx_facts(download(client, f"{base}/xlsx/?lang={language}"))
    # The mark, then which state of the plan: « Projet — non validé · État au … · révision 3 ».
    assert {header.split(" · ")[0] for header in headers} == {DRAFT[language]}
    assert rows["Validation"] == DRAFT[language]

    with zipfile.ZipFile(io.BytesIO(download(client, f"{base}/csv/?lang={language}"))) as archive:
        first = sorted(archive.namelist())[0]
        delimiter = ";" if language == "fr" else ","
        lines = list(
            csv.reader(io.StringIO(archive.read(first).decode("utf-8-sig")), delimiter=delimiter)
        )
    state = "État de la relecture" if language == "fr" else "Review state"
    assert [state, "Brouillon" if language == "fr" else "Draft"] in lines

    review = json.loads(download(client, f"{base}/json/"))["review"]
    assert review == {"state": "draft", "validated_by": None, "role": None, "validated_at": None}


def test_the_plan_s_own_downloads_follow_its_validation(client, people, plan):
    owner = Membership.objects.get(organisation=plan.organisation, user=people["owner"])
    client_for(client, people["viewer"])
    draft = pdf_pages(download(client, f"/plans/{plan.pk}/download/pdf/"))
    assert DRAFT["fr"] in draft[0]
    review_validate(plan=Plan.objects.get(pk=plan.pk), membership=owner)
    pages = pdf_pages(download(client, f"/plans/{plan.pk}/download/pdf/"))
    assert VALIDATED["fr"] in pages[0] and not any(DRAFT["fr"] in page for page in pages)
    exported = json.loads(download(client, f"/plans/{plan.pk}/download/json/"))
    assert exported["review"]["state"] == "validated"
    assert exported["review"]["validated_by"] == "Owner"


def test_the_print_view_says_draft_at_the_top(client, people, plan):
    page = client_for(client, people["viewer"]).get(f"/plans/{plan.pk}/print/").content.decode()
    main = page.split("<main>")[1]
    assert main.index(DRAFT["fr"]) < main.index('class="cover"')


def test_the_version_page_is_read_only_with_its_banner_and_frozen_content(
    client, people, plan, validated
):
    client_for(client, people["editor"])
    response = client.get(f"/plans/{plan.pk}/versions/{validated.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Version validée du" in page and VALIDATED["fr"] in page
    assert "Avant validation" in page and "Après validation" not in page
    assert "<form" not in page.split("<main>")[1]  # nothing to change there
    for code in ("pdf", "docx", "xlsx", "csv", "json"):
        assert f"/plans/{plan.pk}/versions/{validated.pk}/download/{code}/" in page
    english = client.get(f"/plans/{plan.pk}/versions/{validated.pk}/?lang=en").content.decode()
    assert VALIDATED["en"] in english


def test_a_version_is_only_found_under_its_own_plan(client, people, plan, other_plan):
    outsider = Membership.objects.get(organisation=other_plan.organisation, user=people["outsider"])
    theirs = review_validate(plan=other_plan, membership=outsider).version
    assert theirs is not None
    client_for(client, people["owner"])
    assert client.get(f"/plans/{plan.pk}/versions/{theirs.pk}/").status_code == 404
    url = f"/plans/{plan.pk}/versions/{theirs.pk}/download/json/"
    assert client.get(url).status_code == 404


def test_an_unknown_format_of_a_version_is_not_found(client, people, plan, validated):
    client_for(client, people["owner"])
    url = f"/plans/{plan.pk}/versions/{validated.pk}/download/odt/"
    assert client.get(url).status_code == 404
