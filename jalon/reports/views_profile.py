"""The maturity profile pages: a plan's levels against its targets, and a municipality's plans
side by side (one service against another).

Every member of the municipality may read them, whatever their role; anyone else gets a 404, as
for a plan or a municipality that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jalon.access import organisation_for, plan_for
from jalon.http import AuthenticatedRequest
from jalon.plans.services import definition_of

from .profiles import organisation_comparison, profile_chart, profile_of


@login_required
@require_GET
def plan_profile_page(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id)
    profile = profile_of(plan)
    definition = definition_of(plan)
    return render(
        request,
        "reports/profile.html",
        {
            "plan": plan,
            "profile": profile,
            "chart": profile_chart(profile),
            "maturity_step": definition.step_of(profile.maturity[0].item.id)
            if profile.maturity
            else None,
            "positions_step": definition.step_of(profile.positions[0].item.id)
            if profile.positions
            else None,
        },
    )


@login_required
@require_GET
def organisation_profile_page(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    organisation, _membership = organisation_for(request.user, organisation_id)
    return render(
        request,
        "reports/organisation_profile.html",
        {"organisation": organisation, "comparison": organisation_comparison(organisation)},
    )
