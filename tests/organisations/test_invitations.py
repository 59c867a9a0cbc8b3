"""Invitations: an owner invites an address with a role; the link in the e-mail works once, for
a limited time, unless revoked; the person joins with their account or creates one in one form."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from jalon.accounts.models import User
from jalon.organisations import services
from jalon.organisations.models import Invitation, Membership, Role

from ..conftest import PASSWORD, client_for

NEW_PASSWORD = "un-long-mot-de-passe-42"
LINK = r"^http://127\.0\.0\.1:8000(/invitations/[A-Za-z0-9_-]+/)$"


def link_in(message: mail.EmailMessage) -> str:
    """The path of the invitation link an e-mail carries."""
    found = re.search(LINK, str(message.body), re.M)
    assert found, message.body
    return found[1]


def invite(client, organisation, owner, email, role="editor", **more):
    client_for(client, owner)
    response = client.post(
        f"/organisations/{organisation.pk}/", {"email": email, "role": role, **more}
    )
    assert response.status_code == 302, response.content.decode()
    client.logout()
    return link_in(mail.outbox[-1])


def create_account(client, path, name="Awa Diop"):
    return client.post(path, {"name": name, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_someone_without_an_account_joins_in_one_form_and_lands_on_the_plan(client, plan, people):
    client_for(client, people["owner"])
    response = client.post(
        f"/plans/{plan.pk}/invite/",
        {"email": "Awa.Diop@Example.org", "role": "commenter", "message": "Bienvenue !"},
    )
    assert response["Location"] == f"/plans/{plan.pk}/"
    path = link_in(mail.outbox[0])
    client.logout()

    page = client.get(path).content.decode()
    assert "awa.diop@example.org" in page and "Bienvenue !" in page
    assert "Commentateur" in page and plan.title in page
    assert 'name="email"' not in page  # the address is shown, not a field

    response = create_account(client, path)
    assert response["Location"] == f"/plans/{plan.pk}/"
    user = User.objects.get(email="awa.diop@example.org")
    assert user.name == "Awa Diop" and user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(organisation=plan.organisation, user=user)
    assert membership.role == Role.COMMENTER
    assert client.get(f"/plans/{plan.pk}/").status_code == 200  # logged in


def test_the_address_cannot_be_changed_by_the_form(client, organisation, people):
    path = invite(client, organisation, people["owner"], "awa@example.org")
    client.post(
        path,
        {"name": "X", "email": "mallory@example.org", "password1": NEW_PASSWORD,
         "password2": NEW_PASSWORD},
    )  # fmt: skip
    assert User.objects.filter(email="awa@example.org").exists()
    assert not User.objects.filter(email="mallory@example.org").exists()


def test_a_link_works_once(client, organisation, people):
    path = invite(client, organisation, people["owner"], "awa@example.org")
    assert create_account(client, path).status_code == 302
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "déjà été utilisée" in response.content.decode()
    assert create_account(client, path, name="Encore").status_code == 410
    assert User.objects.filter(email="awa@example.org").count() == 1


def test_only_a_hash_of_the_token_is_stored(client, organisation, people):
    path = invite(client, organisation, people["owner"], "awa@example.org")
    token = path.split("/")[2]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(token) >= 40
    assert invitation.token_hash == services.token_hash(token)


def test_an_expired_link_says_so_in_the_invitations_language(client, organisation, people):
    path = invite(client, organisation, people["owner"], "awa@example.org", language="en")
    past = timezone.now() - timedelta(days=8)
    Invitation.objects.update(created=past, expires=past + timedelta(days=7))
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert create_account(client, path).status_code == 410
    assert not User.objects.filter(email="awa@example.org").exists()


def test_the_expiry_follows_the_setting(organisation, people, settings):
    settings.JALON_INVITATION_DAYS = 2
    sent = services.invitation_create(
        organisation=organisation, invited_by=people["owner"], email="a@example.org", role="viewer"
    )
    lasts = sent.invitation.expires - sent.invitation.created
    assert lasts == timedelta(days=2)


def test_a_revoked_link_is_dead_and_leaves_the_pending_list(client, organisation, people):
    path = invite(client, organisation, people["owner"], "awa@example.org")
    invitation = Invitation.objects.get()
    client_for(client, people["owner"])
    page = client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert "awa@example.org" in page and "Révoquer" in page and "Renvoyer" in page
    client.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/revoke/")
    page = client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert "Invitation de awa@example.org révoquée." in page
    assert "Invitations en attente" not in page
    client.logout()
    response = client.get(path)
    assert response.status_code == 410 and "révoquée" in response.content.decode()


def test_resending_makes_a_new_link_and_kills_the_old_one(client, organisation, people):
    old = invite(client, organisation, people["owner"], "awa@example.org")
    invitation = Invitation.objects.get()
    client_for(client, people["owner"])
    client.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/resend/")
    new = link_in(mail.outbox[-1])
    assert new != old and len(mail.outbox) == 2
    client.logout()
    assert client.get(old).status_code == 410
    assert create_account(client, new)["Location"] == f"/organisations/{organisation.pk}/"


def test_addresses_are_case_insensitive(client, organisation, people):
    """Invited as AWA@…, an account created as awa@… later accepts it, by logging in."""
    path = invite(client, organisation, people["owner"], "AWA@Example.ORG")
    assert Invitation.objects.get().email == "awa@example.org"
    awa = User.objects.create_user("Awa@example.org", PASSWORD, name="Awa")
    page = client.get(path).content.decode()
    assert f"/accounts/login/?next={path}" in page  # an account exists: log in, come back
    client_for(client, awa)
    response = client.post(path)
    assert response["Location"] == f"/organisations/{organisation.pk}/"
    assert Membership.objects.get(user=awa).role == Role.EDITOR


def test_someone_with_an_account_accepts_with_one_button(client, organisation, people):
    path = invite(client, organisation, people["owner"], "outsider@example.org", role="viewer")
    client_for(client, people["outsider"])
    page = client.get(path).content.decode()
    assert "Accepter" in page and 'name="password1"' not in page
    client.post(path)
    assert Membership.objects.get(user=people["outsider"]).role == Role.VIEWER


def test_the_wrong_account_is_told_and_cannot_accept(client, organisation, people, other_plan):
    path = invite(client, organisation, people["owner"], "awa@example.org")
    client_for(client, people["outsider"])
    page = client.get(path).content.decode()
    assert "outsider@example.org" in page and "awa@example.org" in page
    assert "Déconnectez-vous" in page
    assert client.post(path).status_code == 403
    assert not Membership.objects.filter(
        organisation=organisation, user=people["outsider"]
    ).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_unknown_link_is_a_404_that_says_so(client, db):
    response = client.get("/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")
    assert response.status_code == 404
    assert "inconnu" in response.content.decode()


def test_only_owners_invite(client, organisation, people):
    client_for(client, people["editor"])
    response = client.post(
        f"/organisations/{organisation.pk}/", {"email": "a@example.org", "role": "owner"}
    )
    assert response.status_code == 403 and not Invitation.objects.exists()


def test_over_the_hourly_limit_nothing_is_sent(client, organisation, people, settings):
    settings.JALON_INVITATIONS_PER_HOUR = 2
    for n in range(2):
        invite(client, organisation, people["owner"], f"p{n}@example.org")
    client_for(client, people["owner"])
    response = client.post(
        f"/organisations/{organisation.pk}/", {"email": "p3@example.org", "role": "viewer"}
    )
    assert response.status_code == 400
    assert "dans la dernière heure" in response.content.decode()
    assert len(mail.outbox) == 2 and Invitation.objects.count() == 2
    # An hour later, the owner may invite again.
    Invitation.objects.update(created=timezone.now() - timedelta(hours=1, seconds=1))
    invite(client, organisation, people["owner"], "p3@example.org")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "vous invite à travailler"), ("en", "invites you to work")],
)
def test_the_email_is_in_the_chosen_language(client, organisation, people, language, expected):
    invite(client, organisation, people["owner"], "a@example.org", language=language)
    message = mail.outbox[0]
    assert expected in message.subject and expected in message.body
    assert "Owner" in message.body and organisation.name in message.body
    expires = timezone.localtime(Invitation.objects.get().expires)
    # The long date, then the time: « jusqu’au 8 décembre 2026 à 15:05 ».
    at = {"fr": "à", "en": "at"}[language]
    assert f"{expires.year} {at} {expires:%H:%M}" in message.body


def test_the_email_follows_the_invitees_language_else_the_inviters(client, organisation, people):
    people["outsider"].language = "en"
    people["outsider"].save()
    invite(client, organisation, people["owner"], "outsider@example.org")
    assert "invites you to work" in mail.outbox[-1].body
    client.cookies["django_language"] = "en"
    invite(client, organisation, people["owner"], "nobody@example.org")
    assert "invites you to work" in mail.outbox[-1].body
    assert "django_language" not in client.cookies  # logged out: back to French
    invite(client, organisation, people["owner"], "someone@example.org")
    assert "vous invite à travailler" in mail.outbox[-1].body


def test_hostile_names_and_messages_are_escaped(client, organisation, people):
    people["owner"].name = "<script>alert(1)</script>"
    people["owner"].save()
    path = invite(
        client, organisation, people["owner"], "a@example.org", message="<script>x()</script>"
    )
    page = client.get(path).content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    # The e-mail is plain text only: no HTML part that could run anything.
    assert not getattr(mail.outbox[0], "alternatives", [])
    assert "<script>x()</script>" in mail.outbox[0].body  # shown as typed, not as &lt;


def test_inviting_again_revokes_the_pending_invitation(organisation, people):
    first = services.invitation_create(
        organisation=organisation, invited_by=people["owner"], email="a@example.org", role="viewer"
    )
    services.invitation_create(
        organisation=organisation, invited_by=people["owner"], email="A@example.org", role="editor"
    )
    first.invitation.refresh_from_db()
    assert first.invitation.revoked_at is not None


def test_a_plan_of_another_municipality_is_refused(organisation, people, other_plan):
    with pytest.raises(services.InvitationError):
        services.invitation_create(
            organisation=organisation, invited_by=people["owner"], email="a@example.org",
            role="viewer", plan_id=other_plan.pk,
        )  # fmt: skip


def test_accepting_twice_in_a_row_makes_one_membership(organisation, people):
    sent = services.invitation_create(
        organisation=organisation, invited_by=people["owner"], email="outsider@example.org",
        role="viewer",
    )  # fmt: skip
    services.invitation_accept(token=sent.token, user=people["outsider"])
    with pytest.raises(services.InvitationError) as refused:
        services.invitation_accept(token=sent.token, user=people["outsider"])
    assert refused.value.state == Invitation.State.ACCEPTED
    assert Membership.objects.filter(user=people["outsider"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_one_membership(people):
    """Two requests accept the same link at the same moment: one membership, one refusal."""
    organisation = services.organisation_create(
        user=people["owner"], name="Commune", country="Sénégal", city="Kalaba"
    )
    sent = services.invitation_create(
        organisation=organisation, invited_by=people["owner"], email="outsider@example.org",
        role="viewer",
    )  # fmt: skip
    barrier, outcomes = threading.Barrier(2), []

    def accept() -> None:
        try:
            barrier.wait()
            services.invitation_accept(token=sent.token, user=people["outsider"])
            outcomes.append("joined")
        except services.InvitationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["joined", "refused"]
    assert Membership.objects.filter(user=people["outsider"]).count() == 1


class FailingBackend:
    """A mail server that cannot be reached."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("no mail server")


def test_without_a_mail_server_the_owner_gets_the_link_to_pass_on(
    client, organisation, people, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    client_for(client, people["owner"])
    response = client.post(
        f"/organisations/{organisation.pk}/",
        {"email": "awa@example.org", "role": "viewer"},
        follow=True,
    )
    page = response.content.decode()
    assert "l’e-mail n’a pas pu être envoyé" in page
    path = re.search(r"http://127\.0\.0\.1:8000(/invitations/[A-Za-z0-9_-]+/)", page)
    assert path and client.get(path[1]).status_code == 200
