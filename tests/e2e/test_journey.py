"""A new user's whole journey in a real browser, on a phone-sized screen: sign up, create a
municipality and a plan, fill an item of every kind on every step, reload, find it all saved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jalon.plans.models import Answer, Plan, Record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Enregistré|Saved")


def autosaved(page: Page, item_id: str) -> None:
    """Wait until the item's status line says the server confirmed the save."""
    expect(page.locator(f"#item-{item_id} [data-status]")).to_have_text(SAVED)


def type_text(page: Page, item_id: str, text: str, field: str = "text") -> None:
    page.locator(f"#item-{item_id} [name={field}]").fill(text)
    autosaved(page, item_id)


def add_record(page: Page, item_id: str, fill) -> None:
    """Open the item's add form, fill it with `fill(form)`, submit, and wait for the reload."""
    page.locator(f"#record-new-{item_id} > summary").click()
    form = page.locator(f"#record-new-{item_id} form")
    fill(form)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".message")).to_be_visible()


def test_a_new_user_fills_every_step_and_finds_it_all_after_a_reload(page: Page):
    base = page.base  # type: ignore[attr-defined]
    page.goto(base + "/")
    page.get_by_role("link", name=re.compile("Créer un compte|Create an account")).click()
    page.fill("[name=name]", "Awa Diallo")
    page.fill("[name=email]", "awa@example.org")
    page.fill("[name=password1]", "Kandia-2026-dechets")
    page.fill("[name=password2]", "Kandia-2026-dechets")
    page.locator("form.form button[type=submit]").click()

    page.get_by_role("link", name=re.compile("commune|municipality", re.I)).last.click()
    page.fill("[name=name]", "Commune de Kandia")
    page.fill("[name=country]", "Sénégal")
    page.fill("[name=city]", "Kandia")
    page.locator("form.form button[type=submit]").click()
    page.locator("input[name=service][value=solid_waste]").check()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Déchets solides")
    plan = Plan.objects.get()
    step = f"{base}/plans/{plan.pk}/steps"

    # Step 1: a single choice with its note, a long text, a list.
    page.goto(f"{step}/1/")
    page.locator("#item-orientation input[value=inclusion]").check()
    autosaved(page, "orientation")
    type_text(page, "orientation", "Les quartiers nord ne sont pas collectés.", field="note")
    type_text(page, "excluded_groups_text", "Les quartiers périphériques non lotis.")
    add_record(page, "excluded_groups", lambda f: f.locator("[name=name]").fill("Quartier Zogbo"))

    # Step 2: a maturity level, a list with a choice, a date and an amount of money.
    page.goto(f"{step}/2/")
    page.locator("#item-maturity_equipment input[name=level][value='2']").check()
    autosaved(page, "maturity_equipment")
    type_text(page, "competences", "La commune organise la pré-collecte.")

    def programme(form):
        form.locator("[name=name]").fill("Fonds Villes Vertes")
        form.locator("[name=kind]").select_option("international_programme")
        form.locator("[name=deadline]").fill("2027-03-31")
        form.locator("[name='amount.amount']").fill("25 000 000")

    add_record(page, "funding_programmes", programme)

    # Step 3: a multiple choice, and lists that refer to each other.
    page.goto(f"{step}/3/")
    page.locator("#item-actor_types input[value=telecoms]").check()
    autosaved(page, "actor_types")

    def actor(form):
        form.locator("[name=name]").fill("Opérateur Sahel Mobile")
        form.locator("[name=type]").select_option("telecoms")
        form.locator("[name=description]").fill("Paiement mobile")

    add_record(page, "actors", actor)
    actor_uid = Record.objects.get(item_id="actors").uid

    def partner(form):
        form.locator("[name=actor]").select_option(actor_uid)
        form.locator("[name=interests][value=profit]").check()

    add_record(page, "partners", partner)

    # Step 4: a pilot action with checkboxes, and its perimeter referring to it.
    page.goto(f"{step}/4/")

    def pilot(form):
        form.locator("[name=title]").fill("Paiement mobile de la redevance")
        form.locator("[name=family]").select_option("data")
        form.locator("[name=lifecycle][value=collection]").check()

    add_record(page, "pilot_actions", pilot)
    action_uid = Record.objects.get(item_id="pilot_actions").uid
    add_record(page, "perimeters", lambda f: f.locator("[name=action]").select_option(action_uid))

    # Step 5: a checklist tree, a positioning, the roadmap, a long text.
    page.goto(f"{step}/5/")
    page.locator("#item-affordable_tools input[name=choices]").first.check()
    autosaved(page, "affordable_tools")
    page.locator("#item-position_team input[value=asset]").check()
    autosaved(page, "position_team")

    def roadmap(form):
        form.locator("[name=action]").select_option(action_uid)
        form.locator("[name=start]").fill("2027-01-15")
        form.locator("[name=lead_partner]").select_option(actor_uid)

    add_record(page, "roadmap", roadmap)
    type_text(page, "scale_up", "Étendre à toute la commune en 2028.")

    # Step 6: an indicator with numbers and a multiple reference, the channels.
    page.goto(f"{step}/6/")

    def indicator(form):
        form.locator("[name=name]").fill("Taux de recouvrement")
        form.locator("[name=baseline_value]").fill("32,5")
        form.locator("[name=target_value]").fill("60")
        form.locator(f"[name=actions][value='{action_uid}']").check()

    add_record(page, "indicators", indicator)
    page.locator("#item-communication_channels input[name=choices]").first.check()
    autosaved(page, "communication_channels")

    # Reload every step: everything is there, as typed.
    page.goto(f"{step}/1/")
    expect(page.locator("#item-orientation input[value=inclusion]")).to_be_checked()
    expect(page.locator("#item-orientation [name=note]")).to_have_value(
        "Les quartiers nord ne sont pas collectés."
    )
    expect(page.locator("#item-excluded_groups .record > details > summary")).to_contain_text(
        "Quartier Zogbo"
    )
    page.goto(f"{step}/2/")
    expect(page.locator("#item-maturity_equipment input[value='2']")).to_be_checked()
    expect(page.locator("#item-funding_programmes .record > details > summary")).to_contain_text(
        "Fonds Villes Vertes"
    )
    page.goto(f"{step}/3/")
    expect(page.locator("#item-partners .record > details > summary")).to_contain_text(
        "Opérateur Sahel Mobile"
    )
    page.goto(f"{step}/5/")
    expect(page.locator("#item-scale_up [name=text]")).to_have_value(
        "Étendre à toute la commune en 2028."
    )
    page.goto(f"{step}/6/")
    expect(page.locator("#item-indicators .record > details > summary")).to_contain_text(
        "Taux de recouvrement"
    )

    assert Answer.objects.filter(plan=plan).count() == 9
    assert Record.objects.get(item_id="indicators").data["baseline_value"] == "32.5"
    assert Record.objects.get(item_id="funding_programmes").data["amount"] == {
        "amount": "25000000",
        "currency": "XOF",
    }
    page.goto(f"{base}/plans/{plan.pk}/")
    expect(page.locator(".steps")).to_be_visible()
