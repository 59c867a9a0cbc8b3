"""Reads of the discussions room: the header's count, a person's notifications, who is typing."""

from __future__ import annotations

from itertools import groupby

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts.models import User
from jalon.plans.models import Plan

from .models import Notification, Presence
from .services import PRESENCE_WINDOW


def unread_count(user: User) -> int:
    """One query on the partial index of unread rows (`notification_unread`)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_for(request: HttpRequest) -> int:
    """The signed-in person's unread count, read once per request: the page's ETag and its
    header use the same number, so a 304 never keeps a stale count."""
    cached: int | None = getattr(request, "_jalon_unread", None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = unread_count(user) if user is not None and user.is_authenticated else 0
        request._jalon_unread = cached  # type: ignore[attr-defined]
    return cached


def notification_of(user: User, notification_id: int) -> Notification:
    """One of this person's notifications; anyone else's is a 404, exactly like one that does
    not exist. Here rather than in jalon/access.py, which sits below this room: a notification
    belongs to one person, no membership or role comes into it."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise Http404
    return notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """Newest first, with what the list shows of each."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "plan")
        .order_by("-created", "-id")
    )


def presence_label(names: list[str]) -> str:
    if len(names) == 1:
        return _("%(name)s is editing this answer") % {"name": names[0]}
    return _("%(names)s are editing this answer") % {"names": ", ".join(names)}


def editing_now(plan: Plan, reader: User) -> dict[str, str]:
    """Who else typed in which item of the plan within the last minute, as the sentence shown on
    the item (« Moussa modifie cette réponse »), by item id."""
    since = timezone.now() - PRESENCE_WINDOW
    rows = (
        Presence.objects.filter(plan=plan, seen_at__gte=since)
        .exclude(user=reader)
        .exclude(item_id="")
        .select_related("user")
        .order_by("item_id", "user__name", "user_id")
    )
    return {
        item_id: presence_label([row.user.get_short_name() for row in group])
        for item_id, group in groupby(rows, key=lambda row: row.item_id)
    }
