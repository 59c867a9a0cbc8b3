"""Every write to municipalities and their members."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from jalon.accounts.models import User

from .models import Membership, Organisation, Role


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
