"""API fixtures: a read and a write token for every person of the shared fixtures, and a
client that sends them."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from jalon.accounts.tokens import token_create
from jalon.api.api import THROTTLE
from jalon.plans.services import record_add
from tests.conftest import ROLES


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch):
    """The tests send hundreds of requests a minute with one token; the throttle's own test
    lowers the limit again."""
    cache.clear()
    monkeypatch.setattr(THROTTLE, "num_requests", 1_000_000)


@pytest.fixture
def tokens(people) -> dict[tuple[str, str], str]:
    """(person, scope) → the token's secret, for the four roles and the outsider."""
    return {
        (name, scope): token_create(user=people[name], name=f"{name} {scope}", scope=scope).secret
        for name in (*ROLES, "outsider")
        for scope in ("read", "write")
    }


@pytest.fixture
def world(plan, people):
    """What the routes name: the municipality, the plan, a record of its actors' list."""
    record = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    return {"org": plan.organisation_id, "plan": plan.pk, "record": record.uid}


def bearer(token: str | None, **headers: str) -> dict[str, str]:
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return headers


def call(client, method: str, path: str, token: str | None, body=None, **headers: str):
    kwargs = bearer(token, **headers)
    if body is None:
        return getattr(client, method)(path, **kwargs)
    return getattr(client, method)(path, body, content_type="application/json", **kwargs)
