"""Shared fixtures: a municipality with one member of each role, an outsider, and a plan,
all made through the real services."""

from __future__ import annotations

import pytest

from jalon.accounts.models import User
from jalon.organisations import services as organisation_services
from jalon.organisations.models import Organisation, Role
from jalon.plans import services as plan_services
from jalon.plans.models import Plan

PASSWORD = "a-long-test-password-42"
ROLES = ("owner", "editor", "commenter", "viewer")


def make_user(name: str) -> User:
    return User.objects.create_user(f"{name}@example.org", PASSWORD, name=name.capitalize())


@pytest.fixture
def people(db) -> dict[str, User]:
    """owner, editor, commenter and viewer of the municipality, and an outsider."""
    return {name: make_user(name) for name in (*ROLES, "outsider")}


@pytest.fixture
def organisation(people) -> Organisation:
    organisation = organisation_services.organisation_create(
        user=people["owner"], name="Commune de Kalaba", country="Sénégal", city="Kalaba"
    )
    for role in ("editor", "commenter", "viewer"):
        organisation_services.membership_add(
            organisation=organisation, email=people[role].email, role=Role(role)
        )
    return organisation


@pytest.fixture
def plan(organisation, people) -> Plan:
    return plan_services.plan_create(
        organisation=organisation,
        user=people["owner"],
        service="solid_waste",
        title="Déchets solides 2027",
    )


@pytest.fixture
def other_plan(people) -> Plan:
    """A plan of another municipality, where none of `people` but the outsider is a member."""
    organisation = organisation_services.organisation_create(
        user=people["outsider"], name="Ville de Nora", country="Bénin", city="Nora"
    )
    return plan_services.plan_create(
        organisation=organisation, user=people["outsider"], service="markets", title="Marchés"
    )


def client_for(client, user: User | None):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with PBKDF2 takes a third of a second a user: the tests make hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Messages in English, for tests that read them outside a request (French by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
