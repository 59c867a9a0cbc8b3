"""Security gates: CSRF on every write, cookies, deployment settings, login throttling,
password rules and the headers every page carries.

The browser-side checks (no CSP violation, nothing typed ever runs) are in tests/e2e/test_xss.py.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.test import Client
from django.utils import timezone

from jalon.accounts.tokens import token_create
from jalon.discussions.services import thread_start
from jalon.field.demo import add_demo_responses
from jalon.field.models import OperatorResponse
from jalon.middleware import CONTENT_SECURITY_POLICY, client_address
from jalon.organisations.services import invitation_create
from jalon.plans.advice import advice_set_aside
from jalon.plans.services import record_add

from .conftest import PASSWORD
from .field.shapes import proposed_import
from .test_access import ACCESS

ROOT = Path(__file__).resolve().parent.parent
WRITES = [name for name, (method, *_rest) in ACCESS.items() if method == "post"]
LOGIN = "/accounts/login/"


@pytest.fixture
def ids(plan, people):
    record = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    member = plan.organisation.memberships.get(user=people["viewer"])
    sent = invitation_create(
        organisation=plan.organisation, invited_by=people["owner"], email="new@example.org",
        role="viewer",
    )  # fmt: skip
    comment = thread_start(plan=plan, user=people["owner"], item_id="competences", body="Bien ?")
    set_aside = advice_set_aside(
        plan=plan, user=people["owner"], rule="pilot-action-without-indicator", reason="Plus tard"
    )
    access_token = token_create(user=people["owner"], name="Script", scope="read").token
    submission = proposed_import(plan, people["owner"])
    add_demo_responses(plan, people["owner"])
    return {
        "access_token": access_token.pk,
        "submission": submission.pk,
        "operator_response": OperatorResponse.objects.filter(plan=plan).earliest("pk").pk,
        "set_aside": set_aside.pk,
        "org": plan.organisation_id,
        "plan": plan.pk,
        "record": record.uid,
        "member": member.pk,
        "invitation": sent.invitation.pk,
        "token": sent.token,
        "thread": comment.thread_id,
        "comment": comment.pk,
    }


def database() -> dict[str, str]:
    """Every row of every table, serialised: two snapshots differ if anything was written."""
    return {
        model._meta.label: serializers.serialize("json", model._default_manager.order_by("pk"))
        for model in apps.get_models()
    }


def owner_client(people) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["owner"])
    return client


# CSRF ------------------------------------------------------------------------------------------


def test_every_write_of_the_access_table_is_checked_here():
    assert len(WRITES) >= 9  # the table lists the writes; a new one is covered automatically


@pytest.mark.parametrize("name", WRITES)
def test_a_write_without_a_csrf_token_is_refused_and_changes_nothing(people, ids, name):
    _method, path, data, _expected = ACCESS[name]
    client = owner_client(people)
    before = database()
    response = client.post(path.format(**ids), data)
    assert response.status_code == 403
    assert database() == before


@pytest.mark.parametrize("name", WRITES)
def test_the_same_write_with_a_csrf_token_goes_through(people, ids, name):
    """The control for the test above: the owner may do each of these, so its 403 was CSRF's."""
    _method, path, data, expected = ACCESS[name]
    client = owner_client(people)
    client.get("/")  # every page has a form (language switch), so this sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(path.format(**ids), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == expected["owner"] != 403


# Cookies and deployment settings ---------------------------------------------------------------


def test_the_session_cookie_is_http_only_and_same_site_lax(people):
    response = Client().post(LOGIN, {"username": people["owner"].email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def production(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a command of this project with the production settings (JALON_SECURE=1)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("JALON_", "DJANGO_"))
    }
    environment.update(
        JALON_SECURE="1",
        JALON_SECRET_KEY=secrets.token_urlsafe(64),
        JALON_ALLOWED_HOSTS="jalon.example.org",
        DJANGO_SETTINGS_MODULE="jalon.settings",
    )
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py, fixed arguments
        [sys.executable, *command], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_settings_pass_the_deployment_check_without_a_warning():
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"WARNING|\(security\.W\d+\)", result.stdout + result.stderr)


def test_production_cookies_are_secure_http_only_and_same_site_lax():
    result = production(
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "Lax", "True", "True", "True"]


def test_production_refuses_to_start_without_a_secret_key():
    result = production(
        "-c", "import os, django; del os.environ['JALON_SECRET_KEY']; django.setup()"
    )
    assert result.returncode != 0
    assert "JALON_SECRET_KEY" in result.stderr


# Login throttling ------------------------------------------------------------------------------


def log_in(client: Client, email: str, password: str, **extra: Any):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_address_out_even_with_the_right_password(client, people):
    email = people["owner"].email
    for _attempt in range(4):
        assert log_in(client, email, "wrong-password").status_code == 200  # the form, again
    fifth = log_in(client, email, "wrong-password")
    assert fifth.status_code == 429

    sixth = log_in(client, email, PASSWORD)
    assert sixth.status_code == 429
    assert not is_logged_in(client)
    page = sixth.content.decode()
    assert "Trop de tentatives" in page
    assert "Réessayez dans 15\xa0minutes" in page or "Réessayez dans 15 minutes" in page
    assert 'href="/accounts/password_reset/"' in page
    assert sixth["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_lock_ignores_how_the_address_is_capitalised(client, people):
    email = people["owner"].email
    for variant in (email, email.upper(), email.title(), f" {email}", email.capitalize()):
        log_in(client, variant, "wrong-password")
    assert log_in(client, email.upper(), PASSWORD).status_code == 429
    assert not is_logged_in(client)


def test_a_locked_address_does_not_lock_another_person_or_another_network(client, people):
    for _attempt in range(5):
        log_in(client, people["owner"].email, "wrong-password")
    assert log_in(client, people["owner"].email, PASSWORD).status_code == 429

    colleague = Client()  # same IP address (127.0.0.1), another address
    assert log_in(colleague, people["editor"].email, PASSWORD).status_code == 302
    assert is_logged_in(colleague)

    elsewhere = Client()  # the same person on another network (a documentation address)
    response = log_in(elsewhere, people["owner"].email, PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, people):
    for _attempt in range(5):
        log_in(client, people["owner"].email, "wrong-password")
    assert log_in(client, people["owner"].email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, people["owner"].email, PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_forgets_earlier_typos(client, people):
    email = people["owner"].email
    for _attempt in range(4):
        log_in(client, email, "wrong-password")
    assert log_in(client, email, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert log_in(client, email, "wrong-password").status_code == 200
    assert log_in(client, email, PASSWORD).status_code == 302


def test_the_lockout_page_speaks_english_on_request(client, people):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _attempt in range(5):
        log_in(client, people["owner"].email, "wrong-password")
    page = log_in(client, people["owner"].email, PASSWORD).content.decode()
    assert "Too many attempts" in page
    assert "Try again in 15 minutes" in page


# Passwords -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [("k7#Qzp", "password_too_short"), ("azertyuiop", "password_too_common")],
)
def test_sign_up_refuses_a_short_or_a_common_password(client, db, password, code):
    response = client.post(
        "/accounts/signup/",
        {"name": "Awa", "email": "awa@example.org", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert code in {error.code for error in errors["password2"]}
    assert not apps.get_model("accounts", "User").objects.filter(email="awa@example.org").exists()


def test_sign_up_accepts_a_long_uncommon_password(client, db):
    password = "jalon-kalaba-marches-2027"
    response = client.post(
        "/accounts/signup/",
        {"name": "Awa", "email": "awa@example.org", "password1": password, "password2": password},
    )
    assert response.status_code == 302


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(client, people, settings):
    settings.TRUSTED_PROXIES = 1
    email = people["owner"].email
    proxy = {"REMOTE_ADDR": "10.0.0.5"}  # every request arrives from the proxy
    for _attempt in range(5):
        log_in(client, email, "wrong-password", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    locked = log_in(client, email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert locked.status_code == 429
    # The same person from another network, through the same proxy: not locked.
    other = log_in(Client(), email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert other.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(client, people, settings):
    settings.TRUSTED_PROXIES = 0
    email = people["owner"].email
    for number in range(5):  # a new, made-up address each time cannot escape the count
        log_in(client, email, "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert log_in(client, email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429


@pytest.mark.parametrize(
    ("forwarded_for", "trusted", "client"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # what the client claimed is left of it
        ("6.6.6.6, 203.0.113.7, 10.0.0.9", 2, "203.0.113.7"),
        ("203.0.113.7", 2, "10.0.0.5"),  # fewer hops than proxies: the connection's address
        ("not-an-address", 1, "10.0.0.5"),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("203.0.113.7", 0, "10.0.0.5"),
    ],
)
def test_the_client_address_is_the_nth_hop_from_the_right(forwarded_for, trusted, client):
    assert client_address(forwarded_for, "10.0.0.5", trusted) == client


# Headers ---------------------------------------------------------------------------------------


PAGES = [
    "/",
    LOGIN,
    "/accounts/signup/",
    "/plans/{plan}/",
    "/plans/{plan}/steps/1/",
    "/plans/{plan}/library/?q=eau",
    "/plans/{plan}/items/actors/history/",
    "/plans/{plan}/versions/",
    "/plans/999999/",  # the 404 page
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(client, people, ids, path):
    client.force_login(people["owner"])
    response = client.get(path.format(**ids))
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    # One person's pages: never kept by a shared cache, revalidated before the browser reuses them.
    assert {"private", "no-cache"} <= set(response["Cache-Control"].replace(" ", "").split(","))


def test_static_files_carry_the_policy_too(client):
    response = client.get("/static/jalon/jalon.css")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


# A <script type="application/json"> is data a script reads (the API docs page's settings),
# never run: the policy does not apply to it.
INLINE = re.compile(
    r"""\sstyle\s*=|<style[\s>]|<script(?![^>]*\ssrc=)(?![^>]*\stype="application/json")[^>]*>"""
    r"""|\son[a-z]+\s*=|javascript:""",
    re.IGNORECASE,
)


def test_no_template_has_inline_style_script_or_event_handler():
    """The policy would block them in the browser: catch them here, with file and line."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in sorted((ROOT / "jalon" / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert found == []
