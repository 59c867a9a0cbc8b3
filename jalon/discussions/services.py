"""Every write of the discussions room (GUIDE §4: typed, keyword-only, `<thing>_<verb>`): visits,
comments, notifications and their digests, presence.

Comments: starting a thread, replying, editing and deleting one's own comment, resolving and
reopening a thread. Each checks what the comment is about against the plan's worksheet
definition and records (an unknown item, record or option is a `CommentError`, a 400 for the
person), validates the text like every text of Jalon, and bumps the thread's version (the step
page's cache keys). Who may comment at all is decided by the views through jalon/access.py; who
may change a given comment is decided here: its author only (`NotYours`, a 403). Deleting is its
author's only, owners included: a comment is someone's own words, shown under their name; an
owner who wants a conversation out of the way resolves it, which takes it out of the counts
without putting words in or out of anyone's mouth.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.accounts.models import Digest, User
from jalon.organisations.models import Membership, Organisation
from jalon.plans.models import Answer, Plan, Record
from jalon.plans.services import definition_of
from jalon.worksheets.schema import Item
from jalon.worksheets.text import text_problem

from .models import COMMENT_LENGTH, Comment, DigestSent, Notification, Presence, Thread, Visit
from .signals import comment_posted

# Visits -------------------------------------------------------------------------------------

# A sitting: looks closer together than this are one visit, and cost no write.
SITTING = timedelta(minutes=10)


def visit_record(
    *, user: User, organisation: Organisation, plan: Plan | None = None
) -> datetime | None:
    """Note that `user` is looking at the plan (or the municipality) now, and return when their
    previous visit was (None: the first). Writes at most once per SITTING per person and place;
    two requests at once are safe (a conditional UPDATE, and a unique row per place)."""
    now = timezone.now()
    place = {"user": user, "plan": plan} if plan else {"user": user, "organisation": organisation}
    visits = Visit.objects.filter(**place) if plan else Visit.objects.filter(**place, plan=None)
    visit = visits.only("pk", "seen_at", "previous_seen_at").first()
    if visit is None:
        try:
            with transaction.atomic():
                Visit.objects.create(user=user, organisation=organisation, plan=plan, seen_at=now)
        except IntegrityError:  # the same person's other request made it just now
            pass
        return None
    if now - visit.seen_at < SITTING:
        return visit.previous_seen_at
    moved = visits.filter(pk=visit.pk, seen_at=visit.seen_at).update(
        previous_seen_at=F("seen_at"), seen_at=now
    )
    return visit.seen_at if moved else visit.previous_seen_at


# Comments -----------------------------------------------------------------------------------


class CommentError(Exception):
    """What was sent cannot be a comment (unknown item, empty text…); nothing was written."""


class NotYours(PermissionDenied):
    """Only a comment's author may change or delete it."""


def item_options(item: Item) -> list[tuple[str, str]]:
    """The options a thread may be about: the choices of a choice question (families too)."""
    found: list[tuple[str, str]] = []
    for option in item.options:
        found.append((option.code, str(option.label)))
        found.extend((leaf.code, str(leaf.label)) for leaf in option.options)
    return found


def members_of(plan: Plan) -> list[User]:
    return list(User.objects.filter(memberships__organisation_id=plan.organisation_id))


def _first_name(user: User) -> str:
    words = user.name.split()
    return words[0] if words else ""


def _mention_pattern(user: User, *, first_name: bool) -> re.Pattern[str]:
    forms = [user.name.strip(), user.email, _first_name(user) if first_name else ""]
    # Longest first: « @Awa Demba » is one mention of Awa Demba, not « @Awa » and a word.
    names = sorted((re.escape(form) for form in forms if form), key=len, reverse=True)
    return re.compile("@(?:" + "|".join(names) + r")(?![\w@.-]*\w)", re.IGNORECASE)


def _known_by_first_name(members: list[User]) -> set[int]:
    """The members no other member shares a first name with: « @Awa » can only mean them."""
    counts = Counter(_first_name(user).casefold() for user in members)
    return {
        user.pk
        for user in members
        if len(_first_name(user)) >= 2 and counts[_first_name(user).casefold()] == 1
    }


def mentions_in(body: str, members: Iterable[User]) -> list[User]:
    """The members `body` names as « @Prénom Nom », « @adresse » or, when no other member has
    that first name, « @Prénom », however capitalised."""
    members = list(members)
    by_first_name = _known_by_first_name(members)
    return [
        user
        for user in members
        if _mention_pattern(user, first_name=user.pk in by_first_name).search(body)
    ]


def mention_spans(body: str, mentioned: Iterable[User]) -> list[tuple[int, int, User]]:
    """Where each mention of `mentioned` sits in `body`, in order, without overlaps (the longer
    of two that start together)."""
    spans = sorted(
        (
            (found.start(), found.end(), user)
            for user in mentioned
            for found in _mention_pattern(user, first_name=True).finditer(body)
        ),
        key=lambda span: (span[0], -span[1]),
    )
    kept: list[tuple[int, int, User]] = []
    for start, end, user in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, user))
    return kept


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise CommentError(_("Write the comment before sending it."))
    if len(body) > COMMENT_LENGTH:
        raise CommentError(
            _("A comment is at most %(limit)s characters long; this one has %(length)s.")
            % {"limit": COMMENT_LENGTH, "length": len(body)}
        )
    problem = text_problem(body, _("The comment"))
    if problem:
        raise CommentError(problem)
    return body


def _check_target(plan: Plan, item_id: str, record_uid: str, option: str) -> None:
    item = definition_of(plan).item(item_id)
    if item is None:
        raise CommentError(_("This worksheet has no item %(id)r.") % {"id": item_id})
    if (
        record_uid
        and not Record.objects.filter(plan=plan, item_id=item_id, uid=record_uid).exists()
    ):
        raise CommentError(
            _("This list has no record %(uid)r (it may have been removed).") % {"uid": record_uid}
        )
    if option and option not in dict(item_options(item)):
        raise CommentError(
            _("Item %(id)r has no option %(option)r.") % {"id": item_id, "option": option}
        )


def _post(thread: Thread, user: User, body: str) -> Comment:
    comment = Comment.objects.create(thread=thread, author=user, body=body)
    mentioned = [u for u in mentions_in(body, members_of(thread.plan)) if u.pk != user.pk]
    comment.mentions.set(mentioned)
    transaction.on_commit(
        lambda: comment_posted.send(sender=Comment, comment=comment, mentioned=mentioned)
    )
    return comment


def _bump(thread: Thread, **changes: object) -> None:
    Thread.objects.filter(pk=thread.pk).update(
        version=F("version") + 1, updated=timezone.now(), **changes
    )
    thread.refresh_from_db()


@transaction.atomic
def thread_start(
    *,
    plan: Plan,
    user: User,
    item_id: str,
    body: str,
    record_uid: str = "",
    option: str = "",
) -> Comment:
    """A new thread on an item (or one of its records, or about one of its options), with its
    first comment."""
    body = _clean_body(body)
    _check_target(plan, item_id, record_uid, option)
    thread = Thread.objects.create(
        plan=plan,
        item_id=item_id,
        record_uid=record_uid,
        option=option,
        started_by=user,
        version=1,
    )
    return _post(thread, user, body)


@transaction.atomic
def comment_reply(*, thread: Thread, user: User, body: str) -> Comment:
    body = _clean_body(body)
    if thread.withdrawn:
        raise CommentError(_("This conversation was deleted."))
    if thread.resolved_at is not None:
        raise CommentError(_("This conversation is resolved: reopen it to reply."))
    _bump(thread)
    return _post(thread, user, body)


def _own(comment: Comment, user: User) -> None:
    if comment.author_id != user.pk:
        raise NotYours(_("Only its author can change or delete a comment."))
    if comment.deleted:
        raise CommentError(_("This comment was deleted."))


@transaction.atomic
def comment_edit(*, comment: Comment, user: User, body: str) -> Comment:
    """The author's new wording; who is named in it is worked out again."""
    _own(comment, user)
    comment.body = _clean_body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    thread = comment.thread
    mentioned = [u for u in mentions_in(comment.body, members_of(thread.plan)) if u.pk != user.pk]
    comment.mentions.set(mentioned)
    _bump(thread)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> None:
    """The text goes; the row stays while replies follow it (« Commentaire supprimé »). A thread
    left with no comment to show is withdrawn."""
    _own(comment, user)
    comment.body = ""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["body", "deleted_at"])
    comment.mentions.clear()
    thread = comment.thread
    left = thread.comments.filter(deleted_at__isnull=True).exists()
    _bump(thread, withdrawn=not left)


@transaction.atomic
def thread_resolve(*, thread: Thread, user: User) -> Thread:
    if thread.withdrawn:
        raise CommentError(_("This conversation was deleted."))
    if thread.resolved_at is None:
        _bump(thread, resolved_at=timezone.now(), resolved_by=user)
    return thread


@transaction.atomic
def thread_reopen(*, thread: Thread, user: User) -> Thread:
    if thread.withdrawn:
        raise CommentError(_("This conversation was deleted."))
    if thread.resolved_at is not None:
        _bump(thread, resolved_at=None, resolved_by=None)
    return thread


def thread_followers(thread: Thread) -> set[User]:
    """Who a new comment in `thread` concerns, among the municipality's current members: the
    authors of its comments, the people they named, and who last wrote what it is about (the
    record, or the item's answer, or the item's records)."""
    members = {user.pk: user for user in members_of(thread.plan)}
    ids: set[int | None] = set()
    for comment in thread.comments.prefetch_related("mentions"):
        ids.add(comment.author_id)
        ids.update(user.pk for user in comment.mentions.all())
    if thread.record_uid:
        writers = Record.objects.filter(plan=thread.plan, uid=thread.record_uid)
    else:
        writers = Record.objects.filter(plan=thread.plan, item_id=thread.item_id)
    ids.update(writers.values_list("updated_by_id", flat=True))
    if not thread.record_uid:
        answers = Answer.objects.filter(plan=thread.plan, item_id=thread.item_id)
        ids.update(answers.values_list("updated_by_id", flat=True))
    return {members[pk] for pk in ids if pk in members}


logger = logging.getLogger(__name__)

SUMMARY_LENGTH = Notification._meta.get_field("summary").max_length or 300
DAILY = timedelta(days=1)
# Notifications --------------------------------------------------------------------------------

# Someone is « modifying » an item while they typed in it within this time.
PRESENCE_WINDOW = timedelta(seconds=60)
# A person's presence is written again after this long in the same item (or on moving to another).
PRESENCE_REFRESH = timedelta(seconds=15)
# The page polls every 20 s, and never sooner than 5 s after its last poll left; a poll sooner
# than this after the last one arrived is refused (429). Shorter than the page's 5 s: a slow
# request arrives late, and the next one, sent 5 s after it left, may arrive less than 5 s later.
POLL_INTERVAL = timedelta(seconds=3)


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
    """This person is typing in this item now (called by the saves autosave makes). Autosave
    may save several times a second; « within the last minute » needs no finer clock than
    PRESENCE_REFRESH, so a save that finds the person's row fresh for this item writes nothing
    (a read instead of a write on the save's path)."""
    now = timezone.now()
    mine = Presence.objects.filter(user=user, plan=plan)
    seen = mine.values_list("item_id", "seen_at").first()
    if seen is not None and seen[0] == item_id and seen[1] and now - seen[1] < PRESENCE_REFRESH:
        return
    if not mine.update(item_id=item_id, seen_at=now):
        try:
            with transaction.atomic():
                Presence.objects.create(user=user, plan=plan, item_id=item_id, seen_at=now)
        except IntegrityError:  # a save of the same person created it meanwhile
            mine.update(item_id=item_id, seen_at=now)


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
