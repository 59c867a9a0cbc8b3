"""Every access decision of Jalon, in one place.

Views and API endpoints ask here for the organisation or plan they work on, with the capability
they need. Someone who is not a member gets a 404, exactly as for something that does not exist,
so nobody can probe which municipalities or plans exist. A member without the capability gets a
403 with a reason: they know the plan exists, they just may not do that.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from jalon.accounts.models import User
from jalon.organisations.models import Membership, Organisation, Role
from jalon.plans.models import Plan


class Capability(StrEnum):
    VIEW = "view"  # read the plans of the municipality
    COMMENT = "comment"  # comment on them
    EDIT = "edit"  # write answers, create and import plans
    MANAGE = "manage"  # manage members and roles
    VALIDATE = "validate"  # validate plans or send them back: owners, and members named validators


CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VIEWER: frozenset({Capability.VIEW}),
    Role.COMMENTER: frozenset({Capability.VIEW, Capability.COMMENT}),
    Role.EDITOR: frozenset({Capability.VIEW, Capability.COMMENT, Capability.EDIT}),
    Role.OWNER: frozenset(Capability),
}


def can(membership: Membership | None, capability: Capability) -> bool:
    if membership is None:
        return False
    # An owner names validators whatever their role (the head of the technical service may
    # only read the plan, yet sign it off).
    if capability is Capability.VALIDATE and membership.validator:
        return True
    return capability in CAPABILITIES[membership.role]


def _require(membership: Membership | None, capability: Capability) -> Membership:
    if membership is None:
        raise Http404
    if not can(membership, capability):
        raise PermissionDenied
    return membership


def membership_for(user: User | AnonymousUser, organisation_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )


def organisation_for(
    user: User | AnonymousUser, organisation_id: int, capability: Capability = Capability.VIEW
) -> tuple[Organisation, Membership]:
    """The organisation and the user's membership; 404 for non-members, 403 without capability."""
    membership = _require(membership_for(user, organisation_id), capability)
    return membership.organisation, membership


def plan_for(
    user: User | AnonymousUser, plan_id: int, capability: Capability = Capability.VIEW
) -> tuple[Plan, Membership]:
    """The plan and the user's membership of its organisation; 404 / 403 as above.

    One query, the plan's page being the hot path: the plan with its organisation, and the
    user's membership there joined in."""
    if not user.is_authenticated:
        raise Http404
    # A join, not subqueries: it compiles faster, and a non-member gets no row (a 404, as for
    # no plan), a member one row, since a user has one membership per organisation.
    plan = (
        Plan.objects.select_related("organisation")
        .filter(pk=plan_id, organisation__memberships__user=user)
        .annotate(
            membership_pk=F("organisation__memberships__pk"),
            membership_role=F("organisation__memberships__role"),
            membership_created=F("organisation__memberships__created"),
            membership_validator=F("organisation__memberships__validator"),
        )
        .first()
    )
    if plan is None:
        raise Http404
    membership = Membership(
        pk=plan.membership_pk,
        organisation=plan.organisation,
        user=user,
        role=plan.membership_role,
        created=plan.membership_created,
        validator=plan.membership_validator,
    )
    return plan, _require(membership, capability)


def organisations_of(user: User) -> list[Membership]:
    """The user's memberships with their organisations, for the home page."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
