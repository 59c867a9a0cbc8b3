"""Writes of the discussions room: notifications, digests, presence (GUIDE §4: typed,
keyword-only, `<thing>_<verb>`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from jalon.accounts.models import Digest, User
from jalon.organisations.models import Membership
from jalon.plans.models import Plan

from .models import DigestSent, Notification, Presence

logger = logging.getLogger(__name__)

SUMMARY_LENGTH = Notification._meta.get_field("summary").max_length or 300
DAILY = timedelta(days=1)
# Someone is « modifying » an item while they typed in it within this time.
PRESENCE_WINDOW = timedelta(seconds=60)
# The page polls every 20 s; a poll sooner than this after the last one is refused (429).
POLL_INTERVAL = timedelta(seconds=5)


def _local_path(url: str) -> str:
    """A notification leads somewhere in Jalon only: a path, never another host (`//evil` is
    one), so opening it cannot send anyone away."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    raise ValueError(f"A notification's url must be a path in Jalon, not {url!r}.")


def notify(
    *,
    recipients: Iterable[User],
    actor: User | None,
    kind: Notification.Kind,
    plan: Plan,
    summary: str,
    url: str,
    item_id: str = "",
    record_uid: str = "",
) -> list[Notification]:
    """Tell each recipient once, never the actor themselves (one is not told of what one did),
    and only those still members of the plan's municipality (a notification shows the plan)."""
    url = _local_path(url)
    wanted = {user.pk for user in recipients if user.pk is not None}
    if actor is not None:
        wanted.discard(actor.pk)
    members = set(
        Membership.objects.filter(
            organisation_id=plan.organisation_id, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    summary = " ".join(summary.split())  # one line in the header and the e-mail
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1] + "…"
    return Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            actor=actor,
            kind=kind,
            plan=plan,
            item_id=item_id,
            record_uid=record_uid,
            summary=summary,
            url=url,
        )
        for user_id in sorted(members)
    )


def notification_open(*, notification: Notification) -> str:
    """Mark it read (the first time only) and say where it leads."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return _local_path(notification.url)


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Digests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """Notifications taken for one person's e-mail: marked e-mailed before it is sent."""

    user: User
    notifications: list[Notification]
    previous_sent_at: datetime | None


def _due_users(now: datetime) -> list[User]:
    unsent = Notification.objects.filter(recipient=OuterRef("pk"), emailed_at__isnull=True)
    recent = DigestSent.objects.filter(user=OuterRef("pk"), sent_at__gt=now - DAILY)
    return list(
        User.objects.filter(is_active=True)
        .filter(Exists(unsent))
        .filter(
            Q(digest=Digest.IMMEDIATE) | (Q(digest=Digest.DAILY) & ~Exists(recent)),
        )
        .order_by("pk")
    )


def _digest_claim(user: User, now: datetime) -> Claim | None:
    """Take this person's unsent notifications, if their digest is due, in one transaction that
    holds their DigestSent row: a second run at the same time skips the person (PostgreSQL's
    SKIP LOCKED; SQLite runs one writing transaction at a time), and a later run sees the rows
    already marked. Marking them before sending means a crash between the two loses that e-mail
    (the notifications stay in the header) rather than ever sending one twice."""
    with transaction.atomic():
        state = DigestSent.objects.select_for_update(skip_locked=True).filter(user=user).first()
        if state is None:
            return None  # another run is sending this person's digest now
        if user.digest == Digest.DAILY and state.sent_at and state.sent_at > now - DAILY:
            return None
        notifications = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, emailed_at__isnull=True)
            .order_by("plan_id", "created", "id")
        )
        if not notifications:
            return None
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
        previous = state.sent_at
        state.sent_at = now
        state.save(update_fields=["sent_at"])
    # select_for_update cannot follow the nullable actor: read the related rows afterwards.
    for_mail = list(
        Notification.objects.filter(pk__in=[n.pk for n in notifications])
        .select_related("actor", "plan")
        .order_by("plan__title", "plan_id", "created", "id")
    )
    return Claim(user=user, notifications=for_mail, previous_sent_at=previous)


def _digest_release(claim: Claim, now: datetime) -> None:
    """The e-mail could not be sent: give the notifications back to the next run."""
    with transaction.atomic():
        Notification.objects.filter(
            pk__in=[n.pk for n in claim.notifications], emailed_at=now
        ).update(emailed_at=None)
        DigestSent.objects.filter(user=claim.user, sent_at=now).update(
            sent_at=claim.previous_sent_at
        )


def digest_message(user: User, notifications: list[Notification]) -> tuple[str, str]:
    """The subject and plain-text body of a digest, in the person's language, grouped by plan,
    each notification with its link (opening it marks it read)."""
    base = settings.JALON_BASE_URL.rstrip("/")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        count = len(notifications)
        subject = ngettext(
            "Jalon: %(count)d new notification", "Jalon: %(count)d new notifications", count
        ) % {"count": count}
        plans = [
            {
                "plan": plan,
                "notifications": [
                    {
                        "headline": n.headline(),
                        "summary": n.summary,
                        "link": base + reverse("notification_open", args=[n.pk]),
                    }
                    for n in group
                ],
            }
            for plan, group in groupby(notifications, key=lambda n: n.plan)
        ]
        context = {
            "user": user,
            "plans": plans,
            "profile_link": base + reverse("profile"),
            "all_link": base + reverse("notifications"),
        }
        body = render_to_string("discussions/digest_email.txt", context)
    return subject, body


def digests_send(*, now: datetime | None = None) -> int:
    """Send every digest that is due; returns how many e-mails went out. Safe to run twice, and
    on two servers at once (see `_digest_claim`)."""
    now = now or timezone.now()
    users = _due_users(now)
    # Every due person gets their row first, so that the claim can lock it.
    DigestSent.objects.bulk_create([DigestSent(user=user) for user in users], ignore_conflicts=True)
    sent = 0
    for user in users:
        claim = _digest_claim(user, now)
        if claim is None:
            continue
        subject, body = digest_message(user, claim.notifications)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:  # an SMTP failure of any kind: the next run tries again
            logger.exception("The digest for user %s could not be sent.", user.pk)
            _digest_release(claim, now)
            continue
        sent += 1
    return sent


# Presence -----------------------------------------------------------------------------------


def presence_touch(*, user: User, plan: Plan, item_id: str) -> None:
    """This person is typing in this item now (called by the saves autosave makes)."""
    now = timezone.now()
    updated = Presence.objects.filter(user=user, plan=plan).update(item_id=item_id, seen_at=now)
    if not updated:
        try:
            with transaction.atomic():
                Presence.objects.create(user=user, plan=plan, item_id=item_id, seen_at=now)
        except IntegrityError:  # a save of the same person created it meanwhile
            Presence.objects.filter(user=user, plan=plan).update(item_id=item_id, seen_at=now)


def presence_poll(*, user: User, plan: Plan) -> bool:
    """Count a poll of the plan's presence; False when it comes too soon after the last one."""
    now = timezone.now()
    allowed = Q(polled_at__isnull=True) | Q(polled_at__lte=now - POLL_INTERVAL)
    if Presence.objects.filter(allowed, user=user, plan=plan).update(polled_at=now):
        return True
    try:
        with transaction.atomic():
            Presence.objects.create(user=user, plan=plan, polled_at=now)
    except IntegrityError:
        return False  # the row exists and was polled within the interval
    return True
