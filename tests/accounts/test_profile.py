"""The profile page (issue 9, item 5): a person's name, language and digest; the language they
choose is the one of their pages and e-mails, wherever they sign in."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from jalon.accounts.models import Digest
from jalon.discussions.models import Notification
from jalon.discussions.services import digests_send, notify

from ..conftest import client_for


def save_profile(client: Client, **changes: str):
    data = {"name": "Awa Diallo", "language": "fr", "digest": "daily", **changes}
    return client.post("/accounts/profile/", data)


def test_the_profile_shows_the_persons_choices_and_the_password_link(client, people):
    page = client_for(client, people["viewer"]).get("/accounts/profile/").content.decode()
    assert 'value="Viewer"' in page and "viewer@example.org" in page
    assert 'href="/accounts/password_change/"' in page
    for choice in ("Une fois par jour", "Dans les minutes qui suivent", "Jamais"):
        assert choice in page


def test_the_header_links_to_the_profile(client, people):
    page = client_for(client, people["viewer"]).get("/").content.decode()
    assert 'href="/accounts/profile/"' in page and "Votre profil" in page


def test_the_name_chosen_shows_in_the_header_and_the_digest_is_saved(client, people):
    viewer = client_for(client, people["viewer"])
    response = save_profile(viewer, name="Awa Diallo", digest="immediate")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    people["viewer"].refresh_from_db()
    assert (people["viewer"].name, people["viewer"].digest) == ("Awa Diallo", Digest.IMMEDIATE)
    page = viewer.get("/accounts/profile/").content.decode()
    assert "<summary>Awa</summary>" in page and "Votre profil est enregistré." in page


def test_the_language_chosen_applies_to_the_pages_wherever_one_signs_in(client, people):
    response = save_profile(client_for(client, people["viewer"]), language="en")
    assert response.cookies["django_language"].value == "en"
    page = client.get("/accounts/profile/").content.decode()
    assert '<html lang="en">' in page and "Your profile is saved." in page
    # Another browser, no cookie (or a French one): the person's choice still wins.
    elsewhere = client_for(Client(), people["viewer"])
    elsewhere.cookies["django_language"] = "fr"
    assert '<html lang="en">' in elsewhere.get("/").content.decode()
    # Others keep French.
    assert '<html lang="fr">' in client_for(Client(), people["owner"]).get("/").content.decode()


def test_the_language_switch_changes_a_signed_in_persons_choice(client, people):
    viewer = client_for(client, people["viewer"])
    save_profile(viewer, name="Viewer", language="fr")
    viewer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    people["viewer"].refresh_from_db()
    assert people["viewer"].language == "en"
    assert '<html lang="en">' in client_for(Client(), people["viewer"]).get("/").content.decode()


def test_without_a_choice_the_cookie_decides(client, people):
    assert people["viewer"].language == ""
    viewer = client_for(client, people["viewer"])
    viewer.cookies["django_language"] = "en"
    assert '<html lang="en">' in viewer.get("/").content.decode()


def test_the_language_chosen_applies_to_e_mails(client, plan, people):
    save_profile(client_for(client, people["viewer"]), name="Viewer", language="en")
    notify(
        recipients=[people["viewer"]],
        actor=people["owner"],
        kind=Notification.Kind.VALIDATED,
        plan=plan,
        summary="",
        url=f"/plans/{plan.pk}/",
    )
    digests_send()
    (message,) = mail.outbox
    assert message.subject == "Jalon: 1 new notification"
    assert "Owner validated the plan" in message.body


@pytest.mark.parametrize("name", ["Awa\x1b[31m", "A\x00wa", "Awa\x9b"])
def test_hostile_text_in_the_name_is_refused_next_to_the_field(client, people, name):
    response = save_profile(client_for(client, people["viewer"]), name=name)
    assert response.status_code == 200
    assert "Votre nom" in response.content.decode() and "U+00" in response.content.decode()
    people["viewer"].refresh_from_db()
    assert people["viewer"].name == "Viewer"


@pytest.mark.parametrize(
    "changes", [{"language": "de"}, {"digest": "hourly"}, {"name": ""}, {"name": "x" * 151}]
)
def test_a_value_outside_the_choices_is_refused(client, people, changes):
    response = save_profile(client_for(client, people["viewer"]), **changes)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    people["viewer"].refresh_from_db()
    assert (people["viewer"].name, people["viewer"].language) == ("Viewer", "")
