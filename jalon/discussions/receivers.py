"""What the discussions room hears from the rooms below it, turned into notifications.

`review_changed` (jalon.plans.signals) is sent with `event`, a ReviewEvent: `.plan`, `.actor`,
`.to_state`, `.message`, `.created`. The comment receiver is wired where comments live:

    @receiver(comment_posted)
    def on_comment_posted(sender, comment, mentioned, **kwargs):
        notify(recipients=mentioned, kind=Notification.Kind.MENTION, ...)
        notify(recipients=[u for u in thread_followers(comment.thread) if u not in mentioned],
               kind=Notification.Kind.COMMENT, ...)
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse

from jalon.accounts.models import User
from jalon.organisations.models import Role
from jalon.plans.models import Plan, Revision
from jalon.plans.signals import review_changed

from .models import Notification
from .services import notify

# The review states that concern someone, by the value of `event.to_state`. Going back to a
# draft (or any state not listed) tells nobody.
REVIEW_KINDS: dict[str, Notification.Kind] = {
    "in_review": Notification.Kind.REVIEW_REQUESTED,
    "review_requested": Notification.Kind.REVIEW_REQUESTED,
    "changes_requested": Notification.Kind.CHANGES_REQUESTED,
    "validated": Notification.Kind.VALIDATED,
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
    """Who asked for the plan's latest review: the actor of its last « review requested »
    notification (every reviewer got one, with the same actor)."""
    latest = (
        Notification.objects.filter(plan=plan, kind=Notification.Kind.REVIEW_REQUESTED)
        .select_related("actor")
        .order_by("-created", "-id")
        .first()
    )
    return latest.actor if latest else None


@receiver(review_changed, dispatch_uid="discussions.review_changed")
def on_review_changed(sender: Any, event: Any, **kwargs: Any) -> None:
    kind = REVIEW_KINDS.get(str(getattr(event.to_state, "value", event.to_state)))
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
