"""Who did what in a plan or a municipality, newest first: plain selectors over each source of
events (changes, comments, review moves, snapshots, invitations), merged into one list that pages.

Each source is one function returning `Event`s, newest first, at most `limit` of them
(`activity_page` takes any list of them). A page of
`size` after `offset` events needs at most offset + size of each source: each is fetched that far
in one query (never a query per event), the lists merged and sliced.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jalon.organisations.models import Invitation, Organisation, Role
from jalon.plans.models import AdviceSetAside, Plan, PlanVersion, ReviewEvent, ReviewState, Revision
from jalon.plans.review import event_message
from jalon.plans.services import definition_of
from jalon.worksheets.rules import bundled_rules
from jalon.worksheets.schema import Definition, Step

from .models import Comment, Thread

PAGE_SIZE = 50
MAX_PAGE = 10_000  # past it a page would ask the database for an absurd LIMIT
# Changes one person makes to one item within this span read as one line (« 3 fois »).
GROUPING = timedelta(minutes=10)


class Kind:
    CHANGE = "change"
    IMPORT = "import"
    INVITATION_SENT = "invitation_sent"
    INVITATION_ACCEPTED = "invitation_accepted"
    COMMENT = "comment"
    RESOLVED = "resolved"
    REVIEW = "review"
    SNAPSHOT = "snapshot"
    ADVICE_SET_ASIDE = "advice_set_aside"
    ADVICE_RESTORED = "advice_restored"


@dataclass(frozen=True)
class Event:
    """One line of the activity."""

    when: datetime
    actor: str  # the person's name, as shown
    actor_id: int | None
    kind: str  # a Kind
    plan_id: int | None
    plan_title: str
    step_id: str
    item_id: str
    record_uid: str
    summary: str  # the line's text, in the current language
    url: str  # where the thing is: the item on its step page, the municipality…
    count: int = 1  # changes grouped in the line


@dataclass(frozen=True)
class Filters:
    """What the person narrowed the activity to (None: everything)."""

    person: int | None = None
    step: str | None = None


# A source: the newest `limit` events matching the filters.
Source = Callable[[int], list[Event]]


@dataclass
class ActivityPage:
    events: list[Event]
    number: int
    has_next: bool
    new: set[int] = field(default_factory=set)  # indexes of events newer than the last visit

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def rows(self) -> Iterator[tuple[Event, bool]]:
        return ((event, index in self.new) for index, event in enumerate(self.events))


def page_number(raw: str | None) -> int:
    """The page asked for; anything that is not a page number is page 1."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def activity_page(
    sources: list[Source],
    number: int,
    *,
    size: int = PAGE_SIZE,
    since: datetime | None = None,
    me: int | None = None,
) -> ActivityPage:
    """Page `number` of the sources' events merged, newest first; those after `since` by others
    than `me` are marked new."""
    offset = (number - 1) * size
    fetched = [source(offset + size + 1) for source in sources]
    merged = list(heapq.merge(*fetched, key=lambda event: event.when, reverse=True))
    events = merged[offset : offset + size]
    new = {
        index
        for index, event in enumerate(events)
        if since is not None and event.when > since and event.actor_id != me
    }
    return ActivityPage(events, number, len(merged) > offset + size, new)


# Changes (plans.Revision) ---------------------------------------------------------------------


@dataclass
class _Plans:
    """The plans shown, with what naming their items needs."""

    by_id: dict[int, Plan]
    definitions: dict[int, Definition]
    steps: dict[int, dict[str, Step]]  # plan id → item id → step

    @classmethod
    def of(cls, plans: list[Plan]) -> _Plans:
        definitions = {plan.pk: definition_of(plan) for plan in plans}
        steps = {
            plan_id: {item.id: step for step in definition.steps for item in step.items}
            for plan_id, definition in definitions.items()
        }
        return cls({plan.pk: plan for plan in plans}, definitions, steps)

    def item_url(self, plan_id: int, item_id: str, record_uid: str = "") -> str:
        """The item (or one of its records) on its step page; "" for an item the worksheet no
        longer has."""
        step = self.steps[plan_id].get(item_id)
        if step is None:
            return ""
        anchor = f"#record-{record_uid}" if record_uid else f"#item-{item_id}"
        return reverse("plan_step", args=[plan_id, step.id]) + anchor

    def item_label(self, plan_id: int, item_id: str) -> str:
        item = self.definitions[plan_id].item(item_id)
        return _label(str(item.label)) if item else item_id

    def items_of_step(self, step_id: str) -> set[str]:
        return {
            item_id
            for items in self.steps.values()
            for item_id, step in items.items()
            if step.id == step_id
        }


def _person(name: str | None, email: str | None) -> str:
    return name or email or _("someone")


def _change_summary(actor: str, actions: set[str], label: str, count: int) -> str:
    values = {"name": actor, "item": label, "count": count}
    if actions == {Revision.Action.ADD}:
        text = _("%(name)s added to “%(item)s”") % values
    elif actions == {Revision.Action.DELETE}:
        text = _("%(name)s removed from “%(item)s”") % values
    elif actions == {Revision.Action.MOVE}:
        text = _("%(name)s reordered “%(item)s”") % values
    else:
        text = _("%(name)s changed “%(item)s”") % values
    if count > 1:
        text += " " + ngettext("(%(count)s time)", "(%(count)s times)", count) % values
    return text


def _label(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"


def revision_events(
    plans: list[Plan],
    filters: Filters,
    limit: int,
    *,
    after: datetime | None = None,
    exclude_user: int | None = None,
) -> list[Event]:
    """Changes to the plans, newest first: a person's consecutive changes to one item within
    GROUPING make one event, an import one event. One query, read until `limit` events."""
    if not plans or limit <= 0:
        return []
    known = _Plans.of(plans)
    revisions = Revision.objects.filter(plan_id__in=list(known.by_id))
    if filters.person is not None:
        revisions = revisions.filter(user_id=filters.person)
    if filters.step is not None:
        revisions = revisions.filter(item_id__in=known.items_of_step(filters.step))
    if after is not None:
        revisions = revisions.filter(created__gt=after)
    if exclude_user is not None:
        revisions = revisions.filter(~Q(user_id=exclude_user) | Q(user_id__isnull=True))
    rows = revisions.order_by("-created", "-id").values_list(
        "plan_id", "item_id", "record_uid", "action", "created", "user_id", "user__name",
        "user__email",
    )  # fmt: skip
    groups: list[list[tuple[Any, ...]]] = []
    for row in rows.iterator(chunk_size=500):
        if groups and _same_line(groups[-1], row):
            groups[-1].append(row)
            continue
        if len(groups) == limit:  # the last group is complete: nothing more can join it
            break
        groups.append([row])
    return [_revision_event(known, group) for group in groups]


def _same_line(group: list[tuple[Any, ...]], row: tuple[Any, ...]) -> bool:
    newest, last = group[0], group[-1]
    plan_id, item_id, _uid, action, created, user_id = row[:6]
    if plan_id != newest[0] or user_id != newest[5]:
        return False
    if newest[3] == Revision.Action.IMPORT or action == Revision.Action.IMPORT:
        return bool(newest[3] == action == Revision.Action.IMPORT)
    return bool(item_id == last[1] and newest[4] - created <= GROUPING)


def _revision_event(known: _Plans, group: list[tuple[Any, ...]]) -> Event:
    plan_id, item_id, record_uid, action, created, user_id, name, email = group[0]
    plan = known.by_id[plan_id]
    actor = _person(name, email)
    if action == Revision.Action.IMPORT:
        return Event(
            when=created,
            actor=actor,
            actor_id=user_id,
            kind=Kind.IMPORT,
            plan_id=plan_id,
            plan_title=plan.title,
            step_id="",
            item_id="",
            record_uid="",
            summary=ngettext(
                "%(name)s imported the plan (%(count)s answer or record)",
                "%(name)s imported the plan (%(count)s answers and records)",
                len(group),
            )
            % {"name": actor, "count": len(group)},
            url=reverse("plan_overview", args=[plan_id]),
            count=len(group),
        )
    step = known.steps[plan_id].get(item_id)
    uids = {row[2] for row in group}
    # One record, still there to point at: link to it; else to the item.
    uid = record_uid if len(uids) == 1 and action != Revision.Action.DELETE else ""
    return Event(
        when=created,
        actor=actor,
        actor_id=user_id,
        kind=Kind.CHANGE,
        plan_id=plan_id,
        plan_title=plan.title,
        step_id=step.id if step else "",
        item_id=item_id,
        record_uid=uid,
        summary=_change_summary(
            actor, {row[3] for row in group}, known.item_label(plan_id, item_id), len(group)
        ),
        url=known.item_url(plan_id, item_id, uid),
        count=len(group),
    )


def changes_since(plan: Plan, since: datetime | None, user_id: int, limit: int = 100) -> int:
    """How many lines of the plan's activity others wrote after `since` (at most `limit`)."""
    if since is None:
        return 0
    return len(revision_events([plan], Filters(), limit, after=since, exclude_user=user_id))


# Invitations (organisations.Invitation) ------------------------------------------------------


def invitation_events(
    organisation: Organisation, plan: Plan | None, filters: Filters, limit: int
) -> list[Event]:
    """Invitations sent and accepted, newest first; none when the activity is narrowed to a
    step (they belong to no step). Two queries."""
    if filters.step is not None or limit <= 0:
        return []
    invitations = Invitation.objects.filter(organisation=organisation)
    if plan is not None:
        invitations = invitations.filter(plan=plan)
    sent = invitations.select_related("invited_by", "plan").order_by("-created", "-id")
    accepted = (
        invitations.filter(accepted_at__isnull=False)
        .select_related("accepted_by", "plan")
        .order_by("-accepted_at", "-id")
    )
    if filters.person is not None:
        sent = sent.filter(invited_by_id=filters.person)
        accepted = accepted.filter(accepted_by_id=filters.person)
    url = reverse("organisation_detail", args=[organisation.pk])
    events = []
    for invitation in sent[:limit]:
        inviter = invitation.invited_by
        actor = _person(inviter.name, inviter.email) if inviter else _("someone")
        summary = _("%(name)s invited %(email)s as %(role)s") % {
            "name": actor,
            "email": invitation.email,
            "role": str(Role(invitation.role).label).lower(),  # inside a sentence
        }
        events.append(_invitation_event(invitation, Kind.INVITATION_SENT, actor, summary, url))
    for invitation in accepted[:limit]:
        person = invitation.accepted_by
        actor = _person(person.name, person.email) if person else invitation.email
        summary = _("%(name)s accepted the invitation and joined as %(role)s") % {
            "name": actor,
            "role": str(Role(invitation.role).label).lower(),  # inside a sentence
        }
        events.append(_invitation_event(invitation, Kind.INVITATION_ACCEPTED, actor, summary, url))
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]


def _invitation_event(
    invitation: Invitation, kind: str, actor: str, summary: str, url: str
) -> Event:
    accepted = kind == Kind.INVITATION_ACCEPTED
    when = invitation.accepted_at if accepted and invitation.accepted_at else invitation.created
    return Event(
        when=when,
        actor=actor,
        actor_id=invitation.accepted_by_id if accepted else invitation.invited_by_id,
        kind=kind,
        plan_id=invitation.plan_id,
        plan_title=invitation.plan.title if invitation.plan else "",
        step_id="",
        item_id="",
        record_uid="",
        summary=summary,
        url=url,
    )


# Comments (discussions.Comment, Thread) -------------------------------------------------------


def comment_events(plans: list[Plan], filters: Filters, limit: int) -> list[Event]:
    """Comments written and threads resolved, newest first; a deleted comment is not shown (its
    words are gone). Two queries."""
    if not plans or limit <= 0:
        return []
    known = _Plans.of(plans)
    first = Comment.objects.filter(thread=OuterRef("thread")).order_by("id").values("id")[:1]
    comments = (
        Comment.objects.filter(thread__plan_id__in=list(known.by_id), deleted_at__isnull=True)
        .select_related("thread", "author")
        .annotate(first_id=Subquery(first))
    )
    resolved = Thread.objects.filter(
        plan_id__in=list(known.by_id), resolved_at__isnull=False, withdrawn=False
    ).select_related("resolved_by")
    if filters.person is not None:
        comments = comments.filter(author_id=filters.person)
        resolved = resolved.filter(resolved_by_id=filters.person)
    if filters.step is not None:
        items = known.items_of_step(filters.step)
        comments = comments.filter(thread__item_id__in=items)
        resolved = resolved.filter(item_id__in=items)
    events = []
    for comment in comments.order_by("-created", "-id")[:limit]:
        thread = comment.thread
        author = comment.author
        actor = _person(author.name, author.email) if author else _("someone")
        values = {"name": actor, "item": known.item_label(thread.plan_id, thread.item_id)}
        started = comment.pk == comment.first_id
        summary = (
            _("%(name)s commented on “%(item)s”")
            if started
            else _("%(name)s replied on “%(item)s”")
        ) % values
        events.append(_thread_event(known, thread, comment.created, actor, comment.author_id,
                                    Kind.COMMENT, summary))  # fmt: skip
    for thread in resolved.order_by("-resolved_at", "-id")[:limit]:
        person = thread.resolved_by
        actor = _person(person.name, person.email) if person else _("someone")
        summary = _("%(name)s resolved a conversation on “%(item)s”") % {
            "name": actor,
            "item": known.item_label(thread.plan_id, thread.item_id),
        }
        when = thread.resolved_at or thread.created
        events.append(
            _thread_event(known, thread, when, actor, thread.resolved_by_id, Kind.RESOLVED, summary)
        )
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]


def _thread_event(
    known: _Plans,
    thread: Thread,
    when: datetime,
    actor: str,
    actor_id: int | None,
    kind: str,
    summary: str,
) -> Event:
    step = known.steps[thread.plan_id].get(thread.item_id)
    return Event(
        when=when,
        actor=actor,
        actor_id=actor_id,
        kind=kind,
        plan_id=thread.plan_id,
        plan_title=known.by_id[thread.plan_id].title,
        step_id=step.id if step else "",
        item_id=thread.item_id,
        record_uid=thread.record_uid,
        summary=summary,
        url=known.item_url(thread.plan_id, thread.item_id, thread.record_uid),
    )


# Review moves (plans.ReviewEvent) --------------------------------------------------------------

REVIEW_SUMMARIES = {
    ReviewState.IN_REVIEW: gettext_lazy("%(name)s asked for a review of “%(plan)s”"),
    ReviewState.CHANGES_REQUESTED: gettext_lazy("%(name)s asked for changes to “%(plan)s”"),
    ReviewState.VALIDATED: gettext_lazy("%(name)s validated “%(plan)s”"),
    ReviewState.DRAFT: gettext_lazy("“%(plan)s” is a draft again (%(name)s)"),
}


def review_events(plans: list[Plan], filters: Filters, limit: int) -> list[Event]:
    """The plans' review moves, newest first; none when narrowed to a step (a review is about
    the whole plan). One query."""
    if not plans or filters.step is not None or limit <= 0:
        return []
    by_id = {plan.pk: plan for plan in plans}
    moves = ReviewEvent.objects.filter(plan_id__in=list(by_id)).select_related("actor")
    if filters.person is not None:
        moves = moves.filter(actor_id=filters.person)
    events = []
    for move in moves.order_by("-created", "-id")[:limit]:
        plan = by_id[move.plan_id]
        # The person's name today, as on the other lines (the event keeps the name they had).
        actor = _person(move.actor.name, move.actor.email) if move.actor else move.actor_name
        actor = actor or _("someone")
        summary = str(REVIEW_SUMMARIES[ReviewState(move.to_state)]) % {
            "name": actor,
            "plan": plan.title,
        }
        if move.message:
            summary = _("%(what)s: “%(message)s”") % {
                "what": summary,
                "message": _label(event_message(move)),
            }
        events.append(
            Event(
                when=move.created,
                actor=actor,
                actor_id=move.actor_id,
                kind=Kind.REVIEW,
                plan_id=plan.pk,
                plan_title=plan.title,
                step_id="",
                item_id="",
                record_uid="",
                summary=summary,
                url=reverse("plan_overview", args=[plan.pk]),
            )
        )
    return events


# Snapshots (plans.PlanVersion of kind snapshot) -------------------------------------------------


def snapshot_events(plans: list[Plan], filters: Filters, limit: int) -> list[Event]:
    """Versions a member chose to keep, newest first (a validation's version is told by its
    review move); none when narrowed to a step. One query."""
    if not plans or filters.step is not None or limit <= 0:
        return []
    by_id = {plan.pk: plan for plan in plans}
    versions = (
        PlanVersion.objects.filter(plan_id__in=list(by_id), kind=PlanVersion.Kind.SNAPSHOT)
        .select_related("created_by")
        .defer("content")  # the frozen plan stays in the database
    )
    if filters.person is not None:
        versions = versions.filter(created_by_id=filters.person)
    events = []
    for version in versions.order_by("-created", "-id")[:limit]:
        plan = by_id[version.plan_id]
        person = version.created_by
        actor = _person(person.name, person.email) if person else _("someone")
        summary = _("%(name)s kept a version of “%(plan)s”: “%(version)s”") % {
            "name": actor,
            "plan": plan.title,
            "version": _label(version.name),
        }
        events.append(
            Event(
                when=version.created,
                actor=actor,
                actor_id=version.created_by_id,
                kind=Kind.SNAPSHOT,
                plan_id=plan.pk,
                plan_title=plan.title,
                step_id="",
                item_id="",
                record_uid="",
                summary=summary,
                url=reverse("plan_version", args=[plan.pk, version.pk]),
            )
        )
    return events


# Advice set aside and restored (plans.AdviceSetAside) -------------------------------------------


def _advice_message(plan: Plan, rule_id: str) -> str:
    """The advice's words, in the reader's language, as the plan's rules say them now."""
    rules = bundled_rules(plan.definition_id, plan.definition_version)
    rule = next((one for one in rules if one.id == rule_id), None)
    return _label(str(rule.message)) if rule else rule_id


def _advice_events(
    plans: list[Plan], filters: Filters, limit: int, *, restored: bool
) -> list[Event]:
    if not plans or limit <= 0:
        return []
    known = _Plans.of(plans)
    rows = AdviceSetAside.objects.filter(plan_id__in=list(known.by_id))
    person, when = ("restored_by", "restored_at") if restored else ("set_by", "created")
    if restored:
        rows = rows.filter(restored_at__isnull=False)
    if filters.person is not None:
        rows = rows.filter(**{f"{person}_id": filters.person})
    if filters.step is not None:
        rows = rows.filter(item_id__in=known.items_of_step(filters.step))
    events = []
    for row in rows.select_related(person).order_by(f"-{when}", "-id")[:limit]:
        user = getattr(row, person)
        kept_name = row.restored_by_name if restored else row.set_by_name
        actor = _person(user.name, user.email) if user else kept_name or _("someone")
        plan = known.by_id[row.plan_id]
        values = {"name": actor, "advice": _advice_message(plan, row.rule)}
        if restored:
            summary = _("%(name)s restored a piece of advice: “%(advice)s”") % values
        else:
            summary = _("%(name)s set aside a piece of advice: “%(advice)s” — %(reason)s") % {
                **values,
                "reason": _label(row.reason),
            }
        step = known.steps[row.plan_id].get(row.item_id)
        stamp = getattr(row, when)
        events.append(
            Event(
                when=stamp,
                actor=actor,
                actor_id=getattr(row, f"{person}_id"),
                kind=Kind.ADVICE_RESTORED if restored else Kind.ADVICE_SET_ASIDE,
                plan_id=row.plan_id,
                plan_title=plan.title,
                step_id=step.id if step else "",
                item_id=row.item_id,
                record_uid=row.record_uid,
                summary=summary,
                url=reverse("plan_advice", args=[row.plan_id]),
            )
        )
    return events


def advice_set_aside_events(plans: list[Plan], filters: Filters, limit: int) -> list[Event]:
    """Advice members set aside, with why, newest first. One query."""
    return _advice_events(plans, filters, limit, restored=False)


def advice_restored_events(plans: list[Plan], filters: Filters, limit: int) -> list[Event]:
    """Advice set aside then restored, newest first. One query."""
    return _advice_events(plans, filters, limit, restored=True)


# The pages' sources ---------------------------------------------------------------------------


def plan_sources(plan: Plan, filters: Filters) -> list[Source]:
    return [
        lambda limit: revision_events([plan], filters, limit),
        lambda limit: comment_events([plan], filters, limit),
        lambda limit: review_events([plan], filters, limit),
        lambda limit: snapshot_events([plan], filters, limit),
        lambda limit: advice_set_aside_events([plan], filters, limit),
        lambda limit: advice_restored_events([plan], filters, limit),
        lambda limit: invitation_events(plan.organisation, plan, filters, limit),
    ]


def organisation_sources(organisation: Organisation, filters: Filters) -> list[Source]:
    plans = list(organisation.plans.all())
    return [
        lambda limit: revision_events(plans, filters, limit),
        lambda limit: comment_events(plans, filters, limit),
        lambda limit: review_events(plans, filters, limit),
        lambda limit: snapshot_events(plans, filters, limit),
        lambda limit: advice_set_aside_events(plans, filters, limit),
        lambda limit: advice_restored_events(plans, filters, limit),
        lambda limit: invitation_events(organisation, None, filters, limit),
    ]
