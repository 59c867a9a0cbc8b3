"""Moving a plan to a newer version of its worksheet: offered on the overview to those who can
edit, only when every answer and record stays valid, and nothing of the plan is changed."""

from __future__ import annotations

import dataclasses

import pytest

from jalon.plans.models import Answer, Plan, Record
from jalon.plans.services import UpgradeError, answer_save, plan_upgrade, record_add
from jalon.worksheets import loading
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.loading import get_definition, upgrade_for
from jalon.worksheets.schema import Field, FieldKind, Option

from ..conftest import client_for

WORKSHEET = "gerer-les-services-urbains"


def test_older_versions_move_to_the_newest_and_the_newest_to_none():
    assert upgrade_for(get_definition(WORKSHEET, 1)).version == 3
    assert upgrade_for(get_definition(WORKSHEET, 2)).version == 3
    assert upgrade_for(get_definition(WORKSHEET, 3)) is None


def test_a_version_is_not_offered_when_a_plan_could_hold_what_it_refuses(monkeypatch):
    """An option the newer version lacks, or a field it newly requires, could make an answer or
    a record of the plan invalid there: no upgrade then."""
    v2, v3 = get_definition(WORKSHEET, 2), get_definition(WORKSHEET, 3)
    orientation = v2.item("orientation")
    assert orientation is not None
    widened = dataclasses.replace(
        orientation, options=(*orientation.options, Option(code="gone", label=orientation.label))
    )
    assert upgrade_for(dataclasses.replace(v2, _items=v2._items | {"orientation": widened})) is None
    actors = v3.item("actors")
    assert actors is not None
    required = dataclasses.replace(
        actors,
        fields=(
            *actors.fields,
            Field(id="siret", kind=FieldKind.TEXT, label=actors.label, required=True),
        ),
    )
    stricter = dataclasses.replace(v3, _items=v3._items | {"actors": required})
    monkeypatch.setattr(
        loading, "bundled_definitions", lambda: {(WORKSHEET, 2): v2, (WORKSHEET, 3): stricter}
    )
    assert upgrade_for(v2) is None


@pytest.fixture
def old_plan(plan) -> Plan:
    v2 = get_definition(WORKSHEET, 2)
    Plan.objects.filter(pk=plan.pk).update(definition_version=2, definition_hash=v2.hash)
    plan.refresh_from_db()
    return plan


def test_upgrading_keeps_every_answer_and_record_and_opens_the_new_questions(old_plan, people):
    user = people["editor"]
    answer_save(
        plan=old_plan,
        user=user,
        item_id="maturity_data",
        raw={"level": 1, "note": "n"},
        base_version=None,
    )
    actor = record_add(plan=old_plan, user=user, item_id="actors", raw={"name": "GIE"})
    with pytest.raises(AnswerError, match="measurements"):  # version 2 has no measurements
        record_add(plan=old_plan, user=user, item_id="measurements", raw={})
    before = (
        list(Answer.objects.filter(plan=old_plan).values_list("item_id", "value", "version")),
        list(Record.objects.filter(plan=old_plan).values_list("uid", "data", "version")),
    )
    definition = plan_upgrade(plan=old_plan, version=3)
    old_plan.refresh_from_db()
    assert (old_plan.definition_version, old_plan.definition_hash) == (3, definition.hash)
    after = (
        list(Answer.objects.filter(plan=old_plan).values_list("item_id", "value", "version")),
        list(Record.objects.filter(plan=old_plan).values_list("uid", "data", "version")),
    )
    assert after == before
    # The new parts of version 3 now take answers.
    answer_save(
        plan=old_plan,
        user=user,
        item_id="maturity_data",
        raw={"level": 1, "note": "n", "target": 3, "target_date": "2027-12-31"},
        base_version=1,
    )
    assert Answer.objects.get(plan=old_plan, item_id="maturity_data").value["target"] == 3
    assert actor.uid in Record.objects.filter(plan=old_plan).values_list("uid", flat=True)
    with pytest.raises(UpgradeError, match="utilise déjà la version 3"):
        plan_upgrade(plan=old_plan, version=3)


def test_the_overview_offers_it_to_editors_and_the_button_moves_the_plan(client, old_plan, people):
    upgrade = f"/plans/{old_plan.pk}/upgrade/"
    client_for(client, people["viewer"])
    assert upgrade not in client.get(f"/plans/{old_plan.pk}/").content.decode()
    client.logout()
    client_for(client, people["editor"])
    page = client.get(f"/plans/{old_plan.pk}/").content.decode()
    assert upgrade in page and "Nothing is removed" not in page
    assert "Rien n’est retiré" in page  # what version 3 brings, in the person's language
    response = client.post(f"/plans/{old_plan.pk}/upgrade/", {"version": "3"}, follow=True)
    assert "utilise maintenant la version 3" in response.content.decode()
    old_plan.refresh_from_db()
    assert old_plan.definition_version == 3
    assert (
        f"/plans/{old_plan.pk}/upgrade/"
        not in client.get(f"/plans/{old_plan.pk}/").content.decode()
    )
    # Twice (a colleague was quicker): said, nothing changes.
    again = client.post(f"/plans/{old_plan.pk}/upgrade/", {"version": "3"}, follow=True)
    assert "utilise déjà la version 3" in again.content.decode()


@pytest.mark.parametrize("version", ["", "trois", "3" * 40, "-1", "٣"])
def test_a_bad_version_is_answered_in_words(client, old_plan, people, version):
    client_for(client, people["editor"])
    response = client.post(f"/plans/{old_plan.pk}/upgrade/", {"version": version})
    assert response.status_code == 400
    assert "Quelle version" in response.content.decode()
    old_plan.refresh_from_db()
    assert old_plan.definition_version == 2
