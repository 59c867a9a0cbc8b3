"""Step pages as a team reads them on a phone: the whole worksheet in view, honest progress."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jalon.plans.services import record_add

from ..fidelity import load_items, missing_texts
from .test_autosave import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def visible_text(page: Page, plan, step: int) -> str:
    page.goto(f"{page.base}/plans/{plan.pk}/steps/{step}/")  # type: ignore[attr-defined]
    return page.inner_text("main")


def test_every_item_of_the_worksheet_is_visible_on_the_step_pages_with_nothing_opened(
    page: Page, plan, people
):
    """A new plan, no record yet, at 360 px: innerText counts only what is rendered visibly
    (closed <details>, <select> options and hidden elements do not count)."""
    log_in(page, people["viewer"])
    text = "\n".join(visible_text(page, plan, step) for step in range(1, 7))
    assert len(load_items()) == 77
    assert missing_texts(text) == []


def test_one_actor_or_one_pilot_action_does_not_complete_a_step(page: Page, plan, people):
    record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "ONG Tri"})
    record_add(plan=plan, user=people["owner"], item_id="pilot_actions", raw={"title": "Test"})
    log_in(page, people["editor"])
    page.goto(f"{page.base}/plans/{plan.pk}/steps/3/")  # type: ignore[attr-defined]
    bar = page.get_by_role("navigation", name="Étapes de la fiche")
    step3 = bar.get_by_role("link", name="Étape 3 Partenaires en cours, 0 sur 3")
    expect(step3).to_have_attribute("aria-current", "step")
    expect(bar.get_by_role("link", name="Étape 4 Actions test en cours, 0 sur 2")).to_be_visible()
    expect(bar.get_by_role("link", name="Étape 1 Attentes à faire")).to_be_visible()
    contents = page.get_by_role("navigation", name="Dans cette étape")
    expect(contents).to_contain_text("3.1 Acteurs concernés")
    expect(contents).to_contain_text("en cours")
    contents.get_by_role("link", name="Question suivante non renseignée").click()
    expect(page).to_have_url(f"{page.base}/plans/{plan.pk}/steps/3/#item-actor_types")  # type: ignore[attr-defined]


def test_a_section_folds_and_its_questions_stay_in_the_page(page: Page, plan, people):
    log_in(page, people["editor"])
    page.goto(f"{page.base}/plans/{plan.pk}/steps/2/")  # type: ignore[attr-defined]
    section = page.locator("#section-2\\.2")
    question = section.locator("#label-maturity_data")
    expect(question).to_be_visible()
    section.locator("summary").first.click()
    expect(question).to_be_hidden()
    section.locator("summary").first.click()
    expect(question).to_be_visible()
