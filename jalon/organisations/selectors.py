"""Reads of municipalities' invitations, shaped for pages."""

from __future__ import annotations

from django.utils import timezone

from .models import Invitation, Organisation
from .services import token_hash


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever became of it, or None."""
    return (
        Invitation.objects.select_related("organisation", "plan", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires__gt=timezone.now()
        ).select_related("invited_by")
    )
