"""The names of a worksheet's parts in an XLSForm: valid XML names, unique in a form, and a
form's mark read back as written (the import relies on both)."""

from __future__ import annotations

import re

import pytest

from jalon.field import naming
from jalon.worksheets.loading import bundled_definitions
from jalon.worksheets.schema import FieldKind, ItemKind
from jalon.worksheets.survey import bundled_survey

XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def names_of(definition) -> list[str]:
    names = [naming.MARK]
    for step in definition.steps:
        names.append(naming.step_group(step))
        for section in step.sections:
            names.append(naming.section_group(section))
            for item in section.items:
                names.append(naming.item_name(item))
                if item.note or item.kind is ItemKind.MATURITY:
                    names.append(naming.note_name(item))
                if item.target:
                    names += [naming.target_name(item), naming.target_date_name(item)]
                for field in item.fields:
                    names.append(naming.field_name(item, field))
                    if field.kind is FieldKind.MONEY:
                        names.append(naming.currency_name(item, field))
    return names


@pytest.mark.parametrize("key", sorted(bundled_definitions()))
def test_every_name_is_an_xml_name_and_unique(key):
    names = names_of(bundled_definitions()[key])
    assert [name for name in names if not XML_NAME.match(name)] == []
    assert len(names) == len(set(names))


def test_a_mark_reads_back_as_written():
    definition = max(bundled_definitions().values(), key=lambda d: d.version)
    step = definition.steps[1]
    for mark in (
        naming.worksheet_mark(definition),
        naming.worksheet_mark(definition, step),
        naming.survey_mark(bundled_survey()),
    ):
        assert naming.parse_mark(str(mark)) == mark
    assert naming.worksheet_mark(definition, step).step == 2
    assert naming.worksheet_mark(definition).step is None
    assert naming.parse_mark("gerer-les-services-urbains v3") is None
    assert naming.parse_mark("") is None


def test_form_ids_and_versions_say_where_a_form_comes_from():
    definition = max(bundled_definitions().values(), key=lambda d: d.version)
    whole = naming.worksheet_mark(definition)
    assert naming.form_id(whole) == f"jalon_gerer_les_services_urbains_v{definition.version}"
    step = naming.worksheet_mark(definition, definition.steps[0])
    assert naming.form_id(step).endswith("_step1")
    assert naming.form_version(whole) == f"{definition.version}.{definition.hash[:12]}"
    assert naming.form_id(naming.survey_mark(bundled_survey())) == "jalon_operators_v1"
