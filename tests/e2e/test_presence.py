"""Presence in a real browser (issue 9, item 6): two people on the same step page; one types in
an item, the other, working in the page, sees « … modifie cette réponse » on it at the next
poll. Nothing shows to the person typing, and nothing without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Enregistré|Saved")
ITEM = "#item-competences"
POLL_WAIT = 30_000  # ms: the page polls every 20 s while a person is in an item


def log_in(page: Page, user) -> None:
    page.goto(page.base + "/accounts/login/")  # type: ignore[attr-defined]
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()


def step_url(page: Page, plan) -> str:
    return f"{page.base}/plans/{plan.pk}/steps/2/"  # type: ignore[attr-defined]


def test_the_other_person_sees_who_is_typing_in_an_item(phone, plan, people):
    moussa = people["editor"]
    moussa.name = "Moussa <b>Diop</b>"
    moussa.save()
    typing, watching = phone(), phone()
    log_in(typing, moussa)
    log_in(watching, people["owner"])
    watching.goto(step_url(watching, plan))
    # The owner works in another item of the page: the page polls while they are in one.
    watching.locator("#item-funding_programmes_text [name=text]").focus()
    typing.goto(step_url(typing, plan))
    typing.locator(f"{ITEM} [name=text]").fill("Compétences de la commune")
    expect(typing.locator(f"{ITEM} [data-status]")).to_have_text(SAVED)

    said = watching.locator(f"{ITEM} .presence")
    expect(said).to_have_text("Moussa modifie cette réponse", timeout=POLL_WAIT)
    assert said.get_attribute("aria-live") == "polite"
    assert said.locator("b").count() == 0  # the name is text, never markup
    # The person typing is not told about themselves: once their own page has asked again.
    with typing.expect_response(lambda r: "/presence/" in r.url, timeout=POLL_WAIT) as polled:
        typing.locator("#item-funding_programmes_text [name=text]").focus()
    assert polled.value.status == 200
    expect(typing.locator(".presence:not(:empty)")).to_have_count(0)


def test_nothing_is_said_without_javascript(phone, plan, people):
    from jalon.discussions.services import presence_touch

    presence_touch(user=people["editor"], plan=plan, item_id="competences")
    page = phone(javascript=False)
    log_in(page, people["owner"])
    page.goto(step_url(page, plan))
    expect(page.locator(ITEM)).to_be_visible()
    assert "modifie cette réponse" not in page.content()
