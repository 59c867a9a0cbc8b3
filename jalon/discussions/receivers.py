"""What the discussions room hears, turned into notifications: the plans room's
`review_changed` (sent with the new ReviewEvent) and this room's own `comment_posted`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse

from jalon.accounts.models import User
from jalon.organisations.models import Role
from jalon.plans.models import Plan, ReviewEvent, ReviewState, Revision
from jalon.plans.signals import review_changed

from .models import Comment, Notification
from .selectors import comment_url
from .services import notify, thread_followers
from .signals import comment_posted

# The review states that concern someone. Going back to a draft tells nobody: the editor who
# changed the validated plan knows, and the validated version stays.
REVIEW_KINDS: dict[str, Notification.Kind] = {
    ReviewState.IN_REVIEW: Notification.Kind.REVIEW_REQUESTED,
    ReviewState.CHANGES_REQUESTED: Notification.Kind.CHANGES_REQUESTED,
    ReviewState.VALIDATED: Notification.Kind.VALIDATED,
}


def reviewers_of(plan: Plan) -> list[User]:
    """Who may validate the plan: the municipality's owners and the members named validators."""
    return list(
        User.objects.filter(
            Q(memberships__role=Role.OWNER) | Q(memberships__validator=True),
            memberships__organisation_id=plan.organisation_id,
        ).distinct()
    )


def writers_of(plan: Plan) -> list[User]:
    """The members who wrote in the plan (an answer, a record: its revisions say who)."""
    writers = Revision.objects.filter(plan=plan, user__isnull=False).values("user_id")
    return list(User.objects.filter(pk__in=writers))


def requester_of(plan: Plan) -> User | None:
    """Who asked for the plan's latest review."""
    latest = (
        ReviewEvent.objects.filter(plan=plan, to_state=ReviewState.IN_REVIEW)
        .select_related("actor")
        .first()  # newest first (the model's ordering)
    )
    return latest.actor if latest else None


@receiver(review_changed, dispatch_uid="discussions.review_changed")
def on_review_changed(sender: Any, event: ReviewEvent, **kwargs: Any) -> None:
    kind = REVIEW_KINDS.get(event.to_state)
    if kind is None:
        return
    plan: Plan = event.plan
    if kind == Notification.Kind.REVIEW_REQUESTED:
        recipients = reviewers_of(plan)
    else:
        requester = requester_of(plan)
        recipients = writers_of(plan) + ([requester] if requester else [])
    notify(
        recipients=recipients,
        actor=event.actor,
        kind=kind,
        plan=plan,
        summary=event.message or "",
        url=reverse("plan_overview", args=[plan.pk]),
    )


@receiver(comment_posted, dispatch_uid="discussions.comment_posted")
def on_comment_posted(sender: Any, comment: Comment, mentioned: list[User], **kwargs: Any) -> None:
    """The people named hear that they were (a mention); the thread's other followers (who wrote
    in it, who wrote what it is about) that someone commented."""
    thread = comment.thread
    plan = thread.plan
    named = {user.pk for user in mentioned}
    url = comment_url(plan, thread.item_id, comment.pk)

    def tell(recipients: list[User], kind: Notification.Kind) -> None:
        notify(
            recipients=recipients,
            actor=comment.author,
            kind=kind,
            plan=plan,
            summary=comment.body,
            url=url,
            item_id=thread.item_id,
            record_uid=thread.record_uid,
        )

    tell(mentioned, Notification.Kind.MENTION)
    tell(
        [user for user in thread_followers(thread) if user.pk not in named],
        kind=Notification.Kind.COMMENT,
    )
