"""Signing up, logging in with an e-mail address, resetting a forgotten password."""

from __future__ import annotations

import re

from django.core import mail

from jalon.accounts.models import User

from ..conftest import PASSWORD


def test_signing_up_logs_the_person_in(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "name": "Awa Diallo",
            "email": "Awa@Example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.name) == ("awa@example.org", "Awa Diallo")
    assert client.get("/organisations/new/").status_code == 200


def test_a_weak_password_is_refused_with_the_reason(client, db):
    response = client.post(
        "/accounts/signup/",
        {"name": "Awa", "email": "awa@example.org", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not User.objects.exists()


def test_logging_in_uses_the_email_address_however_capitalised(client, people):
    wrong = client.post("/accounts/login/", {"username": "editor@example.org", "password": "nope"})
    assert wrong.status_code == 200 and "errorlist" in wrong.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "Editor@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_address_already_in_use_is_refused(client, people):
    response = client.post(
        "/accounts/signup/",
        {"name": "X", "email": "EDITOR@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post("/accounts/password_reset/", {"email": "editor@example.org"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["editor@example.org"]
    found = re.search(r"http://testserver(/accounts/reset/\S+/)", str(mail.outbox[0].body))
    assert found is not None, mail.outbox[0].body
    link = found.group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "Un-nouveau-mot-de-passe-2026"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert User.objects.get(email="editor@example.org").check_password(new_password)
