"""Personal access tokens: made, revoked, and recognised on each API request.

A token reads `jalon_` and 43 random URL-safe characters. The database keeps its SHA-256 and
its first characters (the prefix the profile page shows); the secret itself is shown once."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.worksheets.text import text_problem

from .models import AccessToken, Scope, User

TOKEN_START = "jalon_"  # noqa: S105  # nosec B105: not a secret, what every token starts with
PREFIX_LENGTH = len(TOKEN_START) + 6
DEFAULT_DAYS = 90
MAX_DAYS = 366
# `last_used` is written when older than this: a script calling many times a minute costs
# one write a minute, not one per request.
LAST_USED_STEP = datetime.timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be made as asked; the message says why, in the person's language."""


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # shown once; never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, scope: str, days: int = DEFAULT_DAYS) -> NewToken:
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name, to know later what uses it."))
    if len(name) > AccessToken.NAME_LENGTH:
        raise TokenError(
            _("A token's name is at most %(limit)s characters long.")
            % {"limit": AccessToken.NAME_LENGTH}
        )
    problem = text_problem(name, _("The name"))
    if problem:
        raise TokenError(problem)
    if scope not in Scope.values:
        raise TokenError(_("A token reads (read) or reads and writes (write)."))
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("A token lasts from 1 to %(max)s days.") % {"max": MAX_DAYS})
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        key_hash=_hash(secret),
        prefix=secret[:PREFIX_LENGTH],
        expires=timezone.now() + datetime.timedelta(days=days),
    )
    return NewToken(token, secret)


def token_revoke(*, user: User, token_id: int) -> AccessToken | None:
    """Revoke one of the user's tokens; None when they have no such token."""
    token = AccessToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        return None
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    return token


def tokens_of(user: User) -> list[AccessToken]:
    return list(AccessToken.objects.filter(user=user))


def token_authenticate(secret: str) -> AccessToken | None:
    """The live token with this secret, with its user; None when unknown, expired or revoked
    (the caller does not learn which, nor whether such a token ever existed)."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        AccessToken.objects.select_related("user")
        .filter(key_hash=_hash(secret), revoked__isnull=True, expires__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used >= LAST_USED_STEP:
        AccessToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
