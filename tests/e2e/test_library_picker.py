"""Step 6's indicator library, in a phone's browser: with JavaScript the search shows under the
list as one types, « Utiliser cet indicateur » adds the indicator and opens it to be completed;
without JavaScript the same link leads to the library's page, with the same result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jalon.plans.models import Record

from ..conftest import PASSWORD
from .conftest import item, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_editor_picks_an_indicator_in_place_and_lands_on_it(phone, people, plan):
    page = phone()
    log_in(page, people["editor"], PASSWORD)
    page.goto(f"{page.base}/plans/{plan.pk}/steps/6/")
    indicators = item(page, "indicators")
    indicators.get_by_role("link", name="Choisir dans la bibliothèque").click()
    panel = page.locator("#library-panel")
    expect(panel.get_by_role("searchbox")).to_be_focused()
    assert page.url.endswith("/steps/6/")  # in place: no page change
    panel.get_by_role("searchbox").fill("paiement mobile")
    expect(panel.locator(".entry")).to_have_count(1)
    expect(panel.locator(".entry .code")).to_have_text("AFD-IDDRI-2")
    panel.get_by_role("button", name="Utiliser cet indicateur").click()
    page.wait_for_url(f"**/plans/{plan.pk}/steps/6/?from=library#record-*")
    record = Record.objects.get(plan=plan, item_id="indicators")
    assert page.url.endswith(f"#record-{record.uid}")
    assert record.data["library_code"] == "AFD-IDDRI-2"
    card = page.locator(f"#record-{record.uid}")
    expect(card.locator("details").first).to_have_attribute("open", "")
    expect(card.get_by_label("Nom de l’indicateur")).to_have_value(
        "Taux de recouvrement des factures grâce au paiement mobile"
    )
    expect(card.locator("summary .code")).to_have_text("AFD-IDDRI-2")
    expect(page.get_by_text("Ajouté depuis la bibliothèque")).to_be_visible()
    # The library now says it is in the plan.
    indicators = item(page, "indicators")
    indicators.get_by_role("link", name="Choisir dans la bibliothèque").click()
    page.locator("#library-panel").get_by_role("searchbox").fill("AFD-IDDRI-2")
    expect(page.locator("#library-panel .in-plan")).to_have_count(1)


def test_without_javascript_the_link_opens_the_library_page(phone, people, plan):
    page = phone(javascript=False)
    log_in(page, people["editor"], PASSWORD)
    page.goto(f"{page.base}/plans/{plan.pk}/steps/6/")
    item(page, "indicators").get_by_role("link", name="Choisir dans la bibliothèque").click()
    page.wait_for_url("**/library/")
    page.get_by_role("searchbox").fill("11.6.1")
    page.get_by_role("button", name="Chercher", exact=True).click()
    first = page.locator(".entry").first
    expect(first.locator(".code")).to_have_text("SDG-11.6.1")
    first.get_by_role("button", name="Utiliser cet indicateur").click()
    page.wait_for_url(f"**/plans/{plan.pk}/steps/6/?from=library#record-*")
    record = Record.objects.get(plan=plan, item_id="indicators")
    assert record.data["library_code"] == "SDG-11.6.1"
