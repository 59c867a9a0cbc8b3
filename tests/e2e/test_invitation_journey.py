"""An owner invites a colleague from the municipality's page; the colleague, who has no Jalon
account, opens the link on a 360 px phone without JavaScript, creates the account in one form
and lands on the plan, as a member with the role given."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from jalon.accounts.models import User
from jalon.organisations.models import Membership, Role
from jalon.organisations.services import organisation_create
from jalon.plans.services import plan_create

from ..conftest import PASSWORD
from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_invited_colleague_joins_from_a_phone_and_lands_on_the_plan(page, phone):
    owner = User.objects.create_user("awa@example.org", PASSWORD, name="Awa Diallo")
    organisation = organisation_create(
        user=owner, name="Commune de Kandia", country="Sénégal", city="Kandia"
    )
    plan = plan_create(
        organisation=organisation, user=owner, service="solid_waste", title="Déchets 2027"
    )

    log_in(page, owner, PASSWORD)
    page.goto(f"{page.base}/organisations/{organisation.pk}/")
    page.get_by_label("Adresse e-mail").fill("Moussa@Example.org")
    page.get_by_label("Rôle").select_option("editor")
    page.get_by_label(re.compile("^Message")).fill("Pour l’étape 4.")
    page.get_by_label(re.compile("^Plan sur lequel")).select_option(str(plan.pk))
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation envoyée à moussa@example.org")
    expect(page.get_by_text("Invitations en attente")).to_be_visible()

    link = re.search(r"^http://\S+(/invitations/\S+/)$", str(mail.outbox[0].body), re.M)
    assert link, mail.outbox[0].body
    invitee = phone(javascript=False)
    invitee.goto(invitee.base + link[1])
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Rejoindre Commune de Kandia")
    expect(invitee.get_by_text("Pour l’étape 4.")).to_be_visible()
    email = invitee.get_by_label("Adresse e-mail")
    expect(email).to_have_value("moussa@example.org")
    expect(email).not_to_be_editable()
    invitee.get_by_label("Votre nom").fill("Moussa Diallo")
    invitee.get_by_label(re.compile("^Mot de passe")).fill("Kandia-2026-dechets")
    invitee.get_by_label(re.compile("^Confirmation")).fill("Kandia-2026-dechets")
    invitee.get_by_role("button", name="Créer mon compte et rejoindre la commune").click()

    expect(invitee).to_have_url(f"{invitee.base}/plans/{plan.pk}/")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Déchets 2027")
    wide = invitee.evaluate("document.documentElement.scrollWidth")
    assert wide <= 360  # nothing scrolls sideways on the phone
    member = Membership.objects.get(user__email="moussa@example.org")
    assert member.role == Role.EDITOR and member.organisation == organisation
