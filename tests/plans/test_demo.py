"""The demo command fills a whole plan through the real services, and only once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from jalon.accounts.models import User
from jalon.organisations.models import Membership, Organisation
from jalon.plans.models import Answer, Plan, Record, Revision
from jalon.plans.selectors import plan_state, step_progress
from jalon.worksheets.schema import ItemKind

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (User, Organisation, Membership, Plan, Answer, Record, Revision)
    return {model.__name__: model.objects.count() for model in models}


def test_demo_answers_every_item_of_every_step():
    load_demo()
    progress = step_progress(plan_state(Plan.objects.get()))
    assert len(progress) == 6
    assert [(p.step.id, p.done) for p in progress] == [(p.step.id, p.total) for p in progress]


def test_demo_choices_and_levels_come_with_a_note():
    load_demo()
    state = plan_state(Plan.objects.get())
    noted = [i for i in state.definition.items if i.kind not in (ItemKind.TEXT, ItemKind.RECORDS)]
    assert noted
    assert all(state.value(item)["note"] for item in noted)


ITEMS = ("pilot_actions", "perimeters", "roadmap", "indicators")


def test_demo_pilot_actions_have_a_perimeter_a_roadmap_entry_and_an_indicator():
    load_demo()
    plan = Plan.objects.get()
    records = {item_id: list(plan.records.filter(item_id=item_id)) for item_id in ITEMS}
    actions = {r.uid for r in records["pilot_actions"]}
    assert len(actions) == 3
    assert {r.data["family"] for r in records["pilot_actions"]} == {"data", "communication"}
    assert {r.data["action"] for r in records["perimeters"]} == actions
    assert {r.data["action"] for r in records["roadmap"]} == actions
    assert {uid for r in records["indicators"] for uid in r.data["actions"]} == actions


def test_demo_users_can_log_in(client):
    load_demo()
    for email in ("demo@example.org", "moussa@example.org"):
        # Through the login form: login throttling (django-axes) needs the request.
        response = client.post("/accounts/login/", {"username": email, "password": "jalon-demo"})
        assert response.status_code == 302 and response["Location"] == "/"
        client.logout()


def test_demo_answers_are_saved_by_two_people():
    load_demo()
    authors = set(Revision.objects.values_list("user__email", flat=True))
    assert authors == {"demo@example.org", "moussa@example.org"}


def test_demo_prints_the_plan_overview_and_the_login():
    output = load_demo()
    plan = Plan.objects.get()
    assert f"/plans/{plan.pk}/" in output
    assert "demo@example.org / jalon-demo" in output


def test_loading_the_demo_twice_changes_nothing():
    load_demo()
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "already loaded" in output
