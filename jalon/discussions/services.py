"""Writes of the discussions room.

Every write to comments: starting a thread, replying, editing and deleting one's own comment,
resolving and reopening a thread.

Each checks what the comment is about against the plan's worksheet definition and records (an
unknown item, record or option is a `CommentError`, a 400 for the person), validates the text
like every text of Jalon, and bumps the thread's version (the step page's cache keys). Who may
comment at all is decided by the views through jalon/access.py; who may change a given comment
is decided here: its author only (`NotYours`, a 403).

Deleting is its author's only, owners included: a comment is someone's own words, shown under
their name; an owner who wants a conversation out of the way resolves it, which takes it out of
the counts without putting words in or out of anyone's mouth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts.models import User
from jalon.organisations.models import Organisation
from jalon.plans.models import Answer, Plan, Record
from jalon.plans.services import definition_of
from jalon.worksheets.schema import Item
from jalon.worksheets.text import text_problem

from .models import COMMENT_LENGTH, Comment, Thread, Visit
from .signals import comment_posted

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


def _mention_pattern(user: User) -> re.Pattern[str]:
    names = [re.escape(n) for n in (user.name.strip(), user.email) if n]
    return re.compile("@(?:" + "|".join(names) + r")(?![\w@.-]*\w)", re.IGNORECASE)


def mentions_in(body: str, members: Iterable[User]) -> list[User]:
    """The members `body` names as « @Prénom Nom » or « @adresse », however capitalised."""
    return [user for user in members if _mention_pattern(user).search(body)]


def mention_spans(body: str, mentioned: Iterable[User]) -> list[tuple[int, int, User]]:
    """Where each mention of `mentioned` sits in `body`, in order, without overlaps."""
    spans = sorted(
        (found.start(), found.end(), user)
        for user in mentioned
        for found in _mention_pattern(user).finditer(body)
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
