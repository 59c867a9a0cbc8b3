"""The round trip the issue asks for: the worksheet's XLSForm as Jalon exports it → a submission
filled the way a phone fills that form (every question the form asks, read from the form's own
survey and choices sheets) → laid out as KoboToolbox exports it → imported into a new plan →
the plan's JSON export holds every answer and every record."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from openpyxl import load_workbook

from jalon.field import naming
from jalon.field.exports import read_export
from jalon.field.services import plan_from_submission
from jalon.field.submissions import WorksheetFile, check_file
from jalon.field.xlsform import form_xlsx, worksheet_form
from jalon.reports.formats import FORMATS
from jalon.worksheets.schema import FieldKind, ItemKind
from jalon.worksheets.survey import bundled_survey

from . import shapes
from .shapes import DEFINITION

RELEVANT = re.compile(r"^selected\(\$\{(\w+)\}, *'(\w+)'\)$")
FROM_REPEAT = re.compile(r"^\$\{(\w+)\}$")


@dataclass
class Filled:
    """What the phone sends: values by question name, repeats by name, with their group path."""

    values: dict[str, str] = field(default_factory=dict)
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)


def sheet_rows(book: Any, title: str) -> list[dict[str, Any]]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def title_of(list_name: str) -> str:
    """The title the phone gives the first record of a list (a reference picks it)."""
    item = DEFINITION.item(list_name)
    title = item.field(item.title_field) if item and item.title_field else None
    assert item is not None and title is not None
    return f"Réponse {naming.field_name(item, title)}"


def reference_field(name: str) -> Any:
    item_id, _, field_id = name.partition("__")
    item = DEFINITION.item(item_id)
    return item.field(field_id) if item else None


def answer(question: dict[str, Any], choices: dict[str, list[str]]) -> str | None:
    """The value a person would give this question; None for what holds no answer."""
    kind, name = str(question["type"]), str(question["name"])
    if kind in ("note", "geopoint"):
        return None
    if kind == "calculate":
        return str(question["calculation"]).strip("'")
    if kind.startswith(("select_one ${", "select_multiple ${")):
        found = FROM_REPEAT.match(kind.split(" ", 1)[1])
        assert found, kind
        return title_of(found[1].split("__")[0])
    if kind.startswith("select_one "):
        codes = choices[kind.split(" ", 1)[1]]
        return codes[-1] if name.endswith("_target") else codes[0]
    if kind.startswith("select_multiple "):
        return " ".join(choices[kind.split(" ", 1)[1]][:2])
    if kind == "decimal" or kind == "integer":
        return "12"
    if kind == "date":
        return "2027-03-01"
    assert kind == "text", kind
    if name.endswith("__currency"):
        return "XOF"
    referenced = reference_field(name)
    if referenced is not None and referenced.kind is FieldKind.REFERENCE:
        return title_of(referenced.references)  # a reference typed as a title
    return f"Réponse {name}"


def fill(form_bytes: bytes) -> Filled:
    book = load_workbook(io.BytesIO(form_bytes))
    choices: dict[str, list[str]] = {}
    for row in sheet_rows(book, "choices"):
        choices.setdefault(str(row["list_name"]), []).append(str(row["name"]))
    filled, path, repeat = Filled(), [], None
    record: dict[str, str] = {}
    for question in sheet_rows(book, "survey"):
        kind, name = str(question["type"]), question["name"]
        if kind in ("begin_group", "begin_repeat"):
            path.append(str(name))
            if kind == "begin_repeat":
                repeat, record = str(name), {}
            continue
        if kind in ("end_group", "end_repeat"):
            if kind == "end_repeat" and repeat:
                filled.repeats[repeat] = [record]
                repeat = None
            path.pop()
            continue
        relevant = question.get("relevant")
        if relevant:
            found = RELEVANT.match(str(relevant))
            assert found, relevant
            if found[2] not in record.get(found[1], "").split():
                continue  # not asked: another family than the one chosen
        value = answer(question, choices)
        if value is None:
            continue
        filled.paths[str(name)] = tuple(path)
        if repeat:
            record[str(name)] = value
        else:
            filled.values[str(name)] = value
    return filled


@pytest.mark.parametrize("language", ["fr", "en"])
def test_exported_form_filled_and_imported_gives_the_plan_in_its_json_export(
    organisation, people, language
):
    form = form_xlsx(worksheet_form(DEFINITION, language=language))
    filled = fill(form)
    # The form's own group paths are the ones the Kobo layout below writes in its headers.
    assert {name: shapes.path(name) for name in filled.paths} == {
        name: "/".join((*groups, name)) for name, groups in filled.paths.items()
    }
    mark = filled.values.pop(naming.MARK)
    assert naming.parse_mark(mark) == naming.worksheet_mark(DEFINITION)
    export = shapes.kobo_xlsx([shapes.submission(filled.values, filled.repeats, mark=mark)])

    checked = check_file(
        read_export(export, "kobo.xlsx"), definition=DEFINITION, survey=bundled_survey()
    )
    assert isinstance(checked, WorksheetFile)
    (entry,) = checked.entries
    plan = plan_from_submission(
        organisation=organisation, user=people["editor"], entry=entry, title="Relevé terrain"
    )
    exported = json.loads(FORMATS["json"].build(plan, language))
    answers, lists = exported["answers"], exported["lists"]

    for item in DEFINITION.items:
        if item.kind is ItemKind.RECORDS:
            (record,) = lists[item.id]
            title = item.field(item.title_field) if item.title_field else None
            if title is not None and title.kind is FieldKind.TEXT:
                assert record["data"][title.id] == title_of(item.id)
            for f in item.fields:
                sent = filled.repeats[item.id][0].get(naming.field_name(item, f))
                if sent is None:
                    continue
                kept = record["data"].get(f.id)
                if f.kind is FieldKind.MONEY:
                    assert kept == {"amount": "12", "currency": "XOF"}, (item.id, f.id)
                elif f.kind is FieldKind.REFERENCE:
                    target = lists[f.references][0]["id"]
                    assert kept in (target, [target]), (item.id, f.id)
                elif f.kind is FieldKind.MULTIPLE_CHOICE:
                    assert kept == sent.split(), (item.id, f.id)
                else:
                    assert str(kept) == sent, (item.id, f.id)
            continue
        value = answers[item.id]["value"]
        sent = filled.values[naming.item_name(item)]
        if item.kind is ItemKind.TEXT:
            assert value == sent
        elif item.kind is ItemKind.MATURITY:
            assert value["level"] == int(sent), item.id
            assert value["note"] == filled.values[naming.note_name(item)]
            if item.target:
                assert value["target"] == int(filled.values[naming.target_name(item)])
                assert value["target_date"] == "2027-03-01"
        elif item.kind is ItemKind.SINGLE_CHOICE:
            assert value["choice"] == sent, item.id
        else:
            assert value["choices"] == sent.split(), item.id
    assert exported["definition"]["hash"] == DEFINITION.hash
