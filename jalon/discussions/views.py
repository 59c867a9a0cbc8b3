"""Pages of the discussions room. Each view: access check → filters → selectors → render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jalon.access import organisation_for, plan_for
from jalon.http import AuthenticatedRequest
from jalon.organisations.models import Organisation
from jalon.plans.models import Plan
from jalon.plans.services import definition_of

from .activity import (
    Filters,
    Source,
    activity_page,
    organisation_sources,
    page_number,
    plan_sources,
)
from .services import visit_record


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
    return _render(request, plan.organisation, plan, plan_sources(plan, filters), context)


@login_required
@require_GET
def organisation_activity(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    organisation, _membership = organisation_for(request.user, organisation_id)
    filters, context = _filters(request, organisation, None)
    sources = organisation_sources(organisation, filters)
    return _render(request, organisation, None, sources, context)
