"""Notifications (issue 9, item 5): who is told of what, the header's count and the pages' ETag,
the list, reading them; only the recipient sees one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jalon.accounts.models import User
from jalon.discussions import services as comment_services
from jalon.discussions.models import Notification
from jalon.discussions.services import notify
from jalon.organisations import services as organisation_services
from jalon.organisations.models import Role
from jalon.plans import review as review_services
from jalon.plans.models import Plan
from jalon.plans.services import answer_save

from ..conftest import client_for, make_user

Kind = Notification.Kind


def tell(plan: Plan, recipients: list[User], actor: User | None, **more) -> list[Notification]:
    return notify(
        recipients=recipients,
        actor=actor,
        kind=more.pop("kind", Kind.COMMENT),
        plan=plan,
        summary=more.pop("summary", "Pouvez-vous relire la réponse ?"),
        url=more.pop("url", f"/plans/{plan.pk}/steps/2/#item-competences"),
        **more,
    )


def recipients_of(plan: Plan, kind: Kind) -> set[str]:
    return {n.recipient.name for n in Notification.objects.filter(plan=plan, kind=kind)}


def test_notify_tells_each_recipient_once_and_never_the_actor(plan, people):
    made = tell(
        plan,
        [people["editor"], people["viewer"], people["editor"], people["owner"]],
        people["owner"],
        item_id="competences",
    )
    assert sorted(n.recipient.name for n in made) == ["Editor", "Viewer"]
    assert all(n.actor == people["owner"] and n.item_id == "competences" for n in made)
    assert all(n.read_at is None and n.emailed_at is None for n in made)


def test_notify_tells_nobody_outside_the_plans_municipality(plan, people):
    made = tell(plan, [people["outsider"], people["viewer"]], people["owner"])
    assert [n.recipient for n in made] == [people["viewer"]]


def test_notify_keeps_a_one_line_summary_within_its_length(plan, people):
    (made,) = tell(plan, [people["viewer"]], people["owner"], summary="a\nb  " + "x" * 400)
    assert made.summary.startswith("a b x") and "\n" not in made.summary
    assert len(made.summary) == 300 and made.summary.endswith("…")


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "plans/1/"])
def test_notify_refuses_a_link_outside_jalon(plan, people, url):
    with pytest.raises(ValueError):
        tell(plan, [people["viewer"]], people["owner"], url=url)


# Receivers of review_changed, through the review services (the signal goes on commit).

MOVES: dict[str, Callable[..., object]] = {
    "in_review": review_services.review_request,
    "changes_requested": review_services.review_request_changes,
    "validated": review_services.review_validate,
}


@pytest.fixture
def review(django_capture_on_commit_callbacks):
    def move(plan: Plan, actor: User, to_state: str, message: str = "") -> None:
        membership = plan.organisation.memberships.get(user=actor)
        with django_capture_on_commit_callbacks(execute=True):
            MOVES[to_state](plan=plan, membership=membership, message=message)

    return move


@pytest.fixture
def validator(organisation) -> User:
    user = make_user("validator")
    organisation_services.membership_add(
        organisation=organisation, email=user.email, role=Role.COMMENTER
    )
    organisation.memberships.filter(user=user).update(validator=True)
    return user


def test_a_review_request_tells_the_owners_and_validators(plan, people, validator, review):
    second_owner = make_user("mariama")
    organisation_services.membership_add(
        organisation=plan.organisation, email=second_owner.email, role=Role.OWNER
    )
    review(plan, people["editor"], "in_review", "Prêt pour relecture")
    assert recipients_of(plan, Kind.REVIEW_REQUESTED) == {"Owner", "Mariama", "Validator"}
    made = Notification.objects.filter(kind=Kind.REVIEW_REQUESTED).first()
    assert made is not None
    assert made.summary == "Prêt pour relecture" and made.url == f"/plans/{plan.pk}/"


def test_the_validator_asking_for_a_review_is_not_told_of_it(plan, people, validator, review):
    review(plan, validator, "in_review")
    assert recipients_of(plan, Kind.REVIEW_REQUESTED) == {"Owner"}


@pytest.mark.parametrize(
    "state,kind", [("changes_requested", Kind.CHANGES_REQUESTED), ("validated", Kind.VALIDATED)]
)
def test_a_decision_tells_the_writers_and_the_requester(
    plan, people, validator, state, kind, review
):
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="X", base_version=0)
    review(plan, people["commenter"], "in_review")  # the commenter asked, wrote nothing
    review(plan, validator, state, "Voir l’étape 2")
    # The viewer neither wrote nor asked; the validator decided.
    assert recipients_of(plan, kind) == {"Editor", "Commenter"}


def test_a_return_to_draft_tells_nobody(plan, people, review, django_capture_on_commit_callbacks):
    review(plan, people["owner"], "validated")
    told = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        answer_save(
            plan=plan, user=people["editor"], item_id="competences", raw="Y", base_version=0
        )
    plan.refresh_from_db()
    assert plan.review_state == "draft"
    assert Notification.objects.count() == told


# The header and the list.


def unread_label(page: str) -> str:
    return page.split('class="unread-count"')[1].split(">")[0]


def test_the_header_shows_the_unread_count_with_its_label(client, plan, people):
    tell(plan, [people["viewer"]], people["owner"])
    tell(plan, [people["viewer"]], people["editor"])
    tell(plan, [people["viewer"]], people["editor"], kind=Kind.MENTION)
    page = client_for(client, people["viewer"]).get("/").content.decode()
    assert 'aria-label="3 notifications non lues"' in unread_label(page)
    assert 'href="/notifications/"' in unread_label(page)
    assert ">3</a>" in page


def test_no_count_shows_without_unread_notifications(client, plan, people):
    (made,) = tell(plan, [people["viewer"]], people["owner"])
    Notification.objects.filter(pk=made.pk).update(read_at=timezone.now())
    page = client_for(client, people["viewer"]).get("/").content.decode()
    assert "unread-count" not in page


def test_the_header_count_costs_one_query(client, plan, people):
    tell(plan, [people["viewer"]], people["owner"])
    viewer = client_for(client, people["viewer"])
    viewer.get("/notifications/")
    with CaptureQueriesContext(connection) as queries:
        viewer.get(f"/plans/{plan.pk}/steps/2/")
    counts = [q["sql"] for q in queries.captured_queries if "discussions_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()


def test_a_new_notification_changes_the_step_pages_etag(client, plan, people):
    viewer = client_for(client, people["viewer"])
    url = f"/plans/{plan.pk}/steps/2/"
    etag = viewer.get(url)["ETag"]
    assert viewer.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    tell(plan, [people["viewer"]], people["owner"])
    fresh = viewer.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert 'aria-label="1 notification non lue"' in fresh.content.decode()


def test_one_persons_count_never_shows_in_anothers_cached_page(plan, people):
    tell(plan, [people["viewer"]], people["owner"])
    tell(plan, [people["viewer"]], people["owner"], kind=Kind.MENTION)
    url = f"/plans/{plan.pk}/steps/2/"
    viewer_page = client_for(Client(), people["viewer"]).get(url).content.decode()
    editor_page = client_for(Client(), people["editor"]).get(url).content.decode()
    assert 'aria-label="2 notifications non lues"' in viewer_page
    assert "unread-count" not in editor_page


def test_the_list_shows_newest_first_unread_marked_and_escaped(client, plan, people):
    tell(plan, [people["viewer"]], people["owner"], summary="<script>alert(1)</script> d’abord")
    tell(plan, [people["viewer"]], people["editor"], kind=Kind.MENTION, summary="ensuite")
    page = client_for(client, people["viewer"]).get("/notifications/").content.decode()
    assert page.index("Editor vous a mentionné") < page.index("Owner a commenté")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert page.count('class="unread"') == 2 and "Tout marquer comme lu" in page


def test_the_list_is_paginated(client, plan, people):
    for number in range(25):
        tell(plan, [people["viewer"]], people["owner"], summary=f"numéro {number}")
    viewer = client_for(client, people["viewer"])
    first, second = viewer.get("/notifications/"), viewer.get("/notifications/?page=2")
    assert "numéro 24" in first.content.decode() and "numéro 4<" not in first.content.decode()
    assert "numéro 4<" in second.content.decode() and "numéro 24" not in second.content.decode()
    assert viewer.get("/notifications/?page=x").status_code == 200


def test_marking_all_read_clears_the_count(client, plan, people):
    tell(plan, [people["viewer"]], people["owner"])
    tell(plan, [people["editor"]], people["owner"])
    viewer = client_for(client, people["viewer"])
    response = viewer.post("/notifications/read/", follow=True)
    assert "unread-count" not in response.content.decode()
    assert "Toutes les notifications sont marquées comme lues" in response.content.decode()
    assert Notification.objects.get(recipient=people["editor"]).read_at is None


def test_opening_a_notification_marks_it_read_and_leads_to_its_place(client, plan, people):
    (made,) = tell(plan, [people["viewer"]], people["owner"])
    response = client_for(client, people["viewer"]).get(f"/notifications/{made.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/steps/2/#item-competences"
    made.refresh_from_db()
    assert made.read_at is not None


@pytest.mark.parametrize("who", ["editor", "owner", "outsider"])
def test_only_the_recipient_may_open_a_notification(client, plan, people, who):
    (made,) = tell(plan, [people["viewer"]], people["commenter"])
    response = client_for(client, people[who]).get(f"/notifications/{made.pk}/")
    assert response.status_code == 404
    made.refresh_from_db()
    assert made.read_at is None


# Receiver of comment_posted.


def test_a_comment_tells_who_it_names_and_who_wrote_the_item(
    plan, people, django_capture_on_commit_callbacks
):
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="X", base_version=0)
    with django_capture_on_commit_callbacks(execute=True):
        first = comment_services.thread_start(
            plan=plan, user=people["commenter"], item_id="competences", body="@Viewer, voyez-vous ?"
        )
    # Named: a mention (not also a comment); wrote the answer: a comment; the author: nothing.
    assert recipients_of(plan, Kind.MENTION) == {"Viewer"}
    assert recipients_of(plan, Kind.COMMENT) == {"Editor"}
    mention = Notification.objects.get(kind=Kind.MENTION)
    assert mention.url == f"/plans/{plan.pk}/steps/2/#comment-{first.pk}"
    assert mention.summary == "@Viewer, voyez-vous ?" and mention.actor == people["commenter"]
    # A reply by the editor tells the commenter, who wrote in the thread, and the viewer, named
    # in it before; not the editor.
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.comment_reply(thread=first.thread, user=people["editor"], body="Oui.")
    replies = Notification.objects.filter(kind=Kind.COMMENT, actor=people["editor"])
    assert {n.recipient.name for n in replies} == {"Commenter", "Viewer"}
