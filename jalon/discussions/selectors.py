"""Reads of the discussions room, shaped for pages: a plan's open-thread counts in one query,
the threads of some items with their comments, an item's comments for its history, links to an
item or a comment; the header's count, a person's notifications, who is typing. (The activity
has its own module, activity.py.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from jalon.accounts.models import User
from jalon.plans.models import Plan
from jalon.plans.services import definition_of
from jalon.worksheets.schema import Definition, Item

from .models import Comment, Notification, Presence, Thread
from .services import PRESENCE_WINDOW, item_options, mention_spans


@dataclass(frozen=True)
class CommentCounts:
    """A plan's open threads, counted by item (its records' included) and by record; and its
    versions, the facts cached pages are keyed by."""

    by_item: dict[str, int] = field(default_factory=dict)
    by_record: dict[str, int] = field(default_factory=dict)
    # item id → (sum of its threads' versions, the last write to one of them)
    versions: dict[str, tuple[int, Any]] = field(default_factory=dict)
    # (threads, sum of their versions, the last write to one): changes with every write
    stamp: tuple[int, int, Any] = (0, 0, None)

    @property
    def tag(self) -> str:
        """The stamp, as a part of a cache key or ETag name (no spaces: memcached keys)."""
        threads, versions, last = self.stamp
        return f"c{threads}.{versions}.{last.timestamp() if last else 0}"

    def in_items(self, items: Iterable[Item]) -> int:
        return sum(self.by_item.get(item.id, 0) for item in items)

    def by_step(self, definition: Definition) -> dict[str, int]:
        return {step.id: self.in_items(step.items) for step in definition.steps}

    def item_facts(self, item_id: str) -> tuple[int, tuple[int, Any] | None]:
        return (self.by_item.get(item_id, 0), self.versions.get(item_id))


def comment_counts(plan: Plan) -> CommentCounts:
    """One query, whatever the number of items and threads."""
    rows = (
        Thread.objects.filter(plan=plan)
        .values("item_id", "record_uid")
        .annotate(
            open=Count("pk", filter=Q(resolved_at__isnull=True, withdrawn=False)),
            threads=Count("pk"),
            version=Sum("version"),
            last=Max("updated"),
        )
        .order_by()
    )
    by_item: dict[str, int] = {}
    by_record: dict[str, int] = {}
    versions: dict[str, tuple[int, Any]] = {}
    threads = total = 0
    last = None
    for row in rows:
        item_id, uid = row["item_id"], row["record_uid"]
        by_item[item_id] = by_item.get(item_id, 0) + row["open"]
        if uid:
            by_record[uid] = by_record.get(uid, 0) + row["open"]
        version, item_last = versions.get(item_id, (0, row["last"]))
        versions[item_id] = (version + row["version"], max(item_last, row["last"]))
        threads += row["threads"]
        total += row["version"]
        last = row["last"] if last is None else max(last, row["last"])
    return CommentCounts(by_item, by_record, versions, (threads, total, last))


@dataclass(frozen=True)
class ThreadView:
    thread: Thread
    comments: list[Comment]
    option_label: str = ""
    item: Item | None = None

    @property
    def shown(self) -> list[Comment]:
        """Its comments, but a deleted one only while replies follow it."""
        last_kept = max(
            (i for i, comment in enumerate(self.comments) if not comment.deleted), default=-1
        )
        return [c for i, c in enumerate(self.comments) if not c.deleted or i < last_kept]

    @property
    def replies(self) -> int:
        return max(len(self.shown) - 1, 0)


def _threads(plan: Plan) -> QuerySet[Thread]:
    comments = Comment.objects.select_related("author").prefetch_related("mentions")
    return (
        Thread.objects.filter(plan=plan, withdrawn=False)
        .select_related("resolved_by")
        .prefetch_related(Prefetch("comments", queryset=comments))
    )


def _views(threads: Iterable[Thread], definition: Definition) -> list[ThreadView]:
    views = []
    for thread in threads:
        item = definition.item(thread.item_id)
        options = dict(item_options(item)) if item else {}
        views.append(
            ThreadView(thread, list(thread.comments.all()), options.get(thread.option, ""), item)
        )
    return views


def item_threads(
    plan: Plan, definition: Definition, item_ids: Iterable[str]
) -> dict[tuple[str, str], list[ThreadView]]:
    """The open threads of these items, by (item id, record uid or "")."""
    found: dict[tuple[str, str], list[ThreadView]] = {}
    threads = _threads(plan).filter(item_id__in=list(item_ids), resolved_at__isnull=True)
    for view in _views(threads, definition):
        found.setdefault((view.thread.item_id, view.thread.record_uid), []).append(view)
    return found


def plan_threads(plan: Plan, definition: Definition, *, resolved: bool) -> list[ThreadView]:
    """The plan's open (or resolved) threads in the worksheet's order, oldest first within an
    item."""
    order = {item.id: n for n, item in enumerate(definition.items)}
    threads = _threads(plan).filter(resolved_at__isnull=not resolved)
    views = _views(threads, definition)
    return sorted(views, key=lambda v: (order.get(v.thread.item_id, len(order)), v.thread.created))


@dataclass(frozen=True)
class CommentEvent:
    """A comment, as the item's history shows it among the item's changes."""

    comment: Comment
    thread: Thread
    created: Any
    reply: bool  # not the first comment of its thread


def item_comment_events(plan: Plan, item_id: str) -> list[CommentEvent]:
    """The item's comments (its records' too), deleted ones left out, newest first."""
    of_item = Comment.objects.filter(thread__plan=plan, thread__item_id=item_id)
    firsts = set(
        of_item.values("thread_id").annotate(first=Min("id")).values_list("first", flat=True)
    )
    comments = (
        of_item.filter(deleted_at__isnull=True)
        .select_related("author", "thread")
        .prefetch_related("mentions")
        .order_by("-created", "-id")
    )
    return [CommentEvent(c, c.thread, c.created, c.pk not in firsts) for c in comments]


def comment_html(comment: Comment) -> SafeString:
    """The comment's text, escaped, with line breaks and each mention of a member highlighted."""
    body = comment.body
    parts: list[str] = []
    at = 0
    for start, end, user in mention_spans(body, comment.mentions.all()):
        parts.append(conditional_escape(body[at:start]))
        parts.append(format_html('<strong class="mention">@{}</strong>', user.name or user.email))
        at = end
    parts.append(conditional_escape(body[at:]))
    # Every piece above is escaped or built by format_html; only <br> is added between lines.
    return SafeString("".join(parts).replace("\n", "<br>"))  # nosec B703


@dataclass(frozen=True)
class CommentBlock:
    """The « Comments (N) » disclosure of one item or one record card: its open threads and,
    for those who may comment, the form to start one."""

    plan: Plan
    item: Item
    record_uid: str
    threads: list[ThreadView]
    can_comment: bool
    viewer_id: int | None

    @property
    def count(self) -> int:
        return len(self.threads)

    @property
    def options(self) -> list[tuple[str, str]]:
        return [] if self.record_uid else item_options(self.item)


@dataclass(frozen=True)
class ItemComments:
    """The blocks of one item: its own, and one per record of a list."""

    plan: Plan
    item: Item
    threads: dict[str, list[ThreadView]]  # record uid or "" → open threads
    can_comment: bool
    viewer_id: int | None

    def block(self, record_uid: str = "") -> CommentBlock:
        return CommentBlock(
            self.plan,
            self.item,
            record_uid,
            self.threads.get(record_uid, []),
            self.can_comment,
            self.viewer_id,
        )


def item_comments(
    plan: Plan,
    definition: Definition,
    items: Iterable[Item],
    counts: CommentCounts,
    *,
    can_comment: bool,
    viewer_id: int | None,
) -> dict[str, ItemComments]:
    """The comment blocks of these items; threads are read only for items that have some."""
    items = list(items)
    wanted = [item.id for item in items if counts.by_item.get(item.id)]
    threads = item_threads(plan, definition, wanted) if wanted else {}
    by_item: dict[str, dict[str, list[ThreadView]]] = {}
    for (item_id, uid), views in threads.items():
        by_item.setdefault(item_id, {})[uid] = views
    return {
        item.id: ItemComments(plan, item, by_item.get(item.id, {}), can_comment, viewer_id)
        for item in items
    }


def item_cache_facts(
    counts: CommentCounts, item_id: str, *, can_comment: bool, viewer_id: int | None
) -> tuple[Any, ...]:
    """What of the comments shows in an item's cached HTML: its threads' count and versions,
    the right to comment, and, where threads show, who reads (their own comments get links to
    edit and delete them)."""
    open_threads, versions = counts.item_facts(item_id)
    return ("comments", open_threads, versions, can_comment, viewer_id if open_threads else None)


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


def item_url(plan: Plan, item_id: str, record_uid: str = "") -> str:
    """The item (or one of its records) on its step page."""
    step = definition_of(plan).step_of(item_id)
    url = reverse("plan_step", args=[plan.pk, step.id if step else "1"])
    return f"{url}#record-{record_uid}" if record_uid else f"{url}#item-{item_id}"


def comment_url(plan: Plan, item_id: str, comment_id: int) -> str:
    """A comment on its item's step page: going there opens the folded comments around it."""
    return item_url(plan, item_id).split("#")[0] + f"#comment-{comment_id}"
