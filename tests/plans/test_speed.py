"""The step page after a save (issue 8, item 6): each item's HTML is cached on its own and
follows every change that shows in it; a step page costs at most five queries (one of them the
header's unread notifications, issue 9); an unchanged page answers 304 with no body."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from jalon.organisations.models import Membership
from jalon.organisations.services import membership_change
from jalon.plans.models import Answer, Plan
from jalon.plans.services import (
    answer_save,
    record_add,
    record_delete,
    record_move,
    record_update,
)

from ..conftest import client_for

STEP_4 = "/plans/{}/steps/4/"
ITEM_TEMPLATE = "plans/items/item.html"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def item_renders(client: Client, url: str) -> int:
    """How many items the request rendered (the others came from the cache)."""
    response = client.get(url)
    assert response.status_code == 200
    return sum(t.name == ITEM_TEMPLATE for t in response.templates)


def test_a_save_renders_again_only_the_item_it_changed(client, plan, people):
    editor = client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/steps/2/"
    # An earlier test's empty plan had the same id (SQLite reuses it after a rollback) and the
    # same empty items: the same HTML under the same keys. Start from a cold cache.
    cache.clear()
    assert item_renders(editor, url) > 5  # the first view renders every item
    assert item_renders(editor, url) == 0  # nothing changed: the page from the cache
    answer_save(
        plan=plan, user=people["owner"], item_id="competences", raw="Nouveau", base_version=0
    )
    assert item_renders(editor, url) == 1
    assert "Nouveau" in page(editor, url)


def test_a_cached_item_follows_who_saved_and_the_import_it_came_from(client, plan, people):
    editor = client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/steps/2/"
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="Texte", base_version=0)
    assert "par Owner" in page(editor, url)
    # The same text saved again by someone else: only the « saved by » line changes.
    answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw="Texte.", base_version=1
    )
    html = page(editor, url)
    assert "par Editor" in html and "par Owner" not in html
    # Its provenance once imported (what an import writes, then the plan's change).
    Answer.objects.filter(plan=plan, item_id="competences").update(file_author="Awa Demba")
    Plan.objects.filter(pk=plan.pk).update(imported_from="Commune de Nora")
    plan.refresh_from_db()
    plan.save()  # bumps the plan's last change, as every write does
    html = page(editor, url)
    assert "écrit par Awa Demba" in html and "par Editor" not in html


def test_a_reference_shows_the_new_title_of_the_record_it_names(client, plan, people):
    owner = people["owner"]
    action = record_add(plan=plan, user=owner, item_id="pilot_actions", raw={"title": "Marchés"})
    record_add(plan=plan, user=owner, item_id="perimeters", raw={"action": action.uid})
    editor = client_for(client, people["editor"])
    url = STEP_4.format(plan.pk)
    assert page(editor, url).count("Marchés") >= 2  # the action, and the perimeter named by it
    raw = {"title": "Marchés couverts"}
    record_update(plan=plan, user=owner, uid=action.uid, raw=raw, base_version=1)
    html = page(editor, url)
    assert html.count("Marchés couverts") >= 3  # its record, the perimeter's title, its option
    assert "Marchés<" not in html


def test_each_reader_gets_their_rights_language_and_token(client, plan, people):
    url = f"/plans/{plan.pk}/steps/2/"
    editor = client_for(Client(), people["editor"])
    viewer = client_for(Client(), people["viewer"])
    assert 'class="save"' in page(editor, url)
    assert 'class="save"' not in page(viewer, url)
    token = page(editor, url).split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    other = page(viewer, url).split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token and other and "jalon-csrf-slot" not in page(viewer, url)
    assert editor.cookies["csrftoken"].value != viewer.cookies["csrftoken"].value
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Save" in page(editor, url) and "Enregistrer" not in page(editor, url)
    assert "Enregistrer" in page(client_for(Client(), people["owner"]), url)


def test_a_step_page_costs_at_most_six_queries(client, plan, people, django_assert_max_num_queries):
    editor = client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/steps/2/"
    page(editor, url)
    # Right after a colleague's save, the costliest case: answers and records are read again.
    # The fifth: the plan's comment counts, one query whatever the number of threads.
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="X", base_version=0)
    # The sixth: the header's count of unread notifications.
    with django_assert_max_num_queries(6):
        assert "X</textarea>" in page(editor, url)
    page(editor, f"/plans/{plan.pk}/")
    with django_assert_max_num_queries(5):  # the overview, unchanged since
        page(editor, f"/plans/{plan.pk}/")


@pytest.mark.parametrize("path", ["steps/2/", ""])
def test_an_unchanged_page_answers_304_with_no_body(client, plan, people, path):
    url = f"/plans/{plan.pk}/{path}"
    editor = client_for(client, people["editor"])
    first = editor.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = editor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    # After a colleague's save: the new page, under a new tag.
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="Y", base_version=0)
    changed = editor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    if path:
        assert "Y</textarea>" in changed.content.decode()
    # Another person, or the same in another language or role, has their own tag.
    viewer = client_for(Client(), people["viewer"])
    assert viewer.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200
    assert viewer.get(url)["ETag"] != changed["ETag"]
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert editor.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_a_page_with_a_message_to_show_is_never_a_304(client, plan, people):
    action = record_add(
        plan=plan, user=people["owner"], item_id="pilot_actions", raw={"title": "Marchés"}
    )
    editor = client_for(client, people["editor"])
    url = STEP_4.format(plan.pk)
    etag = editor.get(url)["ETag"]
    assert editor.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Removing from an older version is refused: a message, and the plan unchanged.
    refused = editor.post(f"/plans/{plan.pk}/records/{action.uid}/delete/", {"version": "0"})
    assert refused.status_code == 302
    shown = editor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert shown.status_code == 200 and shown.get("ETag") != etag
    assert "Quelqu’un a modifié cette fiche" in shown.content.decode()
    # Shown once: the same page again is the one the browser has.
    assert editor.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def fresh(client: Client, url: str) -> str:
    """The page rendered with nothing from the cache, CSRF tokens aside (each is masked anew)."""
    cache.clear()
    return CSRF.sub("", page(client, url))


def cached(client: Client, url: str) -> str:
    return CSRF.sub("", page(client, url))


def test_every_cached_step_page_is_the_page_rendered_afresh_after_each_change(client, plan, people):
    """Each kind of change, then every step page from the cache (items, the part around them,
    the whole page) equals the same page rendered with an empty cache."""
    owner = people["owner"]
    editor = client_for(client, people["editor"])
    urls = [f"/plans/{plan.pk}/steps/{n}/" for n in range(1, 7)]
    for url in urls:
        page(editor, url)  # every part cached

    action = record_add(plan=plan, user=owner, item_id="pilot_actions", raw={"title": "Marchés"})
    record_add(plan=plan, user=owner, item_id="pilot_actions", raw={"title": "Cantines"})
    scope = record_add(plan=plan, user=owner, item_id="perimeters", raw={"action": action.uid})
    changes = [
        lambda: answer_save(
            plan=plan, user=owner, item_id="competences", raw="Un texte", base_version=None
        ),
        lambda: answer_save(
            plan=plan,
            user=owner,
            item_id="orientation",
            raw={"choice": "inclusion", "note": ""},
            base_version=None,
        ),
        lambda: record_update(
            plan=plan, user=owner, uid=action.uid, raw={"title": "Halles"}, base_version=None
        ),
        lambda: record_move(plan=plan, user=owner, uid=action.uid, offset=1),
        lambda: record_delete(plan=plan, user=owner, uid=scope.uid, base_version=None),
        lambda: membership_change(
            membership=Membership.objects.get(user=people["editor"]), role="viewer"
        ),
    ]
    for change in changes:
        before = {url: cached(editor, url) for url in urls}
        change()
        after = {url: cached(editor, url) for url in urls}
        assert after != before  # the change shows somewhere
        for url in urls:
            assert after[url] == fresh(editor, url), url
            page(editor, url)  # cached again for the next change
