"""A whole journey in English on a 360 px phone with JavaScript: the person switches the language
with the control at the top of the first page, and from then on every page they see, the
worksheet's steps included, speaks English; autosave confirms each answer in English; the plan
downloads as an English PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import add_form, item, record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the French interface says where the English one should speak: labels of buttons, status
# lines, headings, and the commonest French words of the worksheet's own text.
FRENCH = re.compile(
    r"Enregistr|Étape|Ajouter|Aide\b|Historique|Supprimer|Monter|Descendre|Vue d’ensemble"
    r"|Fiche|Commune|Données|Mes communes|Se déconnecter|Aller au contenu"
    r"|\b(?:les|des|du|une|pour|avec|dans|est|sont|par|sur|quels?|quelles?)\b",
    re.IGNORECASE,
)
# A lower-case word with a French accent (« à », « été », « créé »): the person typed plain
# English, so it can only come from the interface. Place names (« Médina ») start upper-case.
FRENCH_WORD = re.compile(r"\b[a-zàâçéèêëîïôûù]*[àâçéèêëîïôûù][a-zàâçéèêëîïôûù]*")
SAVED = re.compile(r"Saved at \d\d:\d\d by Awa")


def in_english(page: Page) -> None:
    """Everything the page shows, as a person reads it (innerText), is English, but what is
    marked as another language on purpose (« Français », the link to the French PDF)."""
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shown = page.locator("body").inner_text()
    for other in page.locator("body [lang]:not([lang=en])").all_inner_texts():
        shown = shown.replace(other, "")
    french = sorted(
        {match.group() for pattern in (FRENCH, FRENCH_WORD) for match in pattern.finditer(shown)}
    )
    assert not french, f"French on {page.url}: {french}"


def autosaved(page: Page, item_id: str) -> None:
    expect(item(page, item_id).get_by_role("status").first).to_have_text(SAVED)


def test_a_whole_journey_in_english_on_a_phone(phone):
    page = phone(javascript=True)  # a French phone: the person chooses English on the site
    base = page.base

    page.goto(base + "/")
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()
    in_english(page)
    page.get_by_role("link", name="Create an account").click()
    in_english(page)
    page.get_by_label("Your name").fill("Awa Diallo")
    page.get_by_label("E-mail address").fill("awa@example.org")
    page.get_by_label(re.compile("^Password")).first.fill("Kandia-2026-waste")
    page.get_by_label(re.compile("^Password confirmation")).fill("Kandia-2026-waste")
    page.get_by_role("button", name="Create my account").click()
    in_english(page)
    page.get_by_role("link", name=re.compile("New municipality")).click()
    in_english(page)
    page.locator("[name=name]").fill("Kandia")  # its label is being reworded
    page.locator("[name=country]").fill("Senegal")
    page.locator("[name=city]").fill("Kandia")
    page.get_by_role("button", name="Create").click()
    in_english(page)
    page.get_by_label("Solid waste").check()
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Solid waste")
    in_english(page)
    plan_url = page.url
    step = plan_url + "steps"

    page.goto(f"{step}/1/")
    in_english(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clarify what you expect")
    item(page, "orientation").get_by_role("radio", name=re.compile("better inclusion")).check()
    autosaved(page, "orientation")
    item(page, "excluded_groups_text").get_by_role("textbox").fill("Unplanned settlements.")
    autosaved(page, "excluded_groups_text")
    in_english(page)

    page.goto(f"{step}/2/")
    in_english(page)
    item(page, "maturity_equipment").get_by_role("radio", name=re.compile("^2 ")).check()
    autosaved(page, "maturity_equipment")
    in_english(page)

    page.goto(f"{step}/3/")
    in_english(page)
    item(page, "actor_types").get_by_role("checkbox", name=re.compile("telecom", re.I)).check()
    autosaved(page, "actor_types")
    in_english(page)

    # Step 4: a pilot action added, then its title changed and autosaved in its own form.
    page.goto(f"{step}/4/")
    in_english(page)
    form = add_form(page, "pilot_actions")
    in_english(page)  # the opened form too
    form.get_by_label(re.compile("^Title of the pilot action")).fill("Mobile fee payment")
    form.get_by_role("button", name=re.compile(r"^\s*Add\s*$")).click()
    expect(page.get_by_role("status").filter(has_text="Added.")).to_be_visible()
    action = record(page, "pilot_actions", "Mobile fee payment")
    in_english(page)  # the opened record
    action.get_by_label(re.compile("^Title of the pilot action")).fill("Mobile payment of the fee")
    expect(action.get_by_role("status")).to_have_text(SAVED)
    in_english(page)

    page.goto(f"{step}/5/")
    in_english(page)
    item(page, "scale_up").get_by_role("textbox").fill("Cover the whole town in 2028.")
    autosaved(page, "scale_up")
    in_english(page)

    page.goto(f"{step}/6/")
    in_english(page)
    item(page, "baseline_data").get_by_role("textbox").fill("The 2026 fee register.")
    autosaved(page, "baseline_data")
    in_english(page)

    # Back on the overview: the English PDF, a real PDF, in English by its name.
    page.goto(plan_url)
    in_english(page)
    link = page.get_by_role("link", name=re.compile("English — PDF"))
    response = page.request.get(base + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("-en.pdf")
    text = " ".join(sheet.extract_text() for sheet in PdfReader(download.value.path()).pages)
    assert "Mobile payment of the fee" in text
    assert "Clarify what you expect from digital technology" in text
