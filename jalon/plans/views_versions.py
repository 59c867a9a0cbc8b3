"""A plan's versions: the list (validations and snapshots), keeping a snapshot, and comparing
two versions, or one with the plan as it is now.

The compare form is a plain GET (`?from=<version id>&to=<version id | now>`), so a comparison
is a link a member can send to a colleague. A request that does not say which versions (nothing
chosen, not a number) gets the versions page back with the problem next to the form (400); a
number that names no version of this plan, as one of another plan or past any id, is a 404, as
for a version that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jalon.access import Capability, can, plan_for
from jalon.http import AuthenticatedRequest
from jalon.organisations.models import Membership
from jalon.worksheets.loading import get_definition

from . import review
from .compare import compare
from .forms import SnapshotForm
from .models import Plan, PlanVersion
from .services import definition_of

NOW = "now"
NUMBER = re.compile(r"[0-9]+")
LONGEST_ID = 18  # digits: what the URLs' ids take (jalon/converters.py)


class CompareProblem(Exception):
    """The request does not say which versions to compare; the message says what to choose."""


@dataclass(frozen=True)
class Choice:
    """The two sides asked for: a version's id each, `None` on the right for now."""

    old: int
    new: int | None


def compare_choice(query: QueryDict) -> Choice:
    """The versions `?from=&to=` names (`to` defaults to now); CompareProblem when one is
    missing or not a number, Http404 for a number no id can be."""

    def version_id(raw: str, what: str) -> int:
        if not NUMBER.fullmatch(raw):
            raise CompareProblem(what)
        if len(raw.lstrip("0")) > LONGEST_ID:
            raise Http404
        return int(raw)

    old = version_id(query.get("from", ""), _("Choose the version to compare from."))
    to = query.get("to", NOW)
    new = None if to == NOW else version_id(to, _("Choose the version to compare with."))
    return Choice(old, new)


def _version(plan: Plan, version_id: int) -> PlanVersion:
    version = PlanVersion.objects.filter(plan=plan, pk=version_id).select_related("created_by")
    found = version.first()
    if found is None:
        raise Http404
    return found


def _render_versions(
    request: AuthenticatedRequest,
    plan: Plan,
    membership: Membership,
    *,
    form: SnapshotForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    can_edit = can(membership, Capability.EDIT)
    if can_edit and form is None:
        form = SnapshotForm(initial={"name": review.snapshot_default_name()})
    versions = review.plan_versions(plan)
    context = {
        "plan": plan,
        "versions": versions,
        "form": form if can_edit else None,
        "problem": problem,
        "chosen_from": str(versions[0].pk) if versions else "",
        "chosen_to": NOW,
    }
    return render(request, "plans/versions.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_versions(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Every version of the plan, newest first; editors keep a new one here (POST)."""
    if request.method != "POST":
        plan, membership = plan_for(request.user, plan_id)
        return _render_versions(request, plan, membership)
    plan, membership = plan_for(request.user, plan_id, Capability.EDIT)
    form = SnapshotForm(request.POST)
    if form.is_valid():
        try:
            version = review.snapshot_create(
                plan=plan, membership=membership, name=form.cleaned_data["name"]
            )
        except review.ReviewError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                _("Version “%(name)s” kept: it stays as it is now, whatever changes next.")
                % {"name": version.name},
            )
            return redirect("plan_versions", plan.pk)
    return _render_versions(request, plan, membership, form=form, status=400)


def _side(plan: Plan, version: PlanVersion | None) -> tuple[Any, dict[str, Any]]:
    """A side's definition and content: a version's own, or the plan's as it is now."""
    if version is None:
        return definition_of(plan), review.plan_content(plan)
    return get_definition(version.definition_id, version.definition_version), version.content


@login_required
@require_GET
def plan_compare(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """What changed from one version to another, or to the plan as it is now."""
    plan, membership = plan_for(request.user, plan_id)
    try:
        choice = compare_choice(request.GET)
    except CompareProblem as problem:
        return _render_versions(request, plan, membership, problem=str(problem), status=400)
    old = _version(plan, choice.old)
    new = None if choice.new is None else _version(plan, choice.new)
    comparison = compare(*_side(plan, old), *_side(plan, new))
    context = {
        "plan": plan,
        "old": old,
        "new": new,
        "comparison": comparison,
        "versions": review.plan_versions(plan),
        "chosen_from": str(old.pk),
        "chosen_to": str(new.pk) if new else NOW,
        "current_items": {item.id for item in definition_of(plan).items},
    }
    return render(request, "plans/compare.html", context)
