"""The field forms downloaded from the plan's page: the plan's own worksheet version, in the
person's language, as an XLSX that pyxform converts; a bad step is a 404, never a 500."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from jalon.field import naming
from jalon.plans.models import Plan
from jalon.worksheets.loading import get_definition, latest_definition
from jalon.worksheets.survey import bundled_survey

from ..conftest import client_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def settings_of(content: bytes) -> dict[str, str]:
    header, values = load_workbook(BytesIO(content))["settings"].iter_rows(values_only=True)
    return {str(k): str(v) for k, v in zip(header, values, strict=True)}


@pytest.fixture
def viewer(client, people):
    return client_for(client, people["viewer"])


def test_the_whole_worksheet_in_the_persons_language(viewer, plan):
    viewer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = viewer.get(f"/plans/{plan.pk}/xlsform/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="kalaba-dechets-solides-2027-xlsform-v3-en\.xlsx"', disposition
    )
    settings = settings_of(response.content)
    assert settings["default_language"] == "English (en)"
    assert settings["form_id"] == naming.form_id(
        naming.worksheet_mark(latest_definition("gerer-les-services-urbains"))
    )
    warnings: list[str] = []
    convert(response.content, warnings=warnings)
    assert warnings == []


def test_one_step_in_the_language_asked_for(viewer, plan):
    response = viewer.get(f"/plans/{plan.pk}/xlsform/", {"step": "4", "lang": "fr"})
    assert response.status_code == 200
    settings = settings_of(response.content)
    assert settings["form_id"].endswith("_step4")
    assert settings["default_language"] == "Français (fr)"
    assert "xlsform-step-4-v3-fr.xlsx" in response["Content-Disposition"]


def test_the_plans_own_worksheet_version(viewer, plan):
    old = get_definition("gerer-les-services-urbains", 2)
    Plan.objects.filter(pk=plan.pk).update(definition_version=2, definition_hash=old.hash)
    settings = settings_of(viewer.get(f"/plans/{plan.pk}/xlsform/").content)
    assert settings["version"] == naming.form_version(naming.worksheet_mark(old))


def test_the_operators_survey(viewer, plan):
    response = viewer.get(f"/plans/{plan.pk}/xlsform/operators/", {"lang": "en"})
    assert response.status_code == 200
    settings = settings_of(response.content)
    assert settings["form_id"] == naming.form_id(naming.survey_mark(bundled_survey()))
    assert settings["form_title"] == bundled_survey().title.en


@pytest.mark.parametrize(
    "step", ["0", "7", "99", "999999999999999999999", "-1", "1.5", "deux", "²", "٣", "", "%00"]
)
def test_a_step_that_is_not_one_is_a_404(viewer, plan, step):
    assert viewer.get(f"/plans/{plan.pk}/xlsform/", {"step": step}).status_code == 404


def test_an_unknown_language_falls_back_to_the_persons(viewer, plan):
    response = viewer.get(f"/plans/{plan.pk}/xlsform/", {"lang": "wo"})
    assert response.status_code == 200
    assert settings_of(response.content)["default_language"] == "Français (fr)"


def test_the_plan_page_offers_the_field_forms(viewer, plan):
    page = viewer.get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/plans/{plan.pk}/xlsform/"' in page
    assert f'href="/plans/{plan.pk}/xlsform/operators/"' in page
    steps = re.findall(rf'href="/plans/{plan.pk}/xlsform/\?step=(\d)"', page)
    assert steps == ["1", "2", "3", "4", "5", "6"]
