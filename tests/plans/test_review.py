"""A plan's review and sign-off: every move and every refusal, who may validate, the signal once
committed, the frozen version, and a change after validation opening a new draft."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jalon.organisations.models import Membership
from jalon.organisations.services import membership_change
from jalon.plans import review
from jalon.plans.models import Plan, PlanVersion, ReviewEvent, ReviewState
from jalon.plans.services import answer_save, record_add, record_delete, record_move, record_update
from jalon.plans.signals import review_changed

from ..conftest import client_for


def member(plan: Plan, user) -> Membership:
    return Membership.objects.get(organisation=plan.organisation, user=user)


def state_of(plan: Plan) -> str:
    return Plan.objects.get(pk=plan.pk).review_state


@pytest.fixture
def heard():
    """The review_changed signals sent, as (event, its plan's state in the database then)."""
    received: list[tuple[ReviewEvent, str]] = []

    def listener(sender, event, **kwargs):
        received.append((event, state_of(event.plan)))

    review_changed.connect(listener)
    yield received
    review_changed.disconnect(listener)


# The services: every move and every refusal


def test_a_new_plan_is_a_draft_with_no_history(plan):
    assert plan.review_state == ReviewState.DRAFT
    assert not ReviewEvent.objects.filter(plan=plan).exists()


def test_request_review_then_changes_then_review_then_validate(plan, people):
    editor, owner = member(plan, people["editor"]), member(plan, people["owner"])
    review.review_request(plan=plan, membership=editor, message="Prêt pour relecture")
    assert state_of(plan) == ReviewState.IN_REVIEW
    review.review_request_changes(plan=plan, membership=owner, message="Ajoutez un indicateur")
    assert state_of(plan) == ReviewState.CHANGES_REQUESTED
    review.review_request(plan=plan, membership=editor)
    event = review.review_validate(plan=plan, membership=owner, message="Bon pour le conseil")
    assert state_of(plan) == ReviewState.VALIDATED
    history = list(ReviewEvent.objects.filter(plan=plan).order_by("created", "id"))
    assert [(e.from_state, e.to_state) for e in history] == [
        ("draft", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "in_review"),
        ("in_review", "validated"),
    ]
    assert [(e.actor, e.role) for e in history] == [
        (people["editor"], "editor"),
        (people["owner"], "owner"),
        (people["editor"], "editor"),
        (people["owner"], "owner"),
    ]
    assert [e.message for e in history] == [
        "Prêt pour relecture",
        "Ajoutez un indicateur",
        "",
        "Bon pour le conseil",
    ]
    assert all(e.created for e in history)
    assert event.version is not None and history[-1].version == event.version
    assert [e.version for e in history[:-1]] == [None, None, None]


def test_a_validator_may_validate_a_draft_straight_away(plan, people):
    event = review.review_validate(plan=plan, membership=member(plan, people["owner"]))
    assert (event.from_state, event.to_state) == ("draft", "validated")
    assert state_of(plan) == ReviewState.VALIDATED


@pytest.mark.parametrize(
    ("setup", "move", "message"),
    [
        (["request"], "request", "already in review"),
        (["validate"], "request", "is validated as it stands"),
        ([], "changes", "only on a plan in review; this one is draft"),
        (["validate"], "changes", "only on a plan in review; this one is validated"),
        (["validate"], "validate", "already validated"),
    ],
)
def test_a_move_the_state_does_not_allow_is_refused_with_a_409_and_its_reason(
    english, plan, people, setup, move, message
):
    owner = member(plan, people["owner"])
    moves = {
        "request": lambda: review.review_request(plan=plan, membership=owner),
        "changes": lambda: review.review_request_changes(plan=plan, membership=owner, message="X"),
        "validate": lambda: review.review_validate(plan=plan, membership=owner),
    }
    for step in setup:
        moves[step]()
    before = (state_of(plan), ReviewEvent.objects.count(), PlanVersion.objects.count())
    with pytest.raises(review.ReviewError, match=message) as refused:
        moves[move]()
    assert refused.value.status == 409
    assert (state_of(plan), ReviewEvent.objects.count(), PlanVersion.objects.count()) == before


@pytest.mark.parametrize("message", ["", "   \n "])
def test_asking_for_changes_needs_a_message(english, plan, people, message):
    editor, owner = member(plan, people["editor"]), member(plan, people["owner"])
    review.review_request(plan=plan, membership=editor)
    with pytest.raises(review.ReviewError, match="Say what should change") as refused:
        review.review_request_changes(plan=plan, membership=owner, message=message)
    assert refused.value.status == 400
    assert state_of(plan) == ReviewState.IN_REVIEW


def test_the_signal_is_sent_once_after_commit_with_the_event(
    plan, people, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = review.review_request(plan=plan, membership=member(plan, people["editor"]))
    assert heard == []  # not before the transaction is committed
    assert len(callbacks) == 1
    callbacks[0]()
    assert heard == [(event, ReviewState.IN_REVIEW)]


def test_a_refused_move_sends_no_signal(plan, people, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(review.ReviewError):
        review.review_request_changes(
            plan=plan, membership=member(plan, people["owner"]), message="X"
        )
    assert heard == []


# The frozen version


def test_validating_freezes_the_whole_plan_with_its_authors_and_the_validation(plan, people):
    answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw="Collecte", base_version=0
    )
    actor = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    event = review.review_validate(
        plan=plan, membership=member(plan, people["owner"]), message="Bon"
    )
    version = event.version
    assert version is not None and version.kind == PlanVersion.Kind.VALIDATION
    assert (version.definition_id, version.definition_version, version.definition_hash) == (
        plan.definition_id,
        plan.definition_version,
        plan.definition_hash,
    )
    content = version.content
    assert content["answers"]["competences"]["value"] == "Collecte"
    assert content["answers"]["competences"]["updated_by"] == "Editor"
    assert content["answers"]["competences"]["updated_at"]
    assert content["lists"]["actors"][0]["id"] == actor.uid
    assert content["lists"]["actors"][0]["data"]["name"] == "Mairie"
    assert content["lists"]["actors"][0]["updated_by"] == "Owner"
    assert content["organisation"]["name"] == "Commune de Kalaba"
    assert content["plan"]["title"] == "Déchets solides 2027"
    assert content["validation"]["validated_by"] == "Owner"
    assert content["validation"]["role"] == "owner"
    assert content["validation"]["message"] == "Bon"
    assert (version.validated_by, version.validated_role, version.message) == (
        "Owner",
        "owner",
        "Bon",
    )
    assert version.validated_at == event.created or version.validated_at is not None


def test_the_frozen_version_stays_as_it_was_after_later_edits(plan, people):
    answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw="Avant", base_version=0
    )
    actor = record_add(plan=plan, user=people["editor"], item_id="actors", raw={"name": "Mairie"})
    version = review.review_validate(plan=plan, membership=member(plan, people["owner"])).version
    assert version is not None
    frozen = PlanVersion.objects.get(pk=version.pk).content
    answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw="Après", base_version=1
    )
    record_update(
        plan=plan, user=people["editor"], uid=actor.uid, raw={"name": "ONG"}, base_version=1
    )
    record_add(plan=plan, user=people["editor"], item_id="actors", raw={"name": "Préfecture"})
    plan.organisation.name = "Commune renommée"
    plan.organisation.save()
    again = PlanVersion.objects.get(pk=version.pk)
    assert again.content == frozen
    assert again.content["answers"]["competences"]["value"] == "Avant"
    assert [r["data"]["name"] for r in again.content["lists"]["actors"]] == ["Mairie"]
    assert again.content["organisation"]["name"] == "Commune de Kalaba"


# A change after validation opens a new draft


def _validated(plan, people) -> None:
    review.review_validate(plan=plan, membership=member(plan, people["owner"]))


EDITS = {
    "answer_save": lambda plan, user, uid: answer_save(
        plan=plan, user=user, item_id="competences", raw="Nouveau", base_version=None
    ),
    "record_add": lambda plan, user, uid: record_add(
        plan=plan, user=user, item_id="actors", raw={"name": "ONG"}
    ),
    "record_update": lambda plan, user, uid: record_update(
        plan=plan, user=user, uid=uid, raw={"name": "Mairie B"}, base_version=None
    ),
    "record_delete": lambda plan, user, uid: record_delete(
        plan=plan, user=user, uid=uid, base_version=None
    ),
    "record_move": lambda plan, user, uid: record_move(plan=plan, user=user, uid=uid, offset=1),
}


@pytest.mark.parametrize("edit", EDITS)
def test_the_first_change_after_validation_makes_the_plan_a_draft_again(
    plan, people, heard, edit, django_capture_on_commit_callbacks
):
    first = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Préfecture"})
    _validated(plan, people)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        EDITS[edit](plan, people["editor"], first.uid)
    assert state_of(plan) == ReviewState.DRAFT
    event = ReviewEvent.objects.filter(plan=plan).first()
    assert event is not None
    assert (event.from_state, event.to_state, event.actor, event.role) == (
        "validated",
        "draft",
        people["editor"],
        "editor",
    )
    assert event.message == review.EDITED_AFTER_VALIDATION
    assert [e for e, _state in heard] == [event]
    # The validated version stays, and a second change adds nothing to the history.
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    EDITS["record_add"](plan, people["editor"], first.uid)
    assert ReviewEvent.objects.filter(plan=plan).count() == 2


def test_a_save_that_changes_nothing_leaves_the_plan_validated(plan, people):
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="Même", base_version=0)
    _validated(plan, people)
    saved = answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw="Même", base_version=None
    )
    assert not saved.changed
    assert state_of(plan) == ReviewState.VALIDATED


def test_a_change_during_review_keeps_the_plan_in_review(plan, people):
    review.review_request(plan=plan, membership=member(plan, people["editor"]))
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="X", base_version=0)
    assert state_of(plan) == ReviewState.IN_REVIEW


# Who may validate, through the pages


def post(client, user, url, data=None):
    return client_for(client, user).post(url, data or {})


def test_an_editor_may_ask_for_a_review_but_not_validate(client, plan, people):
    editor = people["editor"]
    response = post(client, editor, reverse("review_request", args=[plan.pk]), {"message": "Prêt"})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert state_of(plan) == ReviewState.IN_REVIEW
    assert post(client, editor, reverse("review_validate", args=[plan.pk])).status_code == 403
    changes = reverse("review_request_changes", args=[plan.pk])
    assert post(client, editor, changes, {"message": "Non"}).status_code == 403
    assert state_of(plan) == ReviewState.IN_REVIEW


def test_an_owner_validates_and_a_member_named_validator_too(client, plan, people):
    owner_response = post(client, people["owner"], reverse("review_validate", args=[plan.pk]))
    assert owner_response.status_code == 302
    assert state_of(plan) == ReviewState.VALIDATED
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="X", base_version=0)
    editor = member(plan, people["editor"])
    membership_change(membership=editor, role="editor", validator=True)
    client.logout()
    response = post(client, people["editor"], reverse("review_validate", args=[plan.pk]))
    assert response.status_code == 302
    assert state_of(plan) == ReviewState.VALIDATED
    event = ReviewEvent.objects.filter(plan=plan).first()
    assert event is not None and (event.actor, event.role) == (people["editor"], "editor")


def test_a_viewer_named_validator_may_validate_but_not_ask_for_a_review(client, plan, people):
    membership_change(membership=member(plan, people["viewer"]), role="viewer", validator=True)
    viewer = people["viewer"]
    assert post(client, viewer, reverse("review_request", args=[plan.pk])).status_code == 403
    assert post(client, viewer, reverse("review_validate", args=[plan.pk])).status_code == 302


def test_an_owner_names_a_validator_on_the_municipality_page(client, plan, people):
    editor = member(plan, people["editor"])
    client_for(client, people["owner"])
    page = client.get(f"/organisations/{plan.organisation_id}/").content.decode()
    assert f'id="validator-{editor.pk}"' in page
    url = f"/organisations/{plan.organisation_id}/members/{editor.pk}/"
    client.post(url, {"role": "editor", "validator": "1"})
    assert Membership.objects.get(pk=editor.pk).validator
    client.post(url, {"role": "editor"})  # the box unticked
    assert not Membership.objects.get(pk=editor.pk).validator


def test_a_refused_move_shows_the_overview_with_its_reason_and_a_409(client, plan, people):
    client_for(client, people["owner"])
    response = client.post(reverse("review_request_changes", args=[plan.pk]), {"message": "X"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Des modifications ne peuvent être demandées que" in page
    assert 'id="review-problem"' in page
    # An empty message for changes: the form says so, with a 400, keeping nothing changed.
    review.review_request(plan=plan, membership=member(plan, people["editor"]))
    response = client.post(reverse("review_request_changes", args=[plan.pk]), {"message": " "})
    assert response.status_code == 400
    assert state_of(plan) == ReviewState.IN_REVIEW


def test_a_message_with_a_control_character_is_refused_next_to_the_form(client, plan, people):
    client_for(client, people["editor"])
    response = client.post(reverse("review_request", args=[plan.pk]), {"message": "A\x1bB"})
    assert response.status_code == 400
    assert state_of(plan) == ReviewState.DRAFT


def test_the_overview_shows_the_state_the_history_and_the_buttons_each_may_use(
    client, plan, people
):
    review.review_request(
        plan=plan, membership=member(plan, people["editor"]), message="Relisez l’étape 4"
    )
    url = f"/plans/{plan.pk}/"
    owner_page = client_for(client, people["owner"]).get(url).content.decode()
    assert "En relecture" in owner_page and "Relisez l’étape 4" in owner_page
    assert reverse("review_validate", args=[plan.pk]) in owner_page
    assert reverse("review_request_changes", args=[plan.pk]) in owner_page
    client.logout()
    editor_page = client_for(client, people["editor"]).get(url).content.decode()
    assert "En relecture" in editor_page
    assert reverse("review_validate", args=[plan.pk]) not in editor_page
    client.logout()
    viewer_page = client_for(client, people["viewer"]).get(url).content.decode()
    assert "<form" not in viewer_page.split('id="review-title"')[1].split("</section>")[0]


def test_the_overview_lists_the_validated_versions(client, plan, people):
    version = review.review_validate(plan=plan, membership=member(plan, people["owner"])).version
    assert version is not None
    page = client_for(client, people["viewer"]).get(f"/plans/{plan.pk}/").content.decode()
    assert reverse("plan_version", args=[plan.pk, version.pk]) in page
    assert "Validé" in page


def test_a_step_page_shows_the_state_and_never_answers_304_across_a_change(client, plan, people):
    url = f"/plans/{plan.pk}/steps/1/"
    client_for(client, people["editor"])
    first = client.get(url)
    assert "Brouillon" in first.content.decode()
    review.review_validate(plan=plan, membership=member(plan, people["owner"]))
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "Validé" in again.content.decode()


def test_naming_a_validator_changes_the_overviews_etag(client, plan, people):
    review.review_request(plan=plan, membership=member(plan, people["editor"]))
    url = f"/plans/{plan.pk}/"
    client_for(client, people["editor"])
    first = client.get(url)
    assert reverse("review_validate", args=[plan.pk]) not in first.content.decode()
    membership_change(membership=member(plan, people["editor"]), role="editor", validator=True)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert reverse("review_validate", args=[plan.pk]) in again.content.decode()


def test_an_imported_plan_starts_as_a_draft(plan, people):
    from jalon.plans.plan_file import parse
    from jalon.plans.services import plan_import
    from jalon.reports.selectors import plan_export
    from jalon.reports.to_json import build

    _validated(plan, people)
    exported = build(plan_export(Plan.objects.get(pk=plan.pk)))
    assert b'"state": "validated"' in exported
    imported = plan_import(
        organisation=plan.organisation, user=people["owner"], data=parse(exported)
    )
    assert imported.review_state == ReviewState.DRAFT
    assert not ReviewEvent.objects.filter(plan=imported).exists()


def test_validating_what_changed_since_the_page_was_read_is_refused(client, plan, people):
    review.review_request(plan=plan, membership=member(plan, people["editor"]))
    client_for(client, people["owner"])
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    seen = page.split('name="seen" value="')[1].split('"')[0]
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="X", base_version=0)
    url = reverse("review_validate", args=[plan.pk])
    stale = client.post(url, {"message": "", "seen": seen})
    assert stale.status_code == 409
    assert "Le plan a changé depuis" in stale.content.decode()
    assert state_of(plan) == ReviewState.IN_REVIEW
    fresh = client.get(f"/plans/{plan.pk}/").content.decode()
    seen = fresh.split('name="seen" value="')[1].split('"')[0]
    assert client.post(url, {"message": "", "seen": seen}).status_code == 302
    assert state_of(plan) == ReviewState.VALIDATED
    event = ReviewEvent.objects.filter(plan=plan).first()
    assert event is not None and event.version is not None
    history = client.get(f"/plans/{plan.pk}/").content.decode()
    assert reverse("plan_version", args=[plan.pk, event.version.pk]) in history


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_validators_at_the_same_moment_validate_once(people, plan):
    """Each move reads the state under the plan row's lock: of two validations racing, one
    freezes a version, the other is refused, as if they came one after the other."""
    import threading

    from django.db import connection

    membership_change(membership=member(plan, people["editor"]), role="editor", validator=True)
    validators = [member(plan, people["owner"]), member(plan, people["editor"])]
    for one in validators:
        one.user  # noqa: B018  (loaded here, not in the threads)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def validate(membership: Membership) -> None:
        try:
            start.wait()
            review.review_validate(plan=Plan.objects.get(pk=plan.pk), membership=membership)
            outcomes.append("validated")
        except review.ReviewError as error:
            outcomes.append(f"refused {error.status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=validate, args=(one,)) for one in validators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused 409", "validated"]
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    assert ReviewEvent.objects.filter(plan=plan, to_state="validated").count() == 1
