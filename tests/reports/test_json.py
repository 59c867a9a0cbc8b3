"""The JSON export and import: a round trip keeps the plan, and a bad file writes nothing.

The round trip compares what a plan *is*: the worksheet it is pinned to, its title and service,
every answer's value and every list's records in order, with references named by the list and
place of the record they point to (ids change when the plan is imported beside its original).
Ids, timestamps, versions, authors, the organisation and the revision count are left aside.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from jalon.organisations.services import organisation_create
from jalon.plans.demo import demo_plan
from jalon.plans.models import Answer, Plan, Record, Revision
from jalon.plans.plan_file import MAX_BYTES, PlanFileError, parse, read_limited
from jalon.plans.services import plan_import, record_add
from jalon.reports import to_json
from jalon.reports.selectors import plan_export
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.loading import get_definition
from jalon.worksheets.schema import FieldKind

from ..conftest import client_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(db) -> Plan:
    call_command("load_demo", stdout=StringIO())
    plan = demo_plan()
    assert plan is not None
    return plan


@pytest.fixture
def exported(demo) -> dict[str, Any]:
    return plan_export(demo)


def comparable(export: dict[str, Any]) -> dict[str, Any]:
    """What must survive export → import → export, references named by (list, position)."""
    definition = get_definition(export["definition"]["id"], export["definition"]["version"])
    place = {
        record["id"]: f"{item_id}#{record['position']}"
        for item_id, records in export["lists"].items()
        for record in records
    }

    def named(value: Any) -> Any:  # KeyError if a reference names a record absent from the file
        return [place[one] for one in value] if isinstance(value, list) else place[value]

    lists = {}
    for item_id, records in export["lists"].items():
        item = definition.item(item_id)
        assert item is not None
        references = {f.id for f in item.fields if f.kind is FieldKind.REFERENCE}
        lists[item_id] = [
            {
                "position": record["position"],
                "data": {
                    key: named(value) if key in references and value else value
                    for key, value in record["data"].items()
                },
            }
            for record in records
        ]
    return {
        "definition": export["definition"],
        "plan": {key: export["plan"][key] for key in ("title", "service", "service_other")},
        "answers": {item_id: entry["value"] for item_id, entry in export["answers"].items()},
        "lists": lists,
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Plan, Answer, Record, Revision)}


# The round trip


def test_export_holds_every_answer_and_record_with_codes_and_the_definition(demo, exported):
    definition = get_definition(demo.definition_id, demo.definition_version)
    assert exported["format"] == "jalon-plan" and exported["format_version"] == 2
    assert exported["definition"] == {
        "id": "gerer-les-services-urbains",
        "version": 3,
        "hash": definition.hash,
    }
    assert set(exported["answers"]) == set(Answer.objects.values_list("item_id", flat=True))
    assert sum(len(r) for r in exported["lists"].values()) == Record.objects.count()
    assert exported["revision_count"] == Revision.objects.filter(plan=demo).count() > 0
    assert exported["answers"]["orientation"]["value"]["choice"] == "alternative_providers"
    assert exported["answers"]["orientation"]["updated_by"] == "Awa Demba"
    roadmap = exported["lists"]["roadmap"][0]
    uids = {record.uid for record in Record.objects.filter(plan=demo)}
    assert roadmap["id"] in uids and roadmap["data"]["action"] in uids
    assert [r["position"] for r in exported["lists"]["actors"]] == list(
        range(1, len(exported["lists"]["actors"]) + 1)
    )
    built = to_json.build(exported)
    assert json.loads(built) == exported
    assert "Déchets solides" in built.decode("utf-8")  # readable UTF-8, not \u escapes


def test_round_trip_into_another_organisation_gives_the_same_plan(
    demo, exported, organisation, people
):
    imported = plan_import(
        organisation=organisation,
        user=people["editor"],
        data=parse(to_json.build(exported)),
    )
    again = plan_export(imported)
    assert comparable(again) == comparable(exported)
    assert imported.organisation == organisation != demo.organisation
    assert (imported.definition_id, imported.definition_version, imported.definition_hash) == (
        demo.definition_id,
        demo.definition_version,
        demo.definition_hash,
    )
    # The original still holds its ids, so the copy has new ones, and its references follow.
    original = set(Record.objects.filter(plan=demo).values_list("uid", flat=True))
    copied = set(Record.objects.filter(plan=imported).values_list("uid", flat=True))
    assert len(copied) == len(original) and not copied & original
    assert again["lists"]["roadmap"][0]["data"]["action"] in copied
    # The history says who imported: one « imported » entry per answer and record, by the
    # importer, each keeping the author and date the file gave; none counts as a change here.
    revisions = Revision.objects.filter(plan=imported)
    assert revisions.count() == len(exported["answers"]) + len(original)
    assert set(revisions.values_list("user", flat=True)) == {people["editor"].pk}
    assert set(revisions.values_list("action", flat=True)) == {Revision.Action.IMPORT}
    assert imported.created_by == people["editor"]
    assert again["revision_count"] == 0
    # Who wrote what, and when, survives the import and a second export.
    for item_id, answer in exported["answers"].items():
        assert again["answers"][item_id]["updated_by"] == answer["updated_by"]
        assert again["answers"][item_id]["updated_at"] == answer["updated_at"]
    assert again["answers"]["orientation"]["updated_by"] == "Awa Demba"


def test_the_demo_export_holds_scores_advice_library_codes_measurements_and_snapshots(exported):
    maturity = exported["scores"]["maturity"]
    data = next(q for q in maturity["questions"] if q["item"] == "maturity_data")
    assert (data["current"], data["target"], data["target_date"]) == (1, 3, "2028-06-30")
    assert maturity["overall"]["answered"] == 7
    positions = exported["scores"]["positions"]["questions"]
    assert {q["item"]: q["target_choice"] for q in positions}["position_data"] == "asset"
    advice = {(a["rule"], a["set_aside"]) for a in exported["advice"]}
    assert ("informal-operator-not-an-actor", True) in advice
    assert ("partner-without-described-role", False) in advice
    aside = next(a for a in exported["advice"] if a["set_aside"])
    assert aside["reason"] and aside["set_aside_by"] and aside["severity"] in {"fix", "consider"}
    assert all(a["items"] for a in exported["advice"])
    codes = [r["data"]["library_code"] for r in exported["lists"]["indicators"]]
    assert any(code for code in codes) and "" in codes  # from the library, and the city's own
    assert len(exported["lists"]["measurements"]) == 6
    reading = exported["lists"]["measurements"][0]["data"]
    assert {"indicator", "date", "value", "source", "quality"} <= set(reading)
    assert [(v["kind"], v["created_by"]) for v in exported["snapshots"]] == [
        ("snapshot", "Awa Demba")
    ]


def test_the_horizon_travels_and_what_jalon_computes_is_only_informative(
    demo, exported, organisation, people
):
    assert exported["plan"]["horizon"] == "2028-12-31"
    exported["snapshots"] = [{"kind": "snapshot", "name": "Ailleurs", "created": None}]
    imported = plan_import(
        organisation=organisation, user=people["editor"], data=parse(to_json.build(exported))
    )
    assert imported.horizon is not None and imported.horizon.isoformat() == "2028-12-31"
    assert not imported.versions.exists()  # another server's versions stay with their plan


def test_a_format_version_1_file_still_imports(demo, exported, organisation, people):
    """A file exported before format version 2: no horizon, no scores, advice or snapshots."""
    old = copy.deepcopy(exported)
    old["format_version"] = 1
    del old["plan"]["horizon"]
    for key in ("scores", "advice", "snapshots", "operators"):
        old.pop(key, None)
    imported = plan_import(
        organisation=organisation, user=people["editor"], data=parse(to_json.build(old))
    )
    assert comparable(plan_export(imported)) == comparable(exported)
    assert imported.horizon is None
    # …and version 1 knows none of version 2's keys.
    old["plan"]["horizon"] = "2028-12-31"
    with pytest.raises(PlanFileError, match="clés inconnues"):
        parse(to_json.build(old))


def test_record_ids_are_kept_when_no_other_plan_uses_them(demo, exported, organisation, people):
    content = to_json.build(exported)
    demo.delete()
    imported = plan_import(organisation=organisation, user=people["owner"], data=parse(content))
    again = plan_export(imported)
    assert again["lists"] == {
        item_id: [{**record, **_stamps(again, item_id, i)} for i, record in enumerate(records)]
        for item_id, records in exported["lists"].items()
    }


def _stamps(export: dict[str, Any], item_id: str, index: int) -> dict[str, Any]:
    """The part of a record an import renews: its version (its time and author are kept)."""
    return {"version": export["lists"][item_id][index]["version"]}


def test_only_the_ids_in_use_are_renewed(plan, people, organisation):
    """A file whose actor id is taken elsewhere gets a new id for it; the partner follows it."""
    actor = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    record_add(plan=plan, user=people["owner"], item_id="partners", raw={"actor": actor.uid})
    export = plan_export(plan)
    export["lists"]["actors"].append(
        {"id": "freeactor0000001", "position": 2, "data": {"name": "ONG"}}
    )
    imported = plan_import(
        organisation=organisation, user=people["owner"], data=parse(to_json.build(export))
    )
    actors = list(Record.objects.filter(plan=imported, item_id="actors"))
    partner = Record.objects.get(plan=imported, item_id="partners")
    assert actors[0].uid != actor.uid and actors[1].uid == "freeactor0000001"
    assert partner.data["actor"] == actors[0].uid


# Hostile and broken files: each gets a clear message, and nothing is written.


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A change to the export at a path of keys and indexes separated by dots."""

    def change(export: dict[str, Any]) -> dict[str, Any]:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = export
        for key in parents:
            node = node[key]
        node[last] = value
        return export

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(export: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        node: Any = export
        for key in parents:
            node = node[key]
        del node[last]
        return export

    return change


def _many_actors(export: dict[str, Any]) -> dict[str, Any]:
    export["lists"]["actors"] = [
        {"id": f"actor{i:04d}", "position": i + 1, "data": {"name": f"Acteur {i}"}}
        for i in range(201)
    ]
    return export


def _duplicate_id(export: dict[str, Any]) -> dict[str, Any]:
    export["lists"]["indicators"][1]["id"] = export["lists"]["actors"][0]["id"]
    return export


def _absent_reference(export: dict[str, Any]) -> dict[str, Any]:
    export["lists"]["roadmap"][0]["data"]["action"] = "nowhere000000000"
    return export


def _reference_to_the_wrong_list(export: dict[str, Any]) -> dict[str, Any]:
    actor = export["lists"]["actors"][0]["id"]
    export["lists"]["roadmap"][0]["data"]["action"] = actor
    return export


def _nested(export: dict[str, Any]) -> dict[str, Any]:
    value: Any = "x"
    for _ in range(50):
        value = [value]
    export["answers"]["competences"]["value"] = value
    return export


def _two_problems(export: dict[str, Any]) -> dict[str, Any]:
    export["answers"]["competences"]["value"] = 42
    export["answers"]["maturity_data"]["value"]["level"] = 9
    return export


Change = Callable[[dict[str, Any]], Any]
HOSTILE: list[tuple[str, Change, str]] = [
    ("wrong format", _set("format", "other-tool"), "not a Jalon plan file"),
    ("not an object", lambda e: [e], "not a Jalon plan file"),
    ("newer format version", _set("format_version", 3), "newer Jalon"),
    ("format version 0", _set("format_version", 0), "format version 0 is not supported"),
    ("format version as text", _set("format_version", "1"), "format version '1' is not"),
    ("unknown definition", _set("definition.id", "autre-fiche"), "does not have"),
    ("unknown definition version", _set("definition.version", 7), "version 7, which this"),
    ("altered definition hash", _set("definition.hash", "0" * 64), "content hash is"),
    ("missing plan", _delete("plan"), "lacks 'plan'"),
    ("unknown root key", _set("script", "alert(1)"), "unknown key(s): 'script'"),
    ("title too long", _set("plan.title", "x" * 201), "1 to 200 characters"),
    ("horizon not a date", _set("plan.horizon", "2027-02-30"), "horizon must be a date"),
    ("horizon as a number", _set("plan.horizon", 2028), "horizon must be a date"),
    ("advice not an array", _set("advice", {"rule": "x"}), '"advice" must be an array'),
    ("scores not an object", _set("scores", [1, 2]), '"scores" must be an object'),
    ("snapshots not an array", _set("snapshots", "v1"), '"snapshots" must be an array'),
    ("unknown service", _set("plan.service", "spaceport"), "'spaceport' is not an urban"),
    ("unknown item", _set("answers.nope", {"value": ""}), "no item 'nope'"),
    ("list under answers", _set("answers.actors", {"value": []}), "(actors): it is a list"),
    ("answer without value", _set("answers.competences", {}), 'with a "value"'),
    (
        "unknown option code",
        _set("answers.orientation.value.choice", "bogus"),
        "(orientation): 'bogus' is not an option",
    ),
    ("wrong type", _set("answers.competences.value", 42), "(competences): The answer must be"),
    (
        "level out of range",
        _set("answers.maturity_data.value.level", 9),
        "(maturity_data): The maturity level must be",
    ),
    (
        "text over the limit",
        _set("answers.competences.value", "x" * 20_001),
        "20001 characters long; the limit is 20000",
    ),
    (
        "record text over the limit",
        _set("lists.actors.0.data.name", "x" * 501),
        "(actors), record 1",
    ),
    ("unknown field", _set("lists.actors.0.data.salary", "1"), "Unknown field(s): salary"),
    ("wrong informative type", _set("answers.competences.version", "v1"), "whole number"),
    ("list over 200 records", _many_actors, "201 records, where a list holds at most 200"),
    ("absent reference", _absent_reference, "not in this plan (nowhere000000000)"),
    ("reference to the wrong list", _reference_to_the_wrong_list, "(roadmap), record 1"),
    ("duplicate record id", _duplicate_id, "record ids are unique"),
    ("record id with a path", _set("lists.actors.0.id", "../../etc/passwd"), "1 to 32 letters"),
    ("nested value", _nested, "more than 8 levels deep"),
    ("two problems", _two_problems, "(maturity_data)"),
    # The text rule, named with the item or record the character is in.
    ("NUL in an answer", _set("answers.competences.value", "a\x00b"), "(competences): The answer"),
    ("ESC in an answer", _set("answers.competences.value", "\x1b[31m"), "U+001B"),
    ("BEL in a note", _set("answers.orientation.value.note", "\x07"), "(orientation): The note"),
    ("C1 in a record", _set("lists.actors.0.data.name", "ONG\x9b"), "(actors), record 1"),
    ("noncharacter in a record", _set("lists.actors.0.data.name", "\uffff"), "U+FFFF"),
    ("last noncharacter", _set("answers.competences.value", "\U0010ffff"), "U+10FFFF"),
    ("lone surrogate in an answer", _set("answers.competences.value", "\ud800"), "U+D800"),
    ("NUL in the title", _set("plan.title", "Eau\x00"), "U+0000"),
    ("ESC in an author's name", _set("answers.competences.updated_by", "A\x1b"), "U+001B"),
    ("NUL in the municipality", _set("organisation.name", "\x00"), "U+0000"),
]


def try_import(content: bytes, organisation, user) -> list[str]:
    """The messages refusing `content`; fails the test if anything was written."""
    before = counts()
    with pytest.raises(PlanFileError) as refused:
        plan_import(organisation=organisation, user=user, data=parse(content))
    assert counts() == before
    return refused.value.messages


@pytest.mark.parametrize(("case", "change", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_bad_file_is_refused_with_a_clear_message(
    english, exported, organisation, people, case, change, message
):
    content = json.dumps(change(copy.deepcopy(exported))).encode()
    messages = try_import(content, organisation, people["owner"])
    assert any(message in one for one in messages), messages
    if case == "two problems":
        assert len(messages) == 2 and "(competences)" in messages[0]


RAW: list[tuple[str, bytes, str]] = [
    ("empty", b"  \n", "empty"),
    ("not UTF-8", b'{"format": "jalon-plan", "plan": "\xff\xfe"}', "not UTF-8 text (byte 34)"),
    ("not JSON", b'{"format": "jalon-plan",, }', "not valid JSON: Expecting"),
    ("NaN", b'{"format": NaN}', "NaN, which is not a JSON number"),
    ("duplicate key", b'{"format": "jalon-plan", "format": "x"}', "'format' appears twice"),
    ("huge integer", b'{"format_version": ' + b"9" * 5000 + b"}", "not valid JSON"),
    ("nested a hundred thousand deep", b"[" * 100_000 + b"]" * 100_000, "levels deep"),
    ("a million tiny arrays", b"[" + b"[]," * 1_000_000 + b"[]]", "more than 200000 objects"),
    ("over 10 MB", b" " * (MAX_BYTES + 1), "larger than 10 MB"),
    # PostgreSQL cannot store these two in a text: refused here, not as an error at the end.
]


@pytest.mark.parametrize(("case", "content", "message"), RAW, ids=[r[0] for r in RAW])
def test_a_broken_file_is_refused_with_a_clear_message(
    english, db, organisation, people, case, content, message
):
    messages = try_import(content, organisation, people["owner"])
    assert len(messages) == 1 and message in messages[0], messages


def test_a_truncated_file_says_it_was_cut_off(english, exported, organisation, people):
    content = to_json.build(exported)
    for cut in (len(content) // 3, len(content) - 10):
        messages = try_import(content[:cut], organisation, people["owner"])
        assert messages == ["The file ends too early: it was cut off, perhaps during a download."]


def test_an_oversized_file_is_refused_before_being_read_whole(english):
    class Endless:
        """A stream of zeros that fails the test if read past the limit."""

        def read(self, size: int = -1) -> bytes:
            assert 0 < size <= MAX_BYTES + 1
            return b"0" * size

    with pytest.raises(PlanFileError, match="larger than 10 MB"):
        read_limited(Endless())  # type: ignore[arg-type]


def test_a_hostile_key_is_quoted_short(english, exported, organisation, people):
    exported["answers"]["x" * 1_000_000] = {"value": ""}
    messages = try_import(json.dumps(exported).encode(), organisation, people["owner"])
    assert messages[0].startswith("Answers: the worksheet has no item 'xxx")
    assert len(messages[0]) < 120


def test_the_service_checks_values_again_and_writes_nothing(
    english, exported, organisation, people
):
    """`plan_import` does not trust its caller: a value that bypassed `parse` is refused."""
    checked = parse(to_json.build(exported))
    tampered = dataclasses.replace(
        checked, answers={**checked.answers, "orientation": {"choice": "bogus", "note": ""}}
    )
    before = counts()
    with pytest.raises(AnswerError, match=r"\(orientation\): 'bogus' is not an option"):
        plan_import(organisation=organisation, user=people["owner"], data=tampered)
    assert counts() == before


# The command


def test_the_command_imports_and_prints_the_new_plan_id(exported, organisation, tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(to_json.build(exported))
    out, err = StringIO(), StringIO()
    call_command(
        "import_plan",
        str(path),
        "--organisation",
        str(organisation.pk),
        "--user",
        "OWNER@example.org",
        stdout=out,
        stderr=err,
    )
    plan = Plan.objects.get(pk=int(out.getvalue().strip()))
    assert plan.organisation == organisation and plan.title == exported["plan"]["title"]
    assert f"/plans/{plan.pk}/" in err.getvalue()
    assert set(Revision.objects.filter(plan=plan).values_list("user__email", flat=True)) == {
        "owner@example.org"
    }


def test_export_plan_then_import_plan_round_trips_from_the_command_line(
    demo, organisation, tmp_path
):
    path = tmp_path / "kandia.json"
    call_command("export_plan", str(demo.pk), "--format", "json", "--output", str(path))
    out = StringIO()
    call_command(
        "import_plan",
        str(path),
        "--organisation",
        str(organisation.pk),
        stdout=out,
        stderr=StringIO(),
    )
    imported = Plan.objects.get(pk=int(out.getvalue()))
    assert comparable(plan_export(imported)) == comparable(plan_export(demo))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--organisation", "999999"], "No municipality has the id 999999"),
        (["--organisation", "{org}", "--user", "outsider@example.org"], "is not a member"),
    ],
)
def test_the_command_refuses_a_wrong_organisation_or_user(
    exported, organisation, people, tmp_path, arguments, message
):
    path = tmp_path / "plan.json"
    path.write_bytes(to_json.build(exported))
    before = counts()
    arguments = [a.format(org=organisation.pk) for a in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("import_plan", str(path), *arguments, stdout=StringIO())
    assert counts() == before


def test_the_command_names_every_problem_of_a_bad_file(english, exported, organisation, tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(json.dumps(_two_problems(exported)).encode())
    with pytest.raises(CommandError) as refused:
        call_command("import_plan", str(path), "--organisation", str(organisation.pk))
    assert "(competences)" in str(refused.value) and "(maturity_data)" in str(refused.value)


def test_the_command_exits_non_zero_with_the_message(tmp_path):
    """Run as a person would: a truncated file is refused before any database is opened."""
    path = tmp_path / "cut.json"
    path.write_text('{"format": "jalon-plan", "plan": {"title": "Dé', encoding="utf-8")
    env = {**os.environ, "JALON_DB_PATH": str(tmp_path / "never-created.sqlite3")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 — our own manage.py, with arguments of this test
        [sys.executable, "manage.py", "import_plan", str(path), "--organisation", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cut.json" in result.stderr and "trop tôt" in result.stderr  # French by default
    assert result.stdout == ""
    assert not (tmp_path / "never-created.sqlite3").exists()


# The upload form


def url(organisation) -> str:
    return f"/organisations/{organisation.pk}/plans/import/"


def upload(content: bytes, name: str = "plan.json") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content, content_type="application/json")}


def test_an_editor_imports_a_plan_and_lands_on_it(client, exported, organisation, people):
    client_for(client, people["editor"])
    form = client.get(url(organisation)).content.decode()
    assert 'type="file"' in form and 'accept="application/json,.json"' in form
    assert 'enctype="multipart/form-data"' in form
    response = client.post(url(organisation), upload(to_json.build(exported)))
    plan = Plan.objects.filter(organisation=organisation).get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "a été importé" in page
    assert Revision.objects.filter(plan=plan, user=people["editor"]).count() > 0


def test_a_refused_upload_shows_every_problem_next_to_the_field(
    client, exported, organisation, people
):
    client_for(client, people["owner"])
    before = counts()
    response = client.post(url(organisation), upload(json.dumps(_two_problems(exported)).encode()))
    assert response.status_code == 400
    page = response.content.decode()
    field = page.index('type="file"')
    errors = page[page.index('class="errorlist"') : field]  # the list comes before the field
    assert "(competences)" in errors and "(maturity_data)" in errors
    assert "Le niveau de maturité" in errors  # in French, the person's language
    assert counts() == before


def test_a_truncated_upload_is_explained_in_words(client, exported, organisation, people):
    client_for(client, people["editor"])
    response = client.post(url(organisation), upload(to_json.build(exported)[:5000]))
    assert response.status_code == 400
    assert "Le fichier s’arrête trop tôt" in response.content.decode()
    assert not Plan.objects.filter(organisation=organisation).exists()


def test_an_upload_over_10_mb_is_refused_without_being_kept(client, organisation, people):
    client_for(client, people["editor"])
    response = client.post(url(organisation), upload(b" " * (MAX_BYTES + 1)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "plus de 10 Mo" in page and "Ce champ est obligatoire" not in page


def test_an_empty_post_asks_for_a_file(client, organisation, people):
    client_for(client, people["editor"])
    response = client.post(url(organisation), {})
    assert response.status_code == 400 and "Ce champ est obligatoire" in response.content.decode()


def test_the_municipality_page_links_to_the_import_for_editors_only(client, organisation, people):
    link = f'href="{url(organisation)}"'
    client_for(client, people["editor"])
    assert link in client.get(f"/organisations/{organisation.pk}/").content.decode()
    client_for(client, people["viewer"])
    assert link not in client.get(f"/organisations/{organisation.pk}/").content.decode()


def test_no_one_imports_into_a_municipality_they_are_not_an_editor_of(client, exported, people):
    """Importing into a municipality of which one is not an editor is refused (404 / 403)."""
    elsewhere = organisation_create(user=people["outsider"], name="Nora", country="Bénin", city="N")
    client_for(client, people["editor"])
    response = client.post(url(elsewhere), upload(to_json.build(exported)))
    assert response.status_code == 404
    assert not Plan.objects.filter(organisation=elsewhere).exists()
