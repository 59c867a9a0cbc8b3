"""Every XLSForm Jalon makes converts with pyxform, without an error or a warning, and the XForm
it gives holds the worksheet's or the survey's items, codes, texts and names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache

import pytest
from pyxform.parsing.sheet_headers import clean_text_values
from pyxform.xls2xform import convert

from jalon.field import naming
from jalon.field.xlsform import (
    LANGUAGE_NAMES,
    Form,
    form_xlsx,
    operators_form,
    step_numbered,
    worksheet_form,
)
from jalon.worksheets.answers import MAX_FIELD_TEXT, MAX_LINE_TEXT
from jalon.worksheets.loading import bundled_definitions, latest_definition
from jalon.worksheets.schema import Definition, FieldKind, ItemKind
from jalon.worksheets.survey import QuestionKind, bundled_survey

NS = {
    "x": "http://www.w3.org/2002/xforms",
    "h": "http://www.w3.org/1999/xhtml",
    "jr": "http://openrosa.org/javarosa",
}
X = "{http://www.w3.org/2002/xforms}"
LATEST = latest_definition("gerer-les-services-urbains")


def every_form() -> dict[str, Form]:
    forms = {
        "whole-fr": worksheet_form(LATEST),
        "whole-en": worksheet_form(LATEST, language="en"),
        "operators-fr": operators_form(bundled_survey(), LATEST),
        "operators-en": operators_form(bundled_survey(), LATEST, language="en"),
    }
    forms.update({f"step-{s.number}": worksheet_form(LATEST, s) for s in LATEST.steps})
    for (_, version), definition in bundled_definitions().items():
        forms[f"whole-v{version}"] = worksheet_form(definition)
    return forms


FORMS = every_form()


def as_pyxform(text: str) -> str:
    """pyxform (and so KoboToolbox) writes typographic apostrophes and no-break spaces plain."""
    return str(clean_text_values(text.replace("\xa0", " ").replace("\u202f", " ")))


@cache
def xform(key: str) -> ET.Element:
    """The form written as XLSX, converted by pyxform, which must say nothing against it."""
    warnings: list[str] = []
    result = convert(form_xlsx(FORMS[key]), warnings=warnings)
    assert warnings == [], warnings
    return ET.fromstring(result.xform)  # noqa: S314 (pyxform's output from our own forms)


def translations(root: ET.Element) -> dict[str, dict[str, str]]:
    """Per language column name, each itext id → its text."""
    found = {}
    for translation in root.iterfind(".//x:itext/x:translation", NS):
        found[translation.get("lang", "")] = {
            text.get("id", ""): "".join(text.find("x:value", NS).itertext())  # type: ignore[union-attr]
            for text in translation.iterfind("x:text", NS)
        }
    return found


def binds(root: ET.Element) -> dict[str, dict[str, str]]:
    return {b.get("nodeset", ""): dict(b.attrib) for b in root.iterfind(".//x:model/x:bind", NS)}


def instance(root: ET.Element) -> ET.Element:
    data = root.find(".//x:model/x:instance/x:data", NS)
    assert data is not None
    return data


def paths(root: ET.Element) -> set[str]:
    """Every node path of the main instance, `/data/step_1/section_1_1/orientation`."""
    found: set[str] = set()

    def walk(node: ET.Element, path: str) -> None:
        found.add(path)
        for child in node:
            walk(child, f"{path}/{child.tag.removeprefix(X)}")

    walk(instance(root), "/data")
    return found


def choice_codes(root: ET.Element) -> dict[str, set[str]]:
    """Each choice list (an instance of its own) → its codes."""
    return {
        inst.get("id", ""): {name.text or "" for name in inst.iterfind(".//x:item/x:name", NS)}
        for inst in root.iterfind(".//x:model/x:instance", NS)
        if inst.get("id")
    }


@pytest.mark.parametrize("key", sorted(FORMS))
def test_every_form_converts_without_error_or_warning(key):
    root = xform(key)
    form = FORMS[key]
    data = instance(root)
    assert data.get("id") == naming.form_id(form.mark)
    assert data.get("version") == naming.form_version(form.mark)
    mark_bind = binds(root)[f"/data/{naming.MARK}"]
    assert mark_bind["calculate"] == f"'{form.mark}'"
    assert naming.parse_mark(str(form.mark)) == form.mark
    assert set(translations(root)) == set(LANGUAGE_NAMES.values())


def item_paths(definition: Definition, step_number: int | None = None) -> dict[str, str]:
    """Where naming.py says each item sits: step group / section group / item name."""
    return {
        item.id: f"/data/{naming.step_group(step)}/{naming.section_group(section)}/"
        + naming.item_name(item)
        for step in definition.steps
        if step_number in (None, step.number)
        for section in step.sections
        for item in section.items
    }


@pytest.mark.parametrize(("key", "version"), [("whole-fr", 3), ("whole-v1", 1), ("whole-v2", 2)])
def test_the_whole_worksheet_holds_every_item_field_and_code_by_its_name(key, version):
    definition = bundled_definitions()[("gerer-les-services-urbains", version)]
    root = xform(key)
    nodes = paths(root)
    codes = choice_codes(root)
    located = item_paths(definition)
    assert len(located) == len(definition.items)
    for item in definition.items:
        path = located[item.id]
        assert path in nodes, path
        if item.kind is ItemKind.RECORDS:
            for field in item.fields:
                assert f"{path}/{naming.field_name(item, field)}" in nodes
                if field.kind is FieldKind.MONEY:
                    assert f"{path}/{naming.currency_name(item, field)}" in nodes
                if field.kind in (FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE):
                    leaves = {leaf.code for o in field.options for leaf in (o.options or (o,))}
                    assert codes[naming.choice_list(item, field)] == leaves
        elif item.kind is ItemKind.MATURITY:
            assert codes[naming.choice_list(item)] == {str(lv.level) for lv in item.levels}
        elif item.kind is not ItemKind.TEXT:
            assert codes[naming.choice_list(item)] == {o.code for o in item.leaf_options()}
        note = f"{path.rsplit('/', 1)[0]}/{naming.note_name(item)}"
        assert (note in nodes) is (item.note is not None), item.id
        if item.target:
            assert f"{path.rsplit('/', 1)[0]}/{naming.target_name(item)}" in nodes
            assert f"{path.rsplit('/', 1)[0]}/{naming.target_date_name(item)}" in nodes


def test_labels_are_in_both_languages_and_the_chosen_one_opens_first():
    for key, language in (("whole-fr", "fr"), ("whole-en", "en")):
        root = xform(key)
        texts = translations(root)
        located = item_paths(LATEST)
        for item in LATEST.items:
            label_id = f"{located[item.id]}:label"
            assert texts["Français (fr)"][label_id] == as_pyxform(item.label.fr)
            assert texts["English (en)"][label_id] == as_pyxform(item.label.en)
        default = [t.get("lang") for t in root.iterfind(".//x:translation", NS) if t.get("default")]
        assert default == [LANGUAGE_NAMES[language]]
        assert FORMS[key].settings["form_title"] == LATEST.title.get(language)


def test_a_maturity_level_shows_its_name_and_rubric_in_both_languages():
    root = xform("whole-fr")
    texts = translations(root)
    item = LATEST.item("maturity_equipment")
    assert item is not None
    level = item.levels[2]
    french = set(texts["Français (fr)"].values())
    english = set(texts["English (en)"].values())
    label, rubric = as_pyxform(level.label.fr), as_pyxform(level.rubric.fr)
    assert any(label in t and rubric in t for t in french)
    label, rubric = as_pyxform(level.label.en), as_pyxform(level.rubric.en)
    assert any(label in t and rubric in t for t in english)


def test_a_family_headed_option_carries_its_family_in_its_label():
    root = xform("whole-fr")
    texts = set(translations(root)["Français (fr)"].values())
    item = next(i for i in LATEST.items if any(o.is_family for o in i.options))
    family = next(o for o in item.options if o.is_family)
    assert as_pyxform(f"{family.label.fr} — {family.options[0].label.fr}") in texts


def test_family_fields_are_relevant_only_when_their_family_is_chosen():
    root = xform("whole-fr")
    all_binds = binds(root)
    item = LATEST.item("pilot_actions")
    assert item is not None
    family = item.family_field()
    assert family is not None
    path = item_paths(LATEST)["pilot_actions"]
    grouped = [f for f in item.fields if f.group]
    assert grouped
    for field in grouped:
        relevant = all_binds[f"{path}/{naming.field_name(item, field)}"]["relevant"]
        assert relevant == f"selected( ../{naming.field_name(item, family)} , '{field.group}')"
    assert "relevant" not in all_binds[f"{path}/{naming.field_name(item, family)}"]


def test_text_lengths_are_constrained_and_only_record_fields_are_required():
    root = xform("whole-fr")
    all_binds = binds(root)
    located = item_paths(LATEST)
    for item in LATEST.items:
        path = located[item.id]
        if item.kind is ItemKind.TEXT:
            assert all_binds[path]["constraint"] == f"string-length(.) <= {item.max_length}"
        if item.kind is not ItemKind.RECORDS:
            assert "required" not in all_binds[path]
            continue
        for field in item.fields:
            bind = all_binds[f"{path}/{naming.field_name(item, field)}"]
            assert (bind.get("required") == "true()") is field.required, field.id
            limit = {FieldKind.TEXT: MAX_LINE_TEXT, FieldKind.LONG_TEXT: MAX_FIELD_TEXT}
            if field.kind in limit:
                assert bind["constraint"] == f"string-length(.) <= {limit[field.kind]}"
            if field.kind is FieldKind.MONEY:
                assert bind["type"] == "decimal"
                currency = all_binds[f"{path}/{naming.currency_name(item, field)}"]
                assert currency["constraint"] == "regex(., '^[A-Z]{3}$')"


def test_a_reference_picks_a_record_in_the_form_and_asks_a_title_otherwise():
    whole = ET.tostring(xform("whole-fr"), encoding="unicode")
    step5 = xform("step-5")
    roadmap = LATEST.item("roadmap")
    assert roadmap is not None
    action = roadmap.field("action")
    assert action is not None
    # Whole form: the roadmap's action is chosen among the pilot actions typed in step 4.
    assert "step_4/section_4_1/pilot_actions[./pilot_actions__title != '']" in whole
    # Step 5 alone holds no pilot action: the title is typed, the import finds the record.
    path = f"{item_paths(LATEST, 5)['roadmap']}/{naming.field_name(roadmap, action)}"
    body = step5.find(".//h:body", NS)
    assert body is not None
    assert any(e.get("ref") == path for e in body.iter(f"{X}input"))
    assert not any(e.get("ref") == path for e in body.iter(f"{X}select1"))


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5, 6])
def test_a_step_form_holds_that_step_only(number):
    root = xform(f"step-{number}")
    step = step_numbered(LATEST, number)
    assert step is not None
    nodes = paths(root)
    groups = {p.split("/")[2] for p in nodes if p.count("/") >= 2} - {"meta", naming.MARK}
    assert groups == {naming.step_group(step)}
    for path in item_paths(LATEST, number).values():
        assert path in nodes
    assert FORMS[f"step-{number}"].mark.step == number


def test_the_operators_survey_holds_every_question_option_and_condition():
    survey = bundled_survey()
    root = xform("operators-fr")
    nodes = paths(root)
    all_binds = binds(root)
    codes = choice_codes(root)
    texts = translations(root)
    intro = f"/data/{naming.intro_name()}:label"
    assert texts["Français (fr)"][intro] == as_pyxform(survey.intro.fr)
    assert texts["English (en)"][intro] == as_pyxform(survey.intro.en)
    for question in survey.questions:
        path = f"/data/{naming.question_name(question.id)}"
        assert path in nodes
        assert texts["English (en)"][f"{path}:label"] == as_pyxform(question.label.en)
        bind = all_binds[path]
        assert (bind.get("required") == "true()") is question.required
        if question.options:
            assert codes[naming.question_name(question.id)] == {o.code for o in question.options}
        if question.kind is QuestionKind.GEOPOINT:
            assert bind["type"] == "geopoint"
        if any(o.exclusive for o in question.options):
            assert bind["constraint"] == "not(selected(., 'none') and count-selected(.) > 1)"
            none = question.option("none")
            assert none is not None
            message = texts["Français (fr)"][f"{path}:jr:constraintMsg"]
            assert as_pyxform(none.label.fr) in message
    assert all_binds["/data/data_medium"]["relevant"] == "not(selected( /data/data_kept , 'none'))"
    assert all_binds["/data/startups_names"]["relevant"] == " /data/startups_known  = 'yes'"


def test_names_come_from_the_naming_module():
    item = LATEST.item("partners")
    assert item is not None
    field = item.field("actor")
    assert field is not None
    assert naming.field_name(item, field) == "partners__actor"
    step = step_numbered(LATEST, 2)
    assert step is not None
    assert naming.form_id(naming.worksheet_mark(LATEST, step)).endswith("_v3_step2")
    assert naming.instruction_name(step.sections[0]) == "section_2_1_instruction"
    form = FORMS["step-2"]
    names = [row.get("name") for row in form.survey if row.get("name")]
    assert len(names) == len(set(names))
    assert naming.instruction_name(step.sections[0]) in names


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        worksheet_form(LATEST, language="de")
    with pytest.raises(ValueError, match="language"):
        operators_form(bundled_survey(), LATEST, language="wo")
