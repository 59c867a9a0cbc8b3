"""Home, municipalities, their members and invitations. Each view: access check → form →
service → render.

Invitations are sent from the municipality's page or a plan's, revoked or sent again by owners,
and accepted through the link in the e-mail (by a new account in one form, or by logging in)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.access import Capability, can, organisation_for, organisations_of, plan_for
from jalon.accounts.models import User
from jalon.http import AuthenticatedRequest
from jalon.plans.models import Plan

from . import services
from .forms import AcceptForm, InvitationForm, OrganisationForm, RoleForm
from .models import Invitation, Membership
from .selectors import invitation_for_token, pending_invitations


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
            services.membership_change(
                membership=member,
                role=form.cleaned_data["role"],
                validator=form.cleaned_data["validator"],
            )
            messages.success(request, _("Role changed."))
        else:
            messages.error(request, _("Choose a role."))
    except services.MembershipError as error:
        messages.error(request, str(error))
    return redirect("organisation_detail", organisation_id)


# Invitations -------------------------------------------------------------------------------


def send_and_say(request: HttpRequest, sent: services.Sent) -> None:
    """Send the invitation e-mail and tell the owner; if the mail server fails, the invitation
    stands and the owner gets the link to pass on by other means."""
    try:
        services.invitation_send(sent=sent)
    except (OSError, smtplib.SMTPException):
        messages.warning(
            request,
            _(
                "The invitation is ready but the e-mail could not be sent. Give %(email)s this "
                "link yourself: %(link)s"
            )
            % {"email": sent.invitation.email, "link": sent.link},
        )
    else:
        messages.success(
            request,
            _("Invitation sent to %(email)s. The link works for %(days)s days.")
            % {"email": sent.invitation.email, "days": settings.JALON_INVITATION_DAYS},
        )


def invite_from_form(
    request: AuthenticatedRequest, form: InvitationForm, organisation_id: int, plan_id: int | None
) -> bool:
    """Create and send the invitation the form describes; False with the problem in the form."""
    organisation, _membership = organisation_for(request.user, organisation_id, Capability.MANAGE)
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    plan_id = data.pop("plan", None) or plan_id
    try:
        sent = services.invitation_create(
            organisation=organisation, invited_by=request.user, plan_id=plan_id, **data
        )
    except (services.InvitationError, services.MembershipError) as error:
        form.add_error("email", str(error))
        return False
    send_and_say(request, sent)
    return True


@login_required
def plan_invite(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Invite someone from a plan: once they accept, they land on it."""
    plan, _membership = plan_for(request.user, plan_id, Capability.MANAGE)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and invite_from_form(request, form, plan.organisation_id, plan.pk):
        return redirect("plan_overview", plan.pk)
    return render(
        request,
        "organisations/plan_invite.html",
        {"plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


def _managed_invitation(
    request: AuthenticatedRequest, organisation_id: int, invitation_id: int
) -> Invitation:
    organisation, _mine = organisation_for(request.user, organisation_id, Capability.MANAGE)
    invitation = organisation.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


@login_required
@require_POST
def invitation_revoke(
    request: AuthenticatedRequest, organisation_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _managed_invitation(request, organisation_id, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Invitation of %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("organisation_detail", organisation_id)


@login_required
@require_POST
def invitation_resend(
    request: AuthenticatedRequest, organisation_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _managed_invitation(request, organisation_id, invitation_id)
    try:
        sent = services.invitation_resend(invitation=invitation, invited_by=request.user)
    except (services.InvitationError, services.MembershipError) as error:
        messages.error(request, str(error))
    else:
        send_and_say(request, sent)
    return redirect("organisation_detail", organisation_id)


def _their_language(request: HttpRequest, invitation: Invitation) -> str:
    """The page speaks the invitation's language, unless the person chose one here."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else invitation.language


def _landing(invitation: Invitation) -> str:
    if invitation.plan_id is not None:
        return reverse("plan_overview", args=[invitation.plan_id])
    return reverse("organisation_detail", args=[invitation.organisation_id])


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "organisations/invitation_gone.html", {"state": None}, status=404)
    with translation.override(_their_language(request, invitation)):
        response = _accept(request, token, invitation)
    response.headers["Content-Language"] = _their_language(request, invitation)
    return response


def _accept(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    state = invitation.state_at(timezone.now())
    if state is not Invitation.State.PENDING:
        return _gone(request, state)
    context: dict[str, object] = {"invitation": invitation, "token": token}
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email:
            status = 403 if request.method == "POST" else 200
            return render(request, "organisations/invitation.html", context, status=status)
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=user)
            except services.InvitationError as error:
                return _gone(request, error.state, str(error))
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organisation})
            return redirect(_landing(invitation))
        return render(request, "organisations/invitation.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        context["login"] = reverse("login") + "?next=" + request.path
        return render(request, "organisations/invitation.html", context)
    form = AcceptForm(request.POST or None, email=invitation.email)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_new_account(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except services.InvitationError as error:
            return _gone(request, error.state, str(error))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organisation})
        return redirect(_landing(invitation))
    return render(
        request, "organisations/invitation.html", context, status=400 if form.errors else 200
    )


def _gone(request: HttpRequest, state: Invitation.State | None, message: str = "") -> HttpResponse:
    """A link that no longer works: 410 and what became of it (400 for any other refusal)."""
    status = 400 if state in (None, Invitation.State.PENDING) else 410
    context = {"state": state, "message": message}
    return render(request, "organisations/invitation_gone.html", context, status=status)
