"""A plan's review: asking for it, asking for changes, validating. Plain form posts, each
answered by a redirect to the plan's overview (POST-redirect-GET), or by the overview itself
with the reason when the move is refused (400: something missing; 409: the plan's state, which
a colleague may just have changed, does not allow it)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.access import Capability, plan_for
from jalon.http import AuthenticatedRequest
from jalon.organisations.models import Membership

from . import review
from .forms import ReviewForm
from .models import Plan, ReviewEvent
from .views import render_overview

Move = Callable[..., ReviewEvent]


def _review_move(
    request: AuthenticatedRequest,
    plan: Plan,
    membership: Membership,
    move: Move,
    done: str,
) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        problem = " ".join(str(error) for error in form.errors.get("message", []))
        return render_overview(
            request,
            plan,
            membership,
            problem=problem,
            status=400,
            typed=request.POST.get("message", ""),
            move=move.__name__,
        )
    extra = {"seen": form.cleaned_data["seen"]} if move is review.review_validate else {}
    try:
        move(plan=plan, membership=membership, message=form.cleaned_data["message"], **extra)
    except review.ReviewError as error:
        return render_overview(
            request,
            plan,
            membership,
            problem=str(error),
            status=error.status,
            typed=form.cleaned_data["message"],
            move=move.__name__,
        )
    messages.success(request, done)
    return redirect("plan_overview", plan.pk)


@login_required
@require_POST
def review_request(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id, Capability.EDIT)
    done = _("Review requested: the validators can now read the plan.")
    return _review_move(request, plan, membership, review.review_request, done)


@login_required
@require_POST
def review_request_changes(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id, Capability.VALIDATE)
    done = _("Changes requested: the team sees your message on the plan.")
    return _review_move(request, plan, membership, review.review_request_changes, done)


@login_required
@require_POST
def review_validate(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id, Capability.VALIDATE)
    done = _("Plan validated. Its validated version is kept below, to read and download.")
    return _review_move(request, plan, membership, review.review_validate, done)
