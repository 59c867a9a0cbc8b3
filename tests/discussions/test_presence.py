"""Presence (issue 9, item 6): who else typed in an item within the last minute is said on it,
to the others only; the poll is small, rate-limited and for members only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jalon.discussions.models import Presence
from jalon.plans.services import record_add

from ..conftest import client_for


def presence_of(client: Client, plan) -> dict[str, Any]:
    Presence.objects.update(polled_at=None)  # each poll here is a new one, not a repeat
    response = client.get(f"/plans/{plan.pk}/presence/")
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def autosave(
    client: Client, plan, item_id: str = "competences", text: str = "Texte", version: int = 0
) -> None:
    response = client.post(
        f"/plans/{plan.pk}/items/{item_id}/",
        {"text": text, "version": str(version)},
        HTTP_X_JALON_AUTOSAVE="1",
    )
    assert response.status_code == 200


def test_typing_in_an_item_is_shown_to_the_others(plan, people):
    autosave(client_for(Client(), people["editor"]), plan)
    for role in ("owner", "viewer", "commenter"):
        seen = presence_of(client_for(Client(), people[role]), plan)
        assert seen == {"editing": {"competences": "Editor modifie cette réponse"}}


def test_one_does_not_see_oneself(plan, people):
    editor = client_for(Client(), people["editor"])
    autosave(editor, plan)
    assert presence_of(editor, plan) == {"editing": {}}


def test_two_people_in_one_item_are_named_together(plan, people):
    autosave(client_for(Client(), people["editor"]), plan)
    owner = client_for(Client(), people["owner"])
    owner.post(
        f"/plans/{plan.pk}/items/competences/",
        {"text": "Autre", "version": "1"},
        HTTP_X_JALON_AUTOSAVE="1",
    )
    seen = presence_of(client_for(Client(), people["viewer"]), plan)
    assert seen["editing"] == {"competences": "Editor, Owner modifient cette réponse"}


def test_a_record_save_counts_as_typing_in_its_list(plan, people):
    record = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "ONG"})
    editor = client_for(Client(), people["editor"])
    response = editor.post(
        f"/plans/{plan.pk}/records/{record.uid}/",
        {"name": "ONG B", "version": "1"},
        HTTP_X_JALON_AUTOSAVE="1",
    )
    assert response.status_code == 200
    seen = presence_of(client_for(Client(), people["viewer"]), plan)
    assert seen["editing"] == {"actors": "Editor modifie cette réponse"}


def test_presence_expires_after_a_minute(plan, people):
    autosave(client_for(Client(), people["editor"]), plan)
    viewer = client_for(Client(), people["viewer"])
    Presence.objects.filter(user=people["editor"]).update(
        seen_at=timezone.now() - timedelta(seconds=59)
    )
    assert presence_of(viewer, plan)["editing"] != {}
    Presence.objects.filter(user=people["editor"]).update(
        seen_at=timezone.now() - timedelta(seconds=61)
    )
    assert presence_of(viewer, plan) == {"editing": {}}


def test_saves_in_quick_succession_write_the_presence_once_in_a_while(plan, people):
    editor = client_for(Client(), people["editor"])
    autosave(editor, plan, text="Un")
    first = Presence.objects.get(user=people["editor"]).seen_at
    assert first is not None
    autosave(editor, plan, text="Deux", version=1)  # within the refresh: nothing written
    assert Presence.objects.get(user=people["editor"]).seen_at == first
    autosave(editor, plan, item_id="excluded_groups_text", text="Ailleurs")  # another item
    moved = Presence.objects.get(user=people["editor"])
    assert moved.item_id == "excluded_groups_text"
    assert moved.seen_at is not None and moved.seen_at > first
    Presence.objects.filter(pk=moved.pk).update(seen_at=timezone.now() - timedelta(seconds=16))
    autosave(editor, plan, item_id="excluded_groups_text", text="Encore", version=1)  # stale
    again = Presence.objects.get(pk=moved.pk).seen_at
    assert again is not None and timezone.now() - again < timedelta(seconds=5)


def test_names_come_as_text_for_the_script(plan, people):
    editor = people["editor"]
    editor.name = "<img/src=x/onerror=alert(1)>"
    editor.save()
    autosave(client_for(Client(), editor), plan)
    response = client_for(Client(), people["viewer"]).get(f"/plans/{plan.pk}/presence/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["editing"]["competences"].startswith("<img/src=x/onerror")
    # The script writes it with textContent: it never becomes markup (tests/e2e/test_presence.py).


def test_the_answer_is_small(plan, people):
    autosave(client_for(Client(), people["editor"]), plan)
    response = client_for(Client(), people["viewer"]).get(f"/plans/{plan.pk}/presence/")
    assert len(response.content) < 200


def test_polling_too_often_is_refused_in_the_persons_language(plan, people):
    viewer = client_for(Client(), people["viewer"])
    assert viewer.get(f"/plans/{plan.pk}/presence/").status_code == 200
    again = viewer.get(f"/plans/{plan.pk}/presence/")
    assert again.status_code == 429
    assert again.json() == {"error": "Trop de demandes\u00a0: attendez quelques secondes."}
    # Another person is not held back by it.
    assert (
        client_for(Client(), people["owner"]).get(f"/plans/{plan.pk}/presence/").status_code == 200
    )
    Presence.objects.update(polled_at=timezone.now() - timedelta(seconds=6))
    assert viewer.get(f"/plans/{plan.pk}/presence/").status_code == 200


@pytest.mark.parametrize("who", ["outsider", None])
def test_outsiders_do_not_see_who_is_typing(plan, people, who):
    autosave(client_for(Client(), people["editor"]), plan)
    response = client_for(Client(), people.get(who) if who else None).get(
        f"/plans/{plan.pk}/presence/"
    )
    assert response.status_code == (404 if who else 302)
    assert b"Editor" not in response.content


def test_the_step_page_loads_the_presence_script_and_says_nothing_without_it(plan, people):
    autosave(client_for(Client(), people["editor"]), plan)
    page = client_for(Client(), people["viewer"]).get(f"/plans/{plan.pk}/steps/2/").content
    assert b"jalon/together." in page and f"/plans/{plan.pk}/presence/".encode() in page
    assert "modifie cette réponse".encode() not in page
