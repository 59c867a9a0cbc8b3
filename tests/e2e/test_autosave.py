"""Autosave on a bad network and with two people on the same item, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jalon.organisations.services import membership_add
from jalon.plans.models import Answer

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Enregistré|Saved")
ITEM = "#item-competences"


def log_in(page: Page, user) -> None:
    page.goto(page.base + "/accounts/login/")  # type: ignore[attr-defined]
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()


def step_url(page: Page, plan) -> str:
    return f"{page.base}/plans/{plan.pk}/steps/2/"  # type: ignore[attr-defined]


def test_a_save_that_fails_offline_says_so_and_succeeds_on_retry(page: Page, plan, people):
    log_in(page, people["editor"])
    page.goto(step_url(page, plan))
    page.context.set_offline(True)
    page.locator(f"{ITEM} [name=text]").fill("Écrit sans réseau")
    status = page.locator(f"{ITEM} [data-status]")
    expect(status).to_have_class(re.compile("failed"))
    draft = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('jalon:draft:'))")
    assert draft == [f"jalon:draft:{plan.pk}:competences"]
    status.locator("button").click()  # retrying while still offline fails again, visibly
    expect(status).to_have_class(re.compile("failed"))
    page.context.set_offline(False)  # back online: the pending save goes through by itself
    expect(status).to_have_text(SAVED)
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Écrit sans réseau"
    assert page.evaluate("localStorage.length") == 0


def test_an_unsaved_change_is_offered_back_after_a_reload(page: Page, plan, people):
    log_in(page, people["editor"])
    page.goto(step_url(page, plan))
    page.route("**/items/competences/", lambda route: route.abort())  # the network drops it
    page.locator(f"{ITEM} [name=text]").fill("Texte qui ne doit pas se perdre")
    expect(page.locator(f"{ITEM} [data-status]")).to_have_class(re.compile("failed"))
    page.unroute("**/items/competences/")
    page.goto(step_url(page, plan))
    expect(page.locator(f"{ITEM} [name=text]")).to_have_value("")
    expect(page.locator(f"{ITEM} .draft")).to_be_visible()
    page.locator(f"{ITEM} .draft button").first.click()
    expect(page.locator(f"{ITEM} [data-status]")).to_have_text(SAVED)
    assert (
        Answer.objects.get(plan=plan, item_id="competences").value
        == "Texte qui ne doit pas se perdre"
    )


def test_two_people_on_the_same_item_see_the_conflict_and_choose(
    browser, live_server, plan, people
):
    membership_add(organisation=plan.organisation, email=people["outsider"].email, role="editor")
    pages = []
    for user in (people["editor"], people["outsider"]):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.base = live_server.url
        log_in(page, user)
        page.goto(step_url(page, plan))
        pages.append(page)
    first, second = pages
    first.locator(f"{ITEM} [name=text]").fill("Version d’Editor")
    expect(first.locator(f"{ITEM} [data-status]")).to_have_text(SAVED)
    second.locator(f"{ITEM} [name=text]").fill("Version d’Outsider")
    conflict = second.locator(f"{ITEM} .conflict")
    expect(conflict).to_contain_text("Version d’Editor")
    expect(second.locator(f"{ITEM} [name=text]")).to_have_value("Version d’Outsider")
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Version d’Editor"
    second.locator(f"{ITEM} button.save").click()  # keep mine
    expect(second.locator(f"{ITEM} [data-status]")).to_have_text(SAVED)
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Version d’Outsider"
    # The first person now edits on an old version: they take the other's instead.
    first.locator(f"{ITEM} [name=text]").fill("Encore Editor")
    expect(first.locator(f"{ITEM} .conflict")).to_be_visible()
    first.locator(f"{ITEM} [data-take-theirs]").click()
    expect(first.locator(f"{ITEM} [name=text]")).to_have_value("Version d’Outsider")
    expect(first.locator(f"{ITEM} .conflict")).to_have_count(0)
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Version d’Outsider"
    for page in pages:
        page.context.close()
