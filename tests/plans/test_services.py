"""Saving answers and records: versions, revisions, no lost update, late autosaves."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection

from jalon.plans import services
from jalon.plans.models import Answer, Record, Revision
from jalon.plans.services import StaleEdit, answer_save, record_add, record_update
from jalon.worksheets.answers import AnswerError

ITEM = "competences"


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read messages outside any request."""


def save(plan, user, text, base_version, **kwargs):
    return answer_save(
        plan=plan, user=user, item_id=ITEM, raw=text, base_version=base_version, **kwargs
    )


def test_every_accepted_change_appends_a_revision_with_before_and_after(plan, people):
    save(plan, people["owner"], "Première version", 0)
    save(plan, people["editor"], "Deuxième version", 1)
    revisions = list(Revision.objects.filter(plan=plan, item_id=ITEM).order_by("version"))
    assert [(r.before, r.after, r.user) for r in revisions] == [
        (None, "Première version", people["owner"]),
        ("Première version", "Deuxième version", people["editor"]),
    ]
    answer = Answer.objects.get(plan=plan, item_id=ITEM)
    assert (answer.version, answer.value, answer.updated_by) == (
        2,
        "Deuxième version",
        people["editor"],
    )


def test_saving_the_same_value_again_writes_nothing(plan, people):
    save(plan, people["owner"], "Texte", 0)
    saved = save(plan, people["owner"], "Texte", 1)
    assert not saved.changed
    assert Revision.objects.filter(plan=plan).count() == 1


def test_a_stale_edit_is_refused_and_overwrites_nothing(plan, people):
    save(plan, people["owner"], "Version d’Awa", 0)
    with pytest.raises(StaleEdit) as caught:
        save(plan, people["editor"], "Version de Moussa", 0)
    current = caught.value.current
    assert isinstance(current, Answer) and current.value == "Version d’Awa"
    assert Answer.objects.get(plan=plan, item_id=ITEM).value == "Version d’Awa"
    assert Revision.objects.filter(plan=plan).count() == 1


def test_keeping_mine_after_a_conflict_saves_on_top_of_theirs(plan, people):
    save(plan, people["owner"], "Version d’Awa", 0)
    save(plan, people["editor"], "Version de Moussa", 1)  # based on the version they were shown
    assert Answer.objects.get(plan=plan, item_id=ITEM).value == "Version de Moussa"
    assert Revision.objects.filter(plan=plan).count() == 2


def test_a_late_older_autosave_of_the_same_tab_is_ignored(plan, people):
    newer = save(plan, people["owner"], "Texte complet", 0, client="tab-1", seq=2)
    older = save(plan, people["owner"], "Texte comp", 0, client="tab-1", seq=1)
    assert newer.changed and older.ignored
    assert Answer.objects.get(plan=plan, item_id=ITEM).value == "Texte complet"


def test_a_save_whose_acknowledgement_was_lost_does_not_block_the_next_one(plan, people):
    save(plan, people["owner"], "Texte", 0, client="tab-1", seq=1)  # the reply never arrived
    saved = save(plan, people["owner"], "Texte suivi", 0, client="tab-1", seq=2)
    assert saved.changed and saved.target.version == 2


def test_another_tab_on_an_old_version_gets_a_conflict(plan, people):
    save(plan, people["owner"], "Texte", 0, client="tab-1", seq=1)
    with pytest.raises(StaleEdit):
        save(plan, people["owner"], "Autre onglet", 0, client="tab-2", seq=5)


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_item_at_once_both_end_as_revisions(plan, people):
    """Real threads, real connections: each retries on conflict as a person keeping theirs
    would; every save ends as a revision, in one unbroken chain."""
    rounds = 8
    errors: list[BaseException] = []

    def person(user):
        try:
            for i in range(rounds):
                while True:
                    current = Answer.objects.filter(plan=plan, item_id=ITEM).first()
                    try:
                        save(plan, user, f"{user.name} {i}", current.version if current else 0)
                        break
                    except StaleEdit:
                        continue
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(people[n],)) for n in ("owner", "editor")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    revisions = list(Revision.objects.filter(plan=plan, item_id=ITEM).order_by("version"))
    assert [r.version for r in revisions] == list(range(1, 2 * rounds + 1))
    assert all(r.before == previous.after for previous, r in itertools.pairwise(revisions))
    assert Answer.objects.get(plan=plan, item_id=ITEM).value == revisions[-1].after


@pytest.mark.django_db(transaction=True)
def test_two_saves_on_the_same_version_at_once_one_wins_one_is_told(plan, people):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def person(user):
        try:
            barrier.wait()
            save(plan, user, f"Version de {user.name}", 0)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(people[n],)) for n in ("owner", "editor")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert Revision.objects.filter(plan=plan).count() == 1


def test_records_are_added_updated_moved_and_removed_with_history(plan, people):
    owner = people["owner"]
    first = record_add(plan=plan, user=owner, item_id="actors", raw={"name": "Mairie"})
    second = record_add(plan=plan, user=owner, item_id="actors", raw={"name": "Orange"})
    record_update(
        plan=plan, user=owner, uid=first.uid, raw={"name": "Mairie de Kalaba"}, base_version=1
    )
    services.record_move(plan=plan, user=owner, uid=second.uid, offset=-1)
    order = list(Record.objects.filter(plan=plan, item_id="actors").values_list("uid", flat=True))
    assert order == [second.uid, first.uid]
    services.record_delete(plan=plan, user=owner, uid=second.uid, base_version=1)
    assert list(Record.objects.filter(plan=plan).values_list("uid", flat=True)) == [first.uid]
    actions = list(
        Revision.objects.filter(plan=plan).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["add", "add", "update", "move", "delete"]
    deleted = Revision.objects.get(action="delete").before
    assert deleted is not None and deleted["name"] == "Orange"


def test_a_stale_record_edit_is_refused(plan, people):
    record = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    record_update(
        plan=plan, user=people["owner"], uid=record.uid, raw={"name": "Mairie A"}, base_version=1
    )
    with pytest.raises(StaleEdit):
        record_update(
            plan=plan,
            user=people["editor"],
            uid=record.uid,
            raw={"name": "Mairie B"},
            base_version=1,
        )
    assert Record.objects.get(uid=record.uid).data["name"] == "Mairie A"


def test_a_reference_to_a_record_of_another_plan_is_refused(plan, other_plan, people):
    elsewhere = record_add(
        plan=other_plan, user=people["outsider"], item_id="pilot_actions", raw={"title": "Ailleurs"}
    )
    with pytest.raises(AnswerError, match="not in this plan"):
        record_add(
            plan=plan,
            user=people["owner"],
            item_id="perimeters",
            raw={"action": elsewhere.uid},
        )
    assert not Record.objects.filter(plan=plan).exists()


def test_a_list_holds_at_most_its_limit(plan, people, settings):
    item = services.definition_of(plan).item("actors")
    assert item is not None
    for i in range(item.max_records):
        record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": f"Acteur {i}"})
    with pytest.raises(AnswerError, match="limit"):
        record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Un de trop"})
    assert Record.objects.filter(plan=plan).count() == item.max_records
