"""`python manage.py export_xlsform`: the form asked for, or one clear line saying what is wrong."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from jalon.field import naming
from jalon.plans.models import Plan
from jalon.worksheets.loading import get_definition, latest_definition


def export(tmp_path, *args: str) -> dict[str, str]:
    """The settings sheet of the form written, and the survey's names and calculations."""
    path = tmp_path / "form.xlsx"
    out = StringIO()
    call_command("export_xlsform", "--output", str(path), *args, stdout=out)
    assert str(path) in out.getvalue()
    workbook = load_workbook(BytesIO(path.read_bytes()))
    header, values = workbook["settings"].iter_rows(values_only=True)
    settings = dict(zip(header, values, strict=True))
    survey = list(workbook["survey"].iter_rows(values_only=True))
    names = [row[survey[0].index("name")] for row in survey[1:]]
    calculations = [row[survey[0].index("calculation")] for row in survey[1:]]
    return {
        **{str(k): str(v) for k, v in settings.items()},
        "names": " ".join(str(n) for n in names if n),
        "mark": next(str(c) for c in calculations if c),
    }


def test_the_whole_worksheet_in_the_latest_version(tmp_path, db):
    latest = latest_definition("gerer-les-services-urbains")
    written = export(tmp_path)
    mark = naming.worksheet_mark(latest)
    assert written["form_id"] == naming.form_id(mark)
    assert written["version"] == naming.form_version(mark)
    assert written["default_language"] == "Français (fr)"
    assert written["mark"] == f"'{mark}'"
    assert "step_1" in written["names"] and "step_6" in written["names"]


def test_one_step_in_english(tmp_path, db):
    written = export(tmp_path, "--step", "3", "--lang", "en")
    assert written["form_id"].endswith("_step3")
    assert written["default_language"] == "English (en)"
    assert "step_3" in written["names"].split() and "step_2" not in written["names"].split()


def test_the_operators_survey(tmp_path, db):
    written = export(tmp_path, "--survey", "operators")
    assert written["form_id"] == "jalon_operators_v1"
    assert "operator_type" in written["names"].split()
    assert written["mark"].endswith(" operators'")


def test_a_plan_gives_its_own_worksheet_version(tmp_path, plan):
    old = get_definition("gerer-les-services-urbains", 1)
    Plan.objects.filter(pk=plan.pk).update(definition_version=1, definition_hash=old.hash)
    written = export(tmp_path, "--plan", str(plan.pk))
    assert written["version"] == naming.form_version(naming.worksheet_mark(old))
    assert written["form_id"].endswith("_v1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--step", "9"), "No step 9 in worksheet gerer-les-services-urbains v3: its steps are 1"),
        (("--step", "0"), "No step 0"),
        (("--step", "deux"), "invalid int value"),
        (("--lang", "wo"), "invalid choice"),
        (("--survey", "farmers"), "invalid choice"),
        (("--survey", "operators", "--step", "2"), "--step is for the worksheet"),
        (("--plan", "99999999999999999999999"), "No plan with id"),
        (("--plan", "0"), "No plan with id"),
    ],
)
def test_bad_arguments_end_in_one_clear_line(db, tmp_path, args, message):
    with pytest.raises(CommandError) as refused:
        call_command(
            "export_xlsform", "--output", str(tmp_path / "x.xlsx"), *args, stdout=StringIO()
        )
    assert message in str(refused.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_an_unwritable_output_is_said(db, tmp_path):
    missing = tmp_path / "nowhere" / "form.xlsx"
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_xlsform", "--output", str(missing), stdout=StringIO())
