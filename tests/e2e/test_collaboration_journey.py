"""Working together, the whole way in real browsers (issue 9): the owner, at a desk, invites a
person who has no account; they accept and comment on a 360 px phone, naming the editor; the
editor answers the item, replies, resolves and asks for a review; the owner validates, and the
PDF then says so. The e-mails (invitation, digests) are read from the test outbox."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from jalon.accounts.models import User
from jalon.organisations.models import Membership, Role
from jalon.organisations.services import membership_add, organisation_create
from jalon.plans.models import Plan
from jalon.plans.services import plan_create

from ..conftest import PASSWORD
from .conftest import item, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 360
INVITEE = "fatou.sow@example.org"
DRAFT_MARK = "Projet — non validé"


@pytest.fixture(autouse=True)
def no_fragments_left_behind():
    """Leave no cached step page fragments to later tests (see tests/discussions/conftest.py)."""
    yield
    cache.clear()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways at 360 px ({width} px wide)"


def comments_of(page: Page, item_id: str):
    """The item's « Commentaires (N) » disclosure, opened."""
    block = item(page, item_id).locator("details.comments")
    if block.get_attribute("open") is None:
        block.locator("> summary").click()
    return block


def download_pdf(page: Page, plan: Plan) -> str:
    """Download the plan's PDF in French from the plan page, as its reader does; its text."""
    page.goto(f"{page.base}/plans/{plan.pk}/")  # type: ignore[attr-defined]
    link = page.locator("ul.downloads a[hreflang=fr]", has_text="Français").filter(
        has=page.locator("span", has_text="PDF")
    )
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)


def test_invite_comment_answer_review_validate_and_the_pdf_says_validated(browser, live_server):
    owner = User.objects.create_user("awa@example.org", PASSWORD, name="Awa Diallo")
    editor = User.objects.create_user("ibrahima@example.org", PASSWORD, name="Ibrahima Ndiaye")
    organisation = organisation_create(
        user=owner, name="Commune de Kandia", country="Sénégal", city="Kandia"
    )
    membership_add(organisation=organisation, email=editor.email, role=Role.EDITOR)
    plan = plan_create(
        organisation=organisation, user=owner, service="solid_waste", title="Déchets 2027"
    )

    def person(viewport: dict[str, int]) -> Page:
        context = browser.new_context(viewport=viewport, locale="fr-FR", accept_downloads=True)
        context.set_default_timeout(15_000)
        page: Page = context.new_page()
        page.base = live_server.url  # type: ignore[attr-defined]
        return page

    desk = {"width": 1280, "height": 900}
    owner_page = person(desk)
    invitee_page = person({"width": PHONE_WIDTH, "height": 780})
    editor_page = person(desk)
    try:
        # 0. Before any review, the PDF is a draft.
        log_in(owner_page, owner, PASSWORD)
        assert DRAFT_MARK in download_pdf(owner_page, plan)

        # 1. The owner invites someone without an account, as a commenter, from the plan page.
        owner_page.goto(f"{live_server.url}/plans/{plan.pk}/")
        owner_page.get_by_role("link", name="Inviter quelqu’un sur ce plan").click()
        owner_page.get_by_label("Adresse e-mail").fill(INVITEE)
        owner_page.get_by_label("Rôle").select_option(label="Commentateur")
        owner_page.get_by_label(re.compile("^Message")).fill("Pour relire l’étape 2.")
        mail.outbox.clear()
        owner_page.get_by_role("button", name="Envoyer l’invitation").click()
        expect(owner_page.get_by_role("status")).to_contain_text(f"Invitation envoyée à {INVITEE}")
        assert len(mail.outbox) == 1
        invitation = mail.outbox[0]
        assert invitation.to == [INVITEE]
        assert (
            "Awa Diallo vous invite à travailler dans Jalon sur les plans de l’équipe "
            "«\u00a0Commune de Kandia\u00a0», comme commentateur." in invitation.body
        ), invitation.body
        assert str(invitation.subject) == (
            "Awa Diallo vous invite à travailler sur Commune de Kandia dans Jalon"
        )
        assert "Pour relire l’étape 2." in invitation.body
        link = re.search(r"^http://\S+(/invitations/\S+/)$", str(invitation.body), re.M)
        assert link, invitation.body

        # 2. The invitee makes the account on the phone and comments, naming the editor.
        invitee_page.goto(live_server.url + link[1])
        expect(invitee_page.get_by_role("heading", level=1)).to_have_text(
            "Rejoindre Commune de Kandia"
        )
        no_sideways_scroll(invitee_page)
        email = invitee_page.get_by_label("Adresse e-mail")
        expect(email).to_have_value(INVITEE)
        expect(email).not_to_be_editable()
        invitee_page.get_by_label("Votre nom").fill("Fatou Sow")
        invitee_page.get_by_label(re.compile("^Mot de passe")).fill("Kandia-2026-relecture")
        invitee_page.get_by_label(re.compile("^Confirmation")).fill("Kandia-2026-relecture")
        invitee_page.get_by_role("button", name="Créer mon compte et rejoindre la commune").click()
        expect(invitee_page).to_have_url(f"{live_server.url}/plans/{plan.pk}/")
        expect(invitee_page.get_by_role("heading", level=1)).to_have_text("Déchets 2027")
        no_sideways_scroll(invitee_page)
        invitee = User.objects.get(email=INVITEE)
        assert Membership.objects.get(user=invitee).role == Role.COMMENTER

        invitee_page.locator("ol.steps > li").nth(1).get_by_role("link").click()
        expect(item(invitee_page, "competences")).to_be_visible()
        no_sideways_scroll(invitee_page)
        block = comments_of(invitee_page, "competences")
        expect(block.locator("> summary")).to_have_text("Commentaires (0)")
        block.get_by_label("Nouveau commentaire").fill(
            "@Ibrahima Ndiaye, qui collecte les quartiers nord ?"
        )
        block.get_by_role("button", name="Publier").click()
        block = item(invitee_page, "competences").locator("details.comments")
        expect(block.locator("> summary")).to_have_text("Commentaires (1)")
        expect(block.locator(".mention")).to_have_text("@Ibrahima Ndiaye")
        no_sideways_scroll(invitee_page)

        # 3. The editor hears of it, sees the comment, answers the item, replies and resolves.
        log_in(editor_page, editor, PASSWORD)
        editor_page.goto(f"{live_server.url}/plans/{plan.pk}/")
        expect(editor_page.locator(".unread-count")).to_have_text("1")
        expect(editor_page.get_by_role("link", name="1 commentaire ouvert")).to_be_visible()
        editor_page.locator(".unread-count").click()
        editor_page.get_by_role("link", name="Fatou Sow vous a mentionné").click()
        expect(editor_page).to_have_url(re.compile(rf"/plans/{plan.pk}/steps/2/#comment-\d+$"))
        # The notification leads to the comment itself: the folded comments open around it.
        block = item(editor_page, "competences").locator("details.comments")
        expect(block).to_have_attribute("open", "")
        expect(block.locator("> summary")).to_have_text("Commentaires (1)")
        expect(block.locator(".comment")).to_contain_text("qui collecte les quartiers nord ?")
        editor_page.locator("#item-competences [name=text]").fill(
            "La commune collecte les quartiers nord depuis mars."
        )
        expect(editor_page.locator("#item-competences [data-status]")).to_have_text(
            re.compile("^Enregistré")
        )
        block.locator(".thread").get_by_label("Votre réponse").fill(
            "C’est la commune : réponse écrite."
        )
        block.locator(".thread").get_by_role("button", name="Répondre").click()
        block = item(editor_page, "competences").locator("details.comments")
        expect(block.locator(".comment")).to_have_count(2)
        block.get_by_role("button", name="Résoudre").click()
        block = item(editor_page, "competences").locator("details.comments")
        expect(block.locator("> summary")).to_have_text("Commentaires (0)")

        # 4. The editor asks for a review from the plan's page.
        editor_page.goto(f"{live_server.url}/plans/{plan.pk}/")
        expect(editor_page.get_by_role("link", name="0 commentaire ouvert")).to_be_visible()
        editor_page.get_by_label("Message aux validateurs (facultatif)").fill("Prêt à relire.")
        editor_page.get_by_role("button", name="Demander une relecture").click()
        expect(editor_page.locator(".review-state .badge")).to_have_text("En relecture")

        # 5. The owner finds the plan in review and validates it.
        owner_page.goto(f"{live_server.url}/plans/{plan.pk}/")
        expect(owner_page.locator(".unread-count")).to_have_text("1")
        expect(owner_page.locator(".review-state .badge")).to_have_text("En relecture")
        expect(owner_page.locator(".review-message")).to_have_text("Prêt à relire.")
        owner_page.get_by_role("button", name="Valider ce plan").click()
        expect(owner_page.locator(".review-state .badge")).to_have_text("Validé")
        expect(owner_page.locator(".versions")).to_contain_text("par Awa Diallo")

        # 6. The PDF now says who validated it, and no longer that it is a draft.
        text = download_pdf(owner_page, plan)
        assert "Validé par Awa Diallo" in text, text[:500]
        assert DRAFT_MARK not in text
        assert "La commune collecte les quartiers nord depuis mars." in text
    finally:
        for page in (owner_page, invitee_page, editor_page):
            page.context.close()

    # 7. The digests go once to the people who have something to hear of, then nothing more.
    mail.outbox.clear()
    call_command("send_digests")
    digests = {message.to[0]: message for message in mail.outbox}
    assert len(digests) == len(mail.outbox)
    assert set(digests) == {owner.email, editor.email, INVITEE}
    assert digests[editor.email].subject == "Jalon\u00a0: 2 nouvelles notifications"
    assert "Fatou Sow vous a mentionné" in digests[editor.email].body
    assert "Awa Diallo a validé le plan" in digests[editor.email].body
    assert "Ibrahima Ndiaye demande une relecture du plan" in digests[owner.email].body
    assert "C’est la commune : réponse écrite." in digests[INVITEE].body
    mail.outbox.clear()
    call_command("send_digests")
    assert mail.outbox == []
