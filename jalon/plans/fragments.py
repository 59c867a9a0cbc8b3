"""Rendered parts of plan pages, and its deliverables, cached until the plan changes.

A step page is the hot path of Jalon and its bulk — the forms of every item — depends only on the
plan, the step, the language, the reader's right to edit and today's date (« Enregistré à 14:02 »
versus « le 24/11 à 14:02 »). Every write to a plan bumps `Plan.updated` (`services._lock`), so
the key holds that timestamp: a write makes new keys and old entries simply expire. Nothing in
the cache needs invalidating, and servers that do not share a cache stay correct.

The CSRF token differs per session, so fragments are stored with a placeholder that each request
fills with its own token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .models import Plan

CSRF_SLOT = "jalon-csrf-slot"  # rendered where {% csrf_token %} puts the token
SECONDS = 60 * 60

Parts = TypeVar("Parts", bound=tuple[str, ...])


def cached_parts(
    request: HttpRequest, plan: Plan, name: str, render: Callable[[], Parts]
) -> tuple[SafeString, ...]:
    """The HTML parts `render()` makes for this plan as it is now, from the cache if possible,
    with this request's CSRF token. `render` must render its templates with
    `csrf_token=CSRF_SLOT` in the context."""
    key = _key(plan, name)
    parts = cache.get(key)
    if parts is None:
        parts = render()
        cache.set(key, parts, SECONDS)
    return with_token(request, parts)


def cached_file(plan: Plan, name: str, build: Callable[[], bytes]) -> bytes:
    """A deliverable of this plan as it is now (a PDF takes about 100 ms to typeset), from the
    cache if the plan has not changed since it was last built."""
    key = _key(plan, name)
    content: bytes | None = cache.get(key)
    if content is None:
        content = build()
        cache.set(key, content, SECONDS)
    return content


def _key(plan: Plan, name: str) -> str:
    parts = (name, str(plan.pk), plan.updated.isoformat(), get_language() or "")
    return ":".join(("jalon", *parts, timezone.localdate().isoformat()))


def with_token(request: HttpRequest, parts: tuple[str, ...]) -> tuple[SafeString, ...]:
    """Fill the CSRF placeholder of rendered parts with this request's token."""
    token = get_token(request)
    # The parts are our own template output, escaped when they were rendered; only the token
    # (letters and digits) is added, so they stay safe HTML.
    return tuple(SafeString(part.replace(CSRF_SLOT, token)) for part in parts)  # nosec B703
