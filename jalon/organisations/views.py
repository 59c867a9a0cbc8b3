"""Home, municipalities and their members. Each view: access check → form → service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.access import Capability, can, organisation_for, organisations_of
from jalon.http import AuthenticatedRequest
from jalon.plans.models import Plan

from . import services
from .forms import InvitationForm, OrganisationForm, RoleForm
from .models import Membership
from .selectors import pending_invitations
from .views_invitations import invite_from_form


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "welcome.html")
    memberships = organisations_of(request.user)
    plans = Plan.objects.filter(organisation__in=[m.organisation for m in memberships])
    by_organisation: dict[int, list[Plan]] = {}
    for plan in plans:
        by_organisation.setdefault(plan.organisation_id, []).append(plan)
    rows = [(m, by_organisation.get(m.organisation_id, [])) for m in memberships]
    return render(request, "home.html", {"rows": rows})


@login_required
def organisation_create(request: AuthenticatedRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Municipality created. Start its first plan."))
        return redirect("plan_create", organisation.pk)
    return render(request, "organisations/create.html", {"form": form})


@login_required
def organisation_detail(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    """The municipality: its plans, its members and, to owners, the invitations waiting. Its
    form invites someone, with or without a Jalon account."""
    organisation, membership = organisation_for(request.user, organisation_id)
    plans = list(organisation.plans.all())
    form = InvitationForm(request.POST or None, plans=[(p.pk, p.title) for p in plans])
    if request.method == "POST" and invite_from_form(request, form, organisation.pk, None):
        return redirect("organisation_detail", organisation.pk)
    members = organisation.memberships.select_related("user").order_by("user__name")
    can_manage = can(membership, Capability.MANAGE)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": members,
            "sole_owner": services.sole_owner(members),
            "plans": plans,
            "form": form,
            "invitations": pending_invitations(organisation) if can_manage else [],
            "can_manage": can_manage,
            "can_edit": can(membership, Capability.EDIT),
            "roles": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )


def _managed_membership(
    request: AuthenticatedRequest, organisation_id: int, member_id: int
) -> Membership:
    organisation, _mine = organisation_for(request.user, organisation_id, Capability.MANAGE)
    member = organisation.memberships.filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@login_required
@require_POST
def member_change(
    request: AuthenticatedRequest, organisation_id: int, member_id: int
) -> HttpResponse:
    """Change a member's role, or remove them (the "remove" button of the same form)."""
    member = _managed_membership(request, organisation_id, member_id)
    form = RoleForm(request.POST)
    try:
        if request.POST.get("remove"):
            services.membership_remove(membership=member)
            messages.success(request, _("%(name)s is no longer a member.") % {"name": member.user})
            if member.user_id == request.user.pk:
                return redirect("home")  # the municipality is no longer visible to them
        elif form.is_valid():
            services.membership_change(membership=member, role=form.cleaned_data["role"])
            messages.success(request, _("Role changed."))
        else:
            messages.error(request, _("Choose a role."))
    except services.MembershipError as error:
        messages.error(request, str(error))
    return redirect("organisation_detail", organisation_id)
