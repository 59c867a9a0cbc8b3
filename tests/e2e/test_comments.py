"""Comments in a real browser, on a 360 px phone: a commenter posts with and without
JavaScript; an editor replies and resolves the thread."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from jalon.discussions.models import Comment, Thread
from jalon.discussions.services import thread_start

from ..conftest import PASSWORD
from .conftest import item, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_fragments_left_behind():
    """Leave no cached step page fragments to later tests (see tests/discussions/conftest.py)."""
    yield
    cache.clear()


def comments_of(page, item_id: str):
    """The item's « Commentaires (N) » disclosure, opened."""
    block = item(page, item_id).locator("details.comments")
    if block.get_attribute("open") is None:
        block.locator("> summary").click()
    return block


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_a_commenter_posts_a_comment_on_a_phone(phone, plan, people, javascript):
    page = phone(javascript=javascript)
    log_in(page, people["commenter"], PASSWORD)
    page.goto(f"{page.base}/plans/{plan.pk}/steps/2/")
    block = comments_of(page, "competences")
    expect(block.locator("> summary")).to_have_text("Commentaires (0)")
    block.get_by_label("Nouveau commentaire").fill("Qui signe la convention avec @Editor ?")
    block.get_by_role("button", name="Publier").click()
    block = item(page, "competences").locator("details.comments")
    expect(block.locator("> summary")).to_have_text("Commentaires (1)")
    expect(block.locator(".comment")).to_contain_text("Qui signe la convention avec @Editor ?")
    expect(block.locator(".mention")).to_have_text("@Editor")
    if javascript:  # swapped in place: no reload, so no one-time message
        expect(page.locator(".messages")).to_have_count(0)
    else:
        expect(page.locator(".messages")).to_contain_text("Commentaire publié.")
    comment = Comment.objects.get()
    if not javascript:
        # Back at the comment just posted, the folded comments opened around it.
        assert page.url.endswith(f"#comment-{comment.pk}")
        expect(block).to_have_attribute("open", "")
        expect(page.locator(f"#comment-{comment.pk}")).to_be_visible()
    assert comment.author == people["commenter"] and comment.thread.item_id == "competences"
    assert list(comment.mentions.all()) == [people["editor"]]


def test_an_editor_replies_then_resolves_the_thread(phone, plan, people):
    thread_start(plan=plan, user=people["commenter"], item_id="competences", body="Est-ce à jour ?")
    page = phone()
    log_in(page, people["editor"], PASSWORD)
    page.goto(f"{page.base}/plans/{plan.pk}/steps/2/")
    block = comments_of(page, "competences")
    expect(block.locator("> summary")).to_have_text("Commentaires (1)")
    block.locator(".thread").get_by_label("Votre réponse").fill("Oui, vérifié hier.")
    block.locator(".thread").get_by_role("button", name="Répondre").click()
    block = item(page, "competences").locator("details.comments")
    expect(block.locator(".comment")).to_have_count(2)
    expect(block.locator(".comment").nth(1)).to_contain_text("Oui, vérifié hier.")
    block.get_by_role("button", name="Résoudre").click()
    block = item(page, "competences").locator("details.comments")
    expect(block.locator("> summary")).to_have_text("Commentaires (0)")
    expect(block.locator(".thread")).to_have_count(0)
    thread = Thread.objects.get()
    assert thread.resolved_by == people["editor"] and thread.comments.count() == 2
