"""Every write to municipalities and their members."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from jalon.accounts.models import User

from .models import Invitation, Membership, Organisation, Role


class MembershipError(ValueError):
    """A membership change that cannot be made; the message says why."""


@transaction.atomic
def organisation_create(
    *, user: User, name: str, country: str, city: str, currency: str = "XOF"
) -> Organisation:
    """A new municipality, with its creator as owner."""
    organisation = Organisation.objects.create(
        name=name, country=country, city=city, currency=currency.upper()
    )
    Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
    return organisation


@transaction.atomic
def membership_add(*, organisation: Organisation, email: str, role: str) -> Membership:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise MembershipError(
            _("No Jalon account has the address %(email)s yet. Ask them to sign up.")
            % {"email": email}
        )
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise MembershipError(_("%(name)s is already a member.") % {"name": user})
    return Membership.objects.create(organisation=organisation, user=user, role=Role(role))


def sole_owner(members: Iterable[Membership]) -> Membership | None:
    """The municipality's only owner, whom nobody may demote or remove (see below), or None."""
    owners = [m for m in members if m.role == Role.OWNER]
    return owners[0] if len(owners) == 1 else None


def _keep_an_owner(membership: Membership) -> None:
    others = Membership.objects.filter(organisation=membership.organisation_id, role=Role.OWNER)
    if membership.role == Role.OWNER and not others.exclude(pk=membership.pk).exists():
        raise MembershipError(
            _(
                "%(name)s is the only owner: a municipality needs one to manage its members. "
                "Make another member owner first."
            )
            % {"name": membership.user}
        )


@transaction.atomic
def membership_change(
    *, membership: Membership, role: str, validator: bool | None = None
) -> Membership:
    """A new role; `validator`: whether they may validate plans (None: unchanged). Owners
    always may."""
    if role != Role.OWNER:
        _keep_an_owner(membership)
    membership.role = Role(role)
    if validator is not None:
        membership.validator = validator
    membership.save(update_fields=["role", "validator"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _keep_an_owner(membership)
    membership.delete()


# Invitations ---------------------------------------------------------------------------------


class InvitationError(ValueError):
    """An invitation that cannot be used or changed; `state` says what became of it (None: no
    such invitation, or one for someone else)."""

    def __init__(self, message: str, state: Invitation.State | None = None) -> None:
        super().__init__(message)
        self.state = state


@dataclass(frozen=True)
class Sent:
    """A new invitation and its link: the token exists only here and in the e-mail."""

    invitation: Invitation
    token: str

    @property
    def link(self) -> str:
        return invitation_link(self.token)


def token_hash(token: str) -> str:
    # A digest, not a secret: the token is 256 random bits, so its hash cannot be reversed.
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    return settings.JALON_BASE_URL + reverse("invitation_accept", args=[token])


def _language(code: str) -> str:
    """A language Jalon speaks: the code given if it is one, else the default."""
    codes = {code for code, _name in settings.LANGUAGES}
    code = (code or "").split("-")[0].lower()
    return code if code in codes else settings.LANGUAGE_CODE


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    invited_by: User,
    email: str,
    role: str,
    message: str = "",
    language: str = "",
    plan_id: int | None = None,
) -> Sent:
    """An invitation for `email` to join `organisation` with `role`, and its token.

    The e-mail's language: `language` if given, else the language the invitee chose for their
    account, else the inviter's current one. A pending invitation of the same address to the same
    municipality is revoked: only the newest link works. At most JALON_INVITATIONS_PER_HOUR per
    inviter in an hour, counted in the database (several servers may take requests)."""
    email = email.strip().lower()
    # Serialises one inviter's invitations, so two at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=invited_by.pk).first()
    now = timezone.now()
    sent_lately = Invitation.objects.filter(
        invited_by=invited_by, created__gt=now - timedelta(hours=1)
    ).count()
    if sent_lately >= settings.JALON_INVITATIONS_PER_HOUR:
        raise InvitationError(
            _(
                "You have sent %(count)s invitations in the last hour, as many as Jalon allows. "
                "Nothing was sent: try again in an hour."
            )
            % {"count": sent_lately}
        )
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise MembershipError(_("%(email)s is already a member.") % {"email": email})
    if plan_id is not None and not organisation.plans.filter(pk=plan_id).exists():
        raise InvitationError(_("This plan is not one of the municipality's."))
    invitee = User.objects.filter(email__iexact=email).first()
    if not language:
        language = (invitee.language if invitee else "") or translation.get_language() or ""
    Invitation.objects.filter(
        organisation=organisation,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires__gt=now,
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        plan_id=plan_id,
        email=email,
        role=Role(role),
        message=message.strip(),
        language=_language(language),
        token_hash=token_hash(token),
        invited_by=invited_by,
        created=now,
        expires=now + timedelta(days=settings.JALON_INVITATION_DAYS),
    )
    return Sent(invitation, token)


def invitation_send(*, sent: Sent) -> None:
    """The invitation e-mail, in the invitation's language, with the link and its expiry."""
    invitation = sent.invitation
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "inviter": invitation.invited_by,
            "organisation": invitation.organisation,
            "plan": invitation.plan,
            "role": str(invitation.get_role_display()).lower(),  # inside a sentence
            "link": sent.link,
            # « 8 décembre 2026 à 15:05 »: a long date reads unambiguously in any country.
            "expires": _("%(date)s at %(time)s")
            % {
                "date": formats.date_format(timezone.localtime(invitation.expires), "DATE_FORMAT"),
                "time": formats.time_format(timezone.localtime(invitation.expires), "H:i"),
            },
        }
        subject = _("%(name)s invites you to work on %(organisation)s in Jalon") % {
            "name": invitation.invited_by or "Jalon",
            "organisation": invitation.organisation,
        }
        body = render_to_string("organisations/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


def _pending(invitation: Invitation) -> Invitation:
    state = invitation.state_at(timezone.now())
    if state is not Invitation.State.PENDING:
        raise InvitationError(_state_message(state), state)
    return invitation


def _state_message(state: Invitation.State) -> str:
    return {
        Invitation.State.ACCEPTED: _("This invitation has already been used."),
        Invitation.State.REVOKED: _("This invitation was withdrawn by the municipality."),
        Invitation.State.EXPIRED: _("This invitation has expired."),
        Invitation.State.PENDING: _("This invitation is waiting to be accepted."),
    }[state]


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    _pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, invited_by: User) -> Sent:
    """A new link for a pending invitation; the old link stops working."""
    _pending(invitation)
    return invitation_create(
        organisation=invitation.organisation,
        invited_by=invited_by,
        email=invitation.email,
        role=invitation.role,
        message=invitation.message,
        language=invitation.language,
        plan_id=invitation.plan_id,
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """`user` (whose address the invitation names) joins the municipality with its role.

    Race-safe: the invitation is claimed by one conditional UPDATE, so of two clicks at once only
    one goes on; the other finds it used. Someone already a member keeps their role."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation link is not known. Check that it is complete."))
    _pending(invitation)
    if invitation.email != user.email.lower():
        raise InvitationError(
            _("This invitation is for %(email)s, not for the account you are logged in with.")
            % {"email": invitation.email}
        )
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise InvitationError(_state_message(Invitation.State.ACCEPTED), Invitation.State.ACCEPTED)
    Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = now, user
    return invitation


@transaction.atomic
def invitation_accept_new_account(*, token: str, name: str, password: str) -> User:
    """An account for the invited address (taken from the invitation, never from the form),
    which then accepts it; all or nothing."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not known. Check that it is complete."))
    _pending(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("An account already uses this address. Log in instead."))
    try:
        with transaction.atomic():
            user = User.objects.create_user(invitation.email, password, name=name.strip())
    except IntegrityError:  # the same form sent twice at once
        raise InvitationError(
            _state_message(Invitation.State.ACCEPTED), Invitation.State.ACCEPTED
        ) from None
    invitation_accept(token=token, user=user)
    return user
