"""Shared fixtures: a municipality with one member of each role, an outsider, and a plan,
all made through the real services."""

from __future__ import annotations

import os
from collections.abc import Generator

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


# A test that cannot run: skipped on a developer's machine, saying why; failed under CI.
#
# On a bare machine (no Chromium, no `npm ci`) `make test` must still pass, and each skip says
# what is missing. CI installs everything, so there a skip can only hide a broken set-up: with
# CI set (any value but "", "0" or "false") the skip is reported as a failure with its reason.
#
# PostgreSQL-only tests are not skips: CI runs `make test` on SQLite then on PostgreSQL
# (.ci/run), and on the SQLite pass they are deselected by their `postgres` marker, counted in
# pytest's « N deselected » and named in the summary below; on the PostgreSQL pass they run.
# So under CI, no test is ever skipped.


POSTGRES_DESELECTED = pytest.StashKey[int]()


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false"}


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and running_in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test could not run, and under CI that fails. {reason}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgres():
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.stash[POSTGRES_DESELECTED] = len(postgres_only)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    count = config.stash.get(POSTGRES_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests deselected: DATABASE_URL is not PostgreSQL "
            "(CI's second pass, `DATABASE_URL=postgres://… make test`, runs them)."
        )
