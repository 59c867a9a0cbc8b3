"""Pages of the discussions room: activity, comments, notifications, presence. Each view reads
as access check → form or filters → service or selectors → render (or redirect).

Comments: without JavaScript the forms post and are redirected back to the comment (or item) on
its step page, with a message. With it (together.js, header X-Jalon-Comments), the answer is the
item's or record's comment block, swapped in place. Writing needs the COMMENT capability
(commenters, editors, owners); reading, VIEW; a non-member gets a 404 (jalon/access.py).
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.access import Capability, can, organisation_for, plan_for
from jalon.field.evidence import operator_events
from jalon.http import AuthenticatedRequest, bad_request_response
from jalon.organisations.models import Organisation
from jalon.plans.models import Plan
from jalon.plans.services import definition_of

from . import selectors, services
from .activity import (
    Filters,
    Source,
    activity_page,
    organisation_sources,
    page_number,
    plan_sources,
)
from .forms import CommentForm, ThreadForm
from .models import Comment, Thread
from .selectors import comment_counts, comment_url, item_comments, item_url, plan_threads
from .services import visit_record

# Activity ------------------------------------------------------------------------------------


def _filters(
    request: AuthenticatedRequest, organisation: Organisation, plan: Plan | None
) -> tuple[Filters, dict[str, object]]:
    """The filters asked for in the query string; an unknown person or step is ignored."""
    people = [
        (m.user_id, m.user.name or m.user.email)
        for m in organisation.memberships.select_related("user").order_by("user__name")
    ]
    some_plan = plan or organisation.plans.first()
    steps = (
        [(s.id, f"{s.number}. {s.title}") for s in definition_of(some_plan).steps]
        if some_plan
        else []
    )
    person_raw, step_raw = request.GET.get("person", ""), request.GET.get("step", "")
    person = next((pk for pk, _name in people if str(pk) == person_raw), None)
    step = next((pk for pk, _title in steps if pk == step_raw), None)
    query = {k: v for k, v in (("person", person), ("step", step)) if v is not None}
    context = {
        "people": people,
        "steps": steps,
        "person": person,
        "step": step,
        "query": urlencode(query),
    }
    return Filters(person=person, step=step), context


def _render(
    request: AuthenticatedRequest,
    organisation: Organisation,
    plan: Plan | None,
    sources: list[Source],
    context: dict[str, object],
) -> HttpResponse:
    since = visit_record(user=request.user, organisation=organisation, plan=plan)
    page = activity_page(
        sources, page_number(request.GET.get("page")), since=since, me=request.user.pk
    )
    context.update(organisation=organisation, plan=plan, page=page, since=since)
    return render(request, "discussions/activity.html", context)


@login_required
@require_GET
def plan_activity(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id)
    filters, context = _filters(request, plan.organisation, plan)
    # The operators' responses added, from the field room above discussions.
    sources: list[Source] = [
        *plan_sources(plan, filters),
        partial(operator_events, [plan], filters),
    ]
    return _render(request, plan.organisation, plan, sources, context)


@login_required
@require_GET
def organisation_activity(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    organisation, _membership = organisation_for(request.user, organisation_id)
    filters, context = _filters(request, organisation, None)
    plans = list(organisation.plans.all())
    sources: list[Source] = [
        *organisation_sources(organisation, filters),
        partial(operator_events, plans, filters),
    ]
    return _render(request, organisation, None, sources, context)


# Comments ------------------------------------------------------------------------------------


def in_place(request: HttpRequest) -> bool:
    """The page's script posted the form and swaps the answer in."""
    return request.headers.get("X-Jalon-Comments") == "1"


def _refused(request: HttpRequest, message: str, back: str) -> HttpResponse:
    """Nothing posted: said in the form (in place), or on a page that gives the text back and
    leads back to the item."""
    if in_place(request):
        return JsonResponse({"error": message}, status=400)
    return bad_request_response(request, message, back=back, typed=request.POST.get("body", ""))


def _back_to(plan: Plan, item_id: str, record_uid: str) -> str:
    """The item a refused comment was about, if the worksheet has it; else the plan."""
    if definition_of(plan).item(item_id) is None:
        return reverse("plan_overview", args=[plan.pk])
    return item_url(plan, item_id, record_uid if record_uid.isalnum() else "")


def _form_problem(form: CommentForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _done(
    request: AuthenticatedRequest,
    plan: Plan,
    item_id: str,
    record_uid: str,
    message: str,
    comment: Comment | None = None,
) -> HttpResponse:
    """Back to where the comment was made: its block's HTML in place, or the step page, at the
    comment just posted (browsers open the folded comments to show it)."""
    if in_place(request):
        definition = definition_of(plan)
        item = definition.item(item_id)
        if item is None:
            raise Http404
        comments = item_comments(
            plan,
            definition,
            [item],
            comment_counts(plan),
            can_comment=True,
            viewer_id=request.user.pk,
        )[item.id]
        context = {"block": comments.block(record_uid), "open": True}
        return HttpResponse(render_to_string("discussions/_comments.html", context, request))
    messages.success(request, message)
    if comment is not None:
        return redirect(comment_url(plan, item_id, comment.pk))
    return redirect(item_url(plan, item_id, record_uid))


def _thread(plan: Plan, thread_id: int) -> Thread:
    return get_object_or_404(Thread, plan=plan, pk=thread_id, withdrawn=False)


def _comment(plan: Plan, comment_id: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("thread"),
        thread__plan=plan,
        pk=comment_id,
        deleted_at__isnull=True,
    )


@login_required
@require_POST
def thread_start(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.COMMENT)
    form = ThreadForm(request.POST)
    back = _back_to(plan, request.POST.get("item", ""), request.POST.get("record", ""))
    if not form.is_valid():
        return _refused(request, _form_problem(form), back)
    data = form.cleaned_data
    try:
        comment = services.thread_start(
            plan=plan,
            user=request.user,
            item_id=data["item"],
            record_uid=data["record"],
            option=data["option"],
            body=data["body"],
        )
    except services.CommentError as error:
        return _refused(request, str(error), back)
    return _done(request, plan, data["item"], data["record"], _("Comment posted."), comment)


@login_required
@require_POST
def comment_reply(request: AuthenticatedRequest, plan_id: int, thread_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.COMMENT)
    thread = _thread(plan, thread_id)
    form = CommentForm(request.POST)
    back = item_url(plan, thread.item_id, thread.record_uid)
    if not form.is_valid():
        return _refused(request, _form_problem(form), back)
    try:
        reply = services.comment_reply(
            thread=thread, user=request.user, body=form.cleaned_data["body"]
        )
    except services.CommentError as error:
        return _refused(request, str(error), back)
    return _done(request, plan, thread.item_id, thread.record_uid, _("Reply posted."), reply)


@login_required
@require_POST
def thread_resolve(request: AuthenticatedRequest, plan_id: int, thread_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.COMMENT)
    thread = services.thread_resolve(thread=_thread(plan, thread_id), user=request.user)
    return _done(request, plan, thread.item_id, thread.record_uid, _("Conversation resolved."))


@login_required
@require_POST
def thread_reopen(request: AuthenticatedRequest, plan_id: int, thread_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.COMMENT)
    thread = services.thread_reopen(thread=_thread(plan, thread_id), user=request.user)
    return _done(request, plan, thread.item_id, thread.record_uid, _("Conversation reopened."))


@login_required
def comment_edit(request: AuthenticatedRequest, plan_id: int, comment_id: int) -> HttpResponse:
    """GET: the author's form to change or delete their comment. POST: save the new text."""
    plan, _membership = plan_for(request.user, plan_id, Capability.COMMENT)
    comment = _comment(plan, comment_id)
    if comment.author_id != request.user.pk:
        raise services.NotYours(_("Only its author can change or delete a comment."))
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.comment_edit(
                    comment=comment, user=request.user, body=form.cleaned_data["body"]
                )
            except services.CommentError as error:
                form.add_error("body", str(error))
            else:
                thread = comment.thread
                return _done(
                    request, plan, thread.item_id, thread.record_uid, _("Comment changed.")
                )
        status = 400
    item = definition_of(plan).item(comment.thread.item_id)
    context = {"plan": plan, "comment": comment, "form": form, "item": item}
    context["back"] = item_url(plan, comment.thread.item_id, comment.thread.record_uid)
    return render(request, "discussions/edit.html", context, status=status)


@login_required
@require_POST
def comment_delete(request: AuthenticatedRequest, plan_id: int, comment_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.COMMENT)
    comment = _comment(plan, comment_id)
    services.comment_delete(comment=comment, user=request.user)
    thread = comment.thread
    return _done(request, plan, thread.item_id, thread.record_uid, _("Comment deleted."))


@login_required
@require_GET
def plan_comments(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """The plan's open conversations (`?resolved=1`: the resolved ones), each with a link to its
    item on its step page."""
    plan, membership = plan_for(request.user, plan_id)
    resolved = request.GET.get("resolved") == "1"
    definition = definition_of(plan)
    threads = plan_threads(plan, definition, resolved=resolved)
    rows = [
        (
            tv,
            definition.step_of(tv.thread.item_id),
            item_url(plan, tv.thread.item_id, tv.thread.record_uid),
        )
        for tv in threads
    ]
    context = {
        "plan": plan,
        "membership": membership,
        "rows": rows,
        "resolved": resolved,
        # Not « block »: inside {% block %} Django's own `block` variable would hide it.
        "comment_block": {
            "can_comment": can(membership, Capability.COMMENT),
            "viewer_id": request.user.pk,
        },
    }
    return render(request, "discussions/plan_comments.html", context)


# Notifications and presence ------------------------------------------------------------------

PER_PAGE = 20


@login_required
@require_GET
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    unread = selectors.unread_for(request)
    return render(request, "discussions/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notifications_read(request: AuthenticatedRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


@login_required
@require_GET
def notification_open(request: AuthenticatedRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_of(request.user, notification_id)
    return redirect(services.notification_open(notification=notification))


@login_required
@require_GET
def presence(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Who else is typing where in the plan, for the page's script: a few hundred bytes."""
    plan, _membership = plan_for(request.user, plan_id)
    if not services.presence_poll(user=request.user, plan=plan):
        return JsonResponse({"error": _("Too many requests: wait a few seconds.")}, status=429)
    return JsonResponse({"editing": selectors.editing_now(plan, request.user)})
