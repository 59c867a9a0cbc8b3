"""An imported plan says whose words it holds: provenance of the plan, its answers and records.

(The file format itself, and every refusal, is tested in tests/reports/test_json.py.)
"""

from __future__ import annotations

import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from jalon.plans.demo import demo_plan
from jalon.plans.models import Answer, Plan, Record, Revision
from jalon.plans.plan_file import parse
from jalon.plans.services import answer_save, plan_import
from jalon.reports import to_json
from jalon.reports.selectors import plan_export

from ..conftest import client_for


@pytest.fixture
def demo_file(db) -> bytes:
    """The demo plan of « Commune de Kandia », written by Awa Demba and Moussa Diallo."""
    call_command("load_demo", stdout=StringIO())
    demo = demo_plan()
    assert demo is not None
    export = plan_export(demo)
    export["exported_at"] = "2026-11-28T09:30:00+00:00"
    export["answers"]["competences"]["updated_at"] = "2026-11-25T08:00:00+00:00"
    return to_json.build(export)


def test_each_answer_and_record_keeps_its_author_and_date_from_the_file(
    demo_file, organisation, people
):
    plan = plan_import(organisation=organisation, user=people["editor"], data=parse(demo_file))
    answer = Answer.objects.get(plan=plan, item_id="competences")
    assert answer.file_author == json.loads(demo_file)["answers"]["competences"]["updated_by"]
    assert answer.file_updated is not None
    assert answer.file_updated.isoformat() == "2026-11-25T08:00:00+00:00"
    assert answer.updated_by == people["editor"]  # who imported it
    authors = set(Record.objects.filter(plan=plan).values_list("file_author", flat=True))
    assert authors <= {"Awa Demba", "Moussa Diallo"} and authors
    assert plan.imported_from == "Commune de Kandia"
    assert plan.imported_file_date is not None
    assert plan.imported_file_date.isoformat() == "2026-11-28T09:30:00+00:00"
    assert plan.imported_at is not None and plan.created_by == people["editor"]


def test_the_pages_say_where_an_imported_plan_came_from(client, demo_file, organisation, people):
    plan = plan_import(organisation=organisation, user=people["editor"], data=parse(demo_file))
    client_for(client, people["viewer"])
    overview = client.get(f"/plans/{plan.pk}/").content.decode()
    origin = "Importé le "
    assert origin in overview
    assert "d’après le fichier exporté par Commune de Kandia le 28/11/2026" in overview
    step = client.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert "le 25/11/2026" in step and "écrit par" in step
    history = client.get(f"/plans/{plan.pk}/items/competences/history/").content.decode()
    assert "importé" in history and "Commune de Kandia" in history and "Editor" in history


def test_a_save_after_the_import_makes_the_value_this_servers_own(demo_file, organisation, people):
    plan = plan_import(organisation=organisation, user=people["editor"], data=parse(demo_file))
    answer = Answer.objects.get(plan=plan, item_id="competences")
    answer_save(
        plan=plan,
        user=people["owner"],
        item_id="competences",
        raw="Nouveau texte",
        base_version=answer.version,
    )
    answer.refresh_from_db()
    assert (answer.file_author, answer.file_updated, answer.updated_by) == (
        "",
        None,
        people["owner"],
    )
    export = plan_export(plan)
    assert export["answers"]["competences"]["updated_by"] == people["owner"].name
    assert export["revision_count"] == 1  # the save; the import's entries are not changes


def test_a_plan_imported_beside_its_original_gets_a_title_that_tells_them_apart(demo_file):
    demo = demo_plan()
    assert demo is not None
    first = plan_import(organisation=demo.organisation, user=None, data=parse(demo_file))
    second = plan_import(organisation=demo.organisation, user=None, data=parse(demo_file))
    titles = [demo.title, first.title, second.title]
    assert len(set(titles)) == 3
    assert first.title.startswith(demo.title + " (importé le ")
    assert second.title.endswith(", 2)")


def test_importing_into_another_municipality_keeps_the_title(demo_file, organisation):
    demo = demo_plan()
    assert demo is not None
    plan = plan_import(organisation=organisation, user=None, data=parse(demo_file))
    assert plan.title == demo.title


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_the_same_moment_both_succeed(demo_file, organisation):
    """Both imports look for free record ids before either writes; the one that collides on
    the unique ids is run again and takes new ones. On PostgreSQL the two really overlap."""
    data = parse(demo_file)
    demo = demo_plan()
    assert demo is not None
    Record.objects.filter(plan=demo).delete()  # so both imports first try to keep the file's ids
    start = threading.Barrier(2)
    made: list[Plan] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            made.append(plan_import(organisation=organisation, user=None, data=data))
        except BaseException as error:  # reported below, with the test's own assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(made) == 2
    counts = [Record.objects.filter(plan=plan).count() for plan in made]
    assert (
        counts[0] == counts[1] == len(data.lists and [r for rs in data.lists.values() for r in rs])
    )
    uids = list(Record.objects.filter(plan__in=made).values_list("uid", flat=True))
    assert len(uids) == len(set(uids))
    assert Revision.objects.filter(plan__in=made, action="import").count() > 0
