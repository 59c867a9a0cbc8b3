"""The plan's « Suivi » page: the roadmap's lines with their status (late ones said so) and the
indicators with their latest measurement, progress and trajectory, at a glance.

Every member of the municipality may read it; anyone else gets a 404, as for a plan that does
not exist. It reads the plan as the deliverables do (`plan_document`), so the page and the PDF
say the same thing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from jalon.access import Capability, can, plan_for
from jalon.http import AuthenticatedRequest
from jalon.plans.selectors import plan_state

from . import followup
from .document import long_date
from .selectors import plan_document


@login_required
@require_GET
def plan_follow_up(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id)
    state = plan_state(plan)
    definition = state.definition
    document = plan_document(plan, translation.get_language() or settings.LANGUAGE_CODE, state)
    lines = followup.line_rows(document)
    return render(
        request,
        "reports/followup.html",
        {
            "plan": plan,
            "today": long_date(document.meta.generated, document.meta.language),
            "lines": lines,
            "late": sum(1 for line in lines if line.late),
            "indicators": followup.indicator_rows(document),
            "measured": document.measured,
            "method": followup.method(),
            "needs_measurements": followup.needs_measurements(),
            "can_edit": can(membership, Capability.EDIT),
            # Where each list lives, for the links to its records (None: this worksheet lacks it).
            "roadmap_step": definition.step_of("roadmap"),
            "indicators_step": definition.step_of("indicators"),
            "measurements_step": definition.step_of("measurements"),
        },
    )
