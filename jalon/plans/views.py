"""Pages of a plan. Each view: access check → form → service → render.

Saves answer two ways from the same URL: a plain form post (no JavaScript) is redirected back to
the item on its step page, or re-renders the page with the problem next to the item; an autosave
(header X-Jalon-Autosave) gets JSON, with the item's HTML when the person must see something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.formats import time_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.access import Capability, can, organisation_for, plan_for
from jalon.discussions import selectors as discussions
from jalon.discussions.activity import changes_since
from jalon.discussions.selectors import (
    CommentCounts,
    CommentEvent,
    comment_counts,
    item_cache_facts,
    item_comment_events,
    item_comments,
)
from jalon.discussions.services import presence_touch, visit_record
from jalon.field.views_operators import step_evidence
from jalon.http import AuthenticatedRequest, bad_request_response, wants_json
from jalon.organisations.models import Membership
from jalon.reports.views import deliverables
from jalon.worksheets.answers import AnswerError, ItemState, section_state
from jalon.worksheets.display import describe_answer, describe_record
from jalon.worksheets.loading import upgrade_for
from jalon.worksheets.schema import Item, Section

from . import fragments, review, services
from .advice import plan_advice
from .forms import (
    PlanForm,
    Problem,
    answer_from_post,
    item_view,
    record_from_post,
    sequence_from_post,
    version_from_post,
)
from .models import Answer, Plan, Record, UrbanService
from .selectors import (
    Change,
    PlanState,
    item_history,
    next_open,
    plan_state,
    recent_changes,
    step_progress,
)
from .views_advice import step_advice


@dataclass(frozen=True)
class RenderedSection:
    """A section of the step page with its items' HTML, already rendered."""

    section: Section
    state: ItemState
    items: list[SafeString]


FOLLOWED_UP = frozenset({"roadmap", "indicators", "measurements"})


def _step_url(plan: Plan, step_id: str, anchor: str = "") -> str:
    url = reverse("plan_step", args=[plan.pk, step_id])
    return f"{url}#{anchor}" if anchor else url


def _unless_unchanged(
    request: HttpRequest,
    plan: Plan,
    membership: Membership,
    name: str,
    page: Callable[[], HttpResponse],
) -> HttpResponse:
    """A plan's page with its ETag; 304 with no body when the browser already has it as it is
    now (a repeat visit on 2G then costs a few hundred bytes instead of the page)."""
    # The buttons a validator gets differ from those of a colleague of the same role; the header
    # shows the person's unread notifications.
    role = f"{membership.role}+validator" if membership.validator else membership.role
    etag = fragments.page_etag(request, plan, name, role, header=discussions.unread_for(request))
    if etag is None:
        return page()
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = page()
    if response.status_code == 200:
        response.headers["ETag"] = etag
    return response


@login_required
@require_GET
def plan_overview(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id)
    # The person's own line (« N changes since your last visit ») depends on their previous
    # visit: it is part of the ETag's name, so a 304 never shows a stale count; so are the
    # comment counts of its step bar.
    since = visit_record(user=request.user, organisation=plan.organisation, plan=plan)
    counts = comment_counts(plan)
    return _unless_unchanged(
        request,
        plan,
        membership,
        f"overview-{counts.tag}:{since.isoformat() if since else ''}",
        lambda: render_overview(request, plan, membership, since=since, counts=counts),
    )


def render_overview(
    request: AuthenticatedRequest,
    plan: Plan,
    membership: Membership,
    *,
    since: datetime | None = None,
    counts: CommentCounts | None = None,
    problem: str = "",
    status: int = 200,
    typed: str = "",
    move: str = "",
) -> HttpResponse:
    """The plan's overview; `since`: the person's previous visit, to count what others changed
    after it; `problem`: a refused review move, shown next to its form (`move`, the service's
    name) with what the person typed, and not cached."""
    can_request = can(membership, Capability.EDIT)
    can_validate = can(membership, Capability.VALIDATE)
    can_manage = can(membership, Capability.MANAGE)
    counts = counts or comment_counts(plan)

    def render_parts() -> tuple[str, str]:
        state = plan_state(plan)
        history = review.review_history(plan)
        context = {
            "plan": plan,
            "progress": step_progress(state),
            "changes": recent_changes(state),
            "definition": state.definition,
            "csrf_token": fragments.CSRF_SLOT,
            "review_events": history,
            "last_event": history[0] if history else None,
            "versions": review.plan_versions(plan),
            "upgrade": upgrade_for(state.definition) if can_request else None,
            "last_change": review.last_change(plan),
            "can_request": can_request,
            "can_validate": can_validate,
            "can_manage": can_manage,
            "problem": problem,
            "typed": typed,
            "move": move,
            "step_comments": counts.by_step(state.definition),
            "open_comments": sum(counts.by_item.values()),
            "advice": plan_advice(plan, state),
            **deliverables(plan, state),
        }
        return (
            render_to_string("plans/_stepper.html", context),
            render_to_string("plans/_overview_body.html", context),
        )

    if problem:
        stepper, body = fragments.with_token(request, render_parts())
    else:
        name = f"overview-{can_request}-{can_validate}-{can_manage}-{counts.tag}"
        stepper, body = fragments.cached_parts(request, plan, name, render_parts)
    context = {
        "plan": plan,
        "membership": membership,
        "stepper": stepper,
        "body": body,
        "new_changes": changes_since(plan, since, request.user.pk),
    }
    return render(request, "plans/overview.html", context, status=status)


@login_required
@require_POST
def plan_upgrade(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Move the plan to the newer worksheet version its overview offered."""
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    version = request.POST.get("version", "")
    if not version.isascii() or not version.isdigit() or len(version) > 6:
        return bad_request_response(
            request, _("Which version of the worksheet? Go back to the plan and try again.")
        )
    try:
        definition = services.plan_upgrade(plan=plan, version=int(version))
    except services.UpgradeError as error:
        messages.info(request, str(error))
    else:
        messages.success(
            request,
            _("The plan now uses version %(version)s of the worksheet. Every answer is kept.")
            % {"version": definition.version},
        )
    return redirect("plan_overview", plan.pk)


@login_required
def plan_create(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    organisation, _membership = organisation_for(request.user, organisation_id, Capability.EDIT)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = services.plan_create(
            organisation=organisation,
            user=request.user,
            service=data["service"],
            service_other=data["service_other"],
            title=data["title"]
            or data["service_other"]
            or str(UrbanService(data["service"]).label),
        )
        return redirect("plan_overview", plan.pk)
    return render(request, "plans/create.html", {"organisation": organisation, "form": form})


def _render_step(
    request: HttpRequest,
    plan: Plan,
    step_id: str,
    membership: Membership,
    problems: dict[str, Problem] | None = None,
    status: int = 200,
    counts: CommentCounts | None = None,
) -> HttpResponse:
    """The step page. Its stepper and body come from the fragment cache, else are rendered
    around each item's cached HTML (only the items a save changed are rendered again), except
    when a refused save must be shown next to its item. `counts`: the plan's comment counts,
    when the caller already read them."""
    definition = services.definition_of(plan)
    step = definition.step(step_id)
    if step is None:
        raise Http404
    can_edit = can(membership, Capability.EDIT)
    can_comment = can(membership, Capability.COMMENT)
    viewer_id = membership.user_id
    counts = counts or comment_counts(plan)

    def render_items(items: list[Item], state: PlanState) -> dict[str, str]:
        views = {item.id: item_view(item, state, problems or {}) for item in items}
        comments = item_comments(
            plan, definition, items, counts, can_comment=can_comment, viewer_id=viewer_id
        )
        context = {
            "plan": plan,
            "step": step,
            "can_edit": can_edit,
            "csrf_token": fragments.CSRF_SLOT,
        }
        return {
            item_id: render_to_string(
                "plans/items/item.html", {**context, "view": view, "comments": comments[item_id]}
            )
            for item_id, view in views.items()
        }

    def render_parts() -> tuple[str, str]:
        state = plan_state(plan)
        progress = step_progress(state)
        index = [p.step.id for p in progress].index(step.id)
        upcoming = next_open(progress, step)
        items = [item for section in step.sections for item in section.items]
        if problems:  # a refused save shows next to its item: nothing of it is kept
            html = render_items(items, state)
        else:
            facts = {
                item.id: item_cache_facts(
                    counts, item.id, can_comment=can_comment, viewer_id=viewer_id
                )
                for item in items
            }
            html = fragments.cached_items(
                state, items, can_edit, lambda missing: render_items(missing, state), facts
            )
        # Advice depends on the whole plan: put beside the items here, not in their cache.
        fill_advice = step_advice(plan, state, step, can_edit)
        html = {item_id: fill_advice(part) for item_id, part in html.items()}
        # So does the operators' survey, beside the maturity questions it informs (step 2).
        html = step_evidence(plan, step)(html)
        of_item = {item.id: now for item, now in progress[index].states}  # this step's states
        states = [
            (section, section_state([of_item[item.id] for item in section.items]))
            for section in step.sections
        ]
        next_link = (
            {
                "url": _step_url(plan, upcoming[0].id, f"item-{upcoming[1].id}"),
                "label": upcoming[1].label,
            }
            if upcoming
            else None
        )

        section_comments = {section.id: counts.in_items(section.items) for section in step.sections}
        step_comments = counts.by_step(definition)
        open_comments = sum(counts.by_item.values())

        def render_shell() -> tuple[str, str]:
            """The step bar and the page around its items, which hold their slots."""
            context = {
                "section_comments": section_comments,
                "step_comments": step_comments,
                "open_comments": open_comments,
                "next_open": next_link,
                # The steps whose lists the follow-up page reads link to it.
                "follows_up": any(item.id in FOLLOWED_UP for item in items),
                "plan": plan,
                "definition": definition,
                "step": step,
                "sections": [
                    RenderedSection(
                        section, now, [fragments.item_slot(item.id) for item in section.items]
                    )
                    for section, now in states
                ],
                "progress": progress,
                "previous": progress[index - 1].step if index > 0 else None,
                "next": progress[index + 1].step if index + 1 < len(progress) else None,
                "can_edit": can_edit,
                "csrf_token": fragments.CSRF_SLOT,
            }
            return (
                render_to_string("plans/_stepper.html", context),
                render_to_string("plans/_step_body.html", context),
            )

        # What the shell shows of the plan: its states, the step bar's counts, the next link.
        shell_facts = (
            can_edit,
            [(section.id, str(now)) for section, now in states],
            [(p.step.id, str(p.state), p.done, p.total) for p in progress],
            (next_link["url"], str(next_link["label"])) if next_link else None,
            (section_comments, step_comments, open_comments),
        )
        stepper, shell = fragments.cached_shell(plan, f"shell-{step.id}", shell_facts, render_shell)
        return stepper, fragments.fill_items(shell, html)

    if problems:
        stepper, body = fragments.with_token(request, render_parts())
    else:
        # Own comments show links to edit them: a step with threads is cached per reader.
        reader = viewer_id if counts.in_items(step.items) else None
        name = f"step-{step.id}-{can_edit}-{can_comment}-{counts.tag}-{reader}"
        stepper, body = fragments.cached_parts(request, plan, name, render_parts)
    context = {
        "plan": plan,
        "step": step,
        "stepper": stepper,
        "body": body,
        "can_edit": can_edit,
        "can_comment": can_comment,
        "membership": membership,
    }
    return render(request, "plans/step.html", context, status=status)


@login_required
@require_GET
def plan_step(request: AuthenticatedRequest, plan_id: int, step_id: str) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id)
    counts = comment_counts(plan)  # one query: the comments shown are part of the ETag
    return _unless_unchanged(
        request,
        plan,
        membership,
        f"step-{step_id}-{counts.tag}",
        lambda: _render_step(request, plan, step_id, membership, counts=counts),
    )


def _item_html(
    request: HttpRequest,
    state: PlanState,
    item: Item,
    problems: dict[str, Problem],
    *,
    can_edit: bool,
    can_comment: bool = False,
) -> str:
    """One item's HTML, as on the step page: autosave swaps it in after a refused save."""
    comments = item_comments(
        state.plan,
        state.definition,
        [item],
        comment_counts(state.plan),
        can_comment=can_edit or can_comment,
        viewer_id=getattr(request.user, "pk", None),
    )
    context = {
        "view": item_view(item, state, problems),
        "plan": state.plan,
        "step": state.definition.step_of(item.id),
        "can_edit": can_edit,
        "comments": comments[item.id],
    }
    return render_to_string("plans/items/item.html", context, request=request)


def _status(target: Any) -> dict[str, Any]:
    when = timezone.localtime(target.updated) if target.updated else None
    return {
        "version": target.version,
        "saved_at": when.isoformat() if when else None,
        "saved_time": time_format(when, "H:i") if when else "",
        "by": str(target.updated_by) if target.updated_by else "",
    }


def _theirs(item: Item, stale: services.StaleEdit, state: PlanState) -> str:
    """The other person's version, as words, for the conflict message."""
    current = stale.current
    if isinstance(current, Record):
        return describe_record(item, current.data, state.titles)
    return describe_answer(item, current.value)


def _problem_response(
    request: HttpRequest,
    state: PlanState,
    membership: Membership,
    item: Item,
    key: str,
    problem: Problem,
    status: int,
) -> HttpResponse:
    """A refused save: JSON with the item's HTML for autosave, the step page otherwise."""
    problems = {key: problem}
    if wants_json(request):
        body: dict[str, Any] = {
            "error": problem.error,
            "html": _item_html(request, state, item, problems, can_edit=True),
        }
        if problem.conflict:
            body["conflict"] = _status(problem.conflict)
        return JsonResponse(body, status=status)
    step = state.definition.step_of(item.id)
    return _render_step(request, state.plan, step.id if step else "", membership, problems, status)


def _saved_response(
    request: HttpRequest, plan: Plan, item: Item, target: Answer | Record, **extra: Any
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"ok": True, **_status(target), **extra})
    step = services.definition_of(plan).step_of(item.id)
    anchor = f"record-{target.uid}" if isinstance(target, Record) else f"item-{item.id}"
    return redirect(_step_url(plan, step.id if step else "", anchor))


def _editable_item(
    request: AuthenticatedRequest, plan_id: int, item_id: str
) -> tuple[Plan, Membership, Item]:
    plan, membership = plan_for(request.user, plan_id, Capability.EDIT)
    item = services.definition_of(plan).item(item_id)
    if item is None:
        raise Http404
    return plan, membership, item


@login_required
def item_save(request: AuthenticatedRequest, plan_id: int, item_id: str) -> HttpResponse:
    """GET: the item's current HTML (to take the other person's version). POST: save it."""
    if request.method == "GET":
        plan, membership = plan_for(request.user, plan_id)
        item = services.definition_of(plan).item(item_id)
        if item is None:
            raise Http404
        can_edit = can(membership, Capability.EDIT)
        html = _item_html(
            request,
            plan_state(plan),
            item,
            {},
            can_edit=can_edit,
            can_comment=can(membership, Capability.COMMENT),
        )
        return HttpResponse(html)
    if request.method != "POST":
        return HttpResponse(status=405)
    plan, membership = plan_for(request.user, plan_id, Capability.EDIT)
    item = services.definition_of(plan).item(item_id)
    if item is None:
        return bad_request_response(
            request, _("This worksheet has no item %(id)r.") % {"id": item_id}
        )
    presence_touch(user=request.user, plan=plan, item_id=item.id)  # « Awa modifie… »
    raw = answer_from_post(item, request.POST)
    client, seq = sequence_from_post(request.POST)
    try:
        saved = services.answer_save(
            plan=plan,
            user=request.user,
            item_id=item.id,
            raw=raw,
            base_version=version_from_post(request.POST),
            client=client,
            seq=seq,
        )
    except AnswerError as error:
        problem = Problem(submitted=raw, error=str(error))
        return _problem_response(request, plan_state(plan), membership, item, item.id, problem, 400)
    except services.StaleEdit as stale:
        state = plan_state(plan)
        problem = Problem(raw, conflict=stale.current, conflict_text=_theirs(item, stale, state))
        return _problem_response(request, state, membership, item, item.id, problem, 409)
    if not wants_json(request) and saved.changed:
        messages.success(request, _("Saved."))
    return _saved_response(request, plan, item, saved.target, ignored=saved.ignored)


@login_required
@require_POST
def record_add(request: AuthenticatedRequest, plan_id: int, item_id: str) -> HttpResponse:
    plan, membership, item = _editable_item(request, plan_id, item_id)
    presence_touch(user=request.user, plan=plan, item_id=item.id)
    raw = record_from_post(item, request.POST)
    client, seq = sequence_from_post(request.POST)
    try:
        record = services.record_add(
            plan=plan, user=request.user, item_id=item.id, raw=raw, client=client, seq=seq
        )
    except AnswerError as error:
        problem = Problem(submitted=raw, error=str(error))
        return _problem_response(
            request, plan_state(plan), membership, item, f"new-{item.id}", problem, 400
        )
    if not wants_json(request):
        messages.success(request, _("Added."))
    return _saved_response(request, plan, item, record, uid=record.uid)


def _record_item(
    request: AuthenticatedRequest, plan_id: int, uid: str
) -> tuple[Plan, Membership, Record, Item]:
    plan, membership = plan_for(request.user, plan_id, Capability.EDIT)
    record = Record.objects.filter(plan=plan, uid=uid).first()
    item = services.definition_of(plan).item(record.item_id) if record else None
    if record is None or item is None:
        raise Http404
    return plan, membership, record, item


@login_required
@require_POST
def record_update(request: AuthenticatedRequest, plan_id: int, uid: str) -> HttpResponse:
    plan, membership, _record, item = _record_item(request, plan_id, uid)
    presence_touch(user=request.user, plan=plan, item_id=item.id)
    raw = record_from_post(item, request.POST)
    client, seq = sequence_from_post(request.POST)
    try:
        saved = services.record_update(
            plan=plan,
            user=request.user,
            uid=uid,
            raw=raw,
            base_version=version_from_post(request.POST),
            client=client,
            seq=seq,
        )
    except AnswerError as error:
        problem = Problem(submitted=raw, error=str(error))
        return _problem_response(request, plan_state(plan), membership, item, uid, problem, 400)
    except services.StaleEdit as stale:
        state = plan_state(plan)
        problem = Problem(raw, conflict=stale.current, conflict_text=_theirs(item, stale, state))
        return _problem_response(request, state, membership, item, uid, problem, 409)
    if not wants_json(request) and saved.changed:
        messages.success(request, _("Saved."))
    return _saved_response(request, plan, item, saved.target, ignored=saved.ignored)


@login_required
@require_POST
def record_delete(request: AuthenticatedRequest, plan_id: int, uid: str) -> HttpResponse:
    plan, _membership, _record, item = _record_item(request, plan_id, uid)
    try:
        services.record_delete(
            plan=plan, user=request.user, uid=uid, base_version=version_from_post(request.POST)
        )
    except services.StaleEdit:
        messages.error(
            request, _("Someone changed this record meanwhile: check it, then remove it again.")
        )
    else:
        messages.success(request, _("Removed. Its content stays in the item's history."))
    step = services.definition_of(plan).step_of(item.id)
    return redirect(_step_url(plan, step.id if step else "", f"item-{item.id}"))


@login_required
@require_POST
def record_move(request: AuthenticatedRequest, plan_id: int, uid: str) -> HttpResponse:
    plan, _membership, _record, item = _record_item(request, plan_id, uid)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.record_move(plan=plan, user=request.user, uid=uid, offset=offset)
    messages.success(request, _("Moved."))
    step = services.definition_of(plan).step_of(item.id)
    return redirect(_step_url(plan, step.id if step else "", f"record-{uid}"))


def _history_entries(
    changes: list[Change], plan: Plan, item_id: str
) -> list[Change | CommentEvent]:
    """The item's changes and its comments, newest first."""
    entries: list[Change | CommentEvent] = [*changes, *item_comment_events(plan, item_id)]
    return sorted(entries, key=lambda e: e.created, reverse=True)


@login_required
@require_GET
def item_history_page(request: AuthenticatedRequest, plan_id: int, item_id: str) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id)
    state = plan_state(plan)
    item = state.definition.item(item_id)
    if item is None:
        raise Http404
    return render(
        request,
        "plans/history.html",
        {
            "plan": plan,
            "item": item,
            "step": state.definition.step_of(item_id),
            "entries": _history_entries(item_history(state, item_id), plan, item_id),
            "membership": membership,
        },
    )
