"""The indicator library's picker, on a page of its own: search it (any member), and add an
entry to step 6's indicators (members who may edit). Works as plain GET and POST pages; the
step page's script shows the same results in place (`?fragment=1` returns only them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jalon.access import Capability, can, plan_for
from jalon.discussions.services import presence_touch
from jalon.http import AuthenticatedRequest, bad_request_response
from jalon.plans.models import Plan
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.library import bundled_library
from jalon.worksheets.schema import Item

from . import picker, services
from .forms import LibraryPickForm, LibrarySearchForm


def _indicators(plan: Plan) -> Item:
    item = services.definition_of(plan).item(picker.INDICATORS)
    if item is None:  # a worksheet without step 6's list has nothing to pick for
        raise Http404
    return item


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@login_required
def plan_library(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """GET: search the library. POST: add the chosen entry as an indicator of the plan."""
    if request.method == "POST":
        return _library_pick(request, plan_id)
    if request.method != "GET":
        return HttpResponse(status=405)
    plan, membership = plan_for(request.user, plan_id)
    item = _indicators(plan)
    form = LibrarySearchForm(request.GET)
    valid = form.is_valid()
    results = (
        picker.library_results(
            plan, item, form.cleaned_data["q"], _language(), everything=form.cleaned_data["all"]
        )
        if valid
        else None
    )
    step = services.definition_of(plan).step_of(item.id)
    context = {
        "plan": plan,
        "item": item,
        "step": step,
        "form": form,
        "results": results,
        "can_edit": can(membership, Capability.EDIT),
        "membership": membership,
    }
    # The fragment goes in place under step 6's list, whose items are h3 headings.
    fragment = request.GET.get("fragment") == "1"
    template = "plans/_library_results.html" if fragment else "plans/library.html"
    context["heading"] = "h4" if fragment else "h2"
    return render(request, template, context, status=200 if valid else 400)


def _library_pick(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    item = _indicators(plan)
    back = reverse("plan_library", args=[plan.pk])
    form = LibraryPickForm(request.POST)
    if not form.is_valid():
        return bad_request_response(request, " ".join(map(str, form.errors["code"])), back=back)
    entry = bundled_library().get(form.cleaned_data["code"])
    if entry is None:
        message = _("The library has no indicator coded %(code)s.")
        return bad_request_response(
            request, message % {"code": form.cleaned_data["code"]}, back=back
        )
    presence_touch(user=request.user, plan=plan, item_id=item.id)
    try:
        record = services.indicator_from_library(
            plan=plan, user=request.user, entry=entry, language=_language()
        )
    except AnswerError as error:  # the list is full
        return bad_request_response(request, str(error), back=back)
    messages.success(
        request,
        _("Added from the library: now give its baseline, target, dates and pilot actions."),
    )
    step = services.definition_of(plan).step_of(item.id)
    url = reverse("plan_step", args=[plan.pk, step.id if step else ""])
    # `from=library`: the step page's script opens the new record's card to be completed.
    return redirect(f"{url}?from=library#record-{record.uid}")
