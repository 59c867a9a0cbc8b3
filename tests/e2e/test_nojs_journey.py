"""A whole journey on a 360 px phone with JavaScript turned off: every form is a plain post that
comes back to the step page, says « Enregistré. » and shows what was saved; a refused save says
why next to the field and keeps what the person typed; the plan downloads as PDF and JSON."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import add_form, item, record, record_titles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVE = re.compile(r"^\s*Enregistrer\s*$")


def says(page: Page, message: str) -> None:
    """The message the server puts at the top of the page after a plain post."""
    expect(page.get_by_role("status").filter(has_text=message).first).to_be_visible()


def save(page: Page, item_id: str) -> None:
    """Press the question's own « Enregistrer » and see it confirmed, twice: at the top of the
    page and on the question's status line (« Enregistré à 10:27 par Awa Diallo »)."""
    block = item(page, item_id)
    with page.expect_navigation():
        block.get_by_role("button", name=SAVE).click()
    says(page, "Enregistré.")
    expect(block.get_by_role("status")).to_contain_text(re.compile(r"Enregistré à .* par Awa"))


def add(page: Page, item_id: str, fill) -> None:
    form = add_form(page, item_id)
    fill(form)
    with page.expect_navigation():
        form.get_by_role("button", name=re.compile(r"^\s*Ajouter\s*$")).click()
    says(page, "Fiche ajoutée.")


def test_a_whole_journey_without_javascript_on_a_phone(phone):
    page = phone(javascript=False)
    base = page.base

    # Sign up, create the municipality and its plan.
    page.goto(base + "/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Votre nom").fill("Awa Diallo")
    page.get_by_label("Adresse e-mail").fill("awa@example.org")
    page.get_by_label(re.compile("^Mot de passe")).fill("Kandia-2026-dechets")
    page.get_by_label(re.compile("Confirmation")).fill("Kandia-2026-dechets")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("link", name=re.compile("Nouvelle commune|Nouvelle municipalité")).click()
    page.locator("[name=name]").fill("Commune de Kandia")  # its label is being reworded
    page.locator("[name=country]").fill("Sénégal")
    page.locator("[name=city]").fill("Kandia")
    page.get_by_role("button", name="Créer").click()
    page.get_by_label("Déchets solides").check()
    page.get_by_role("button", name="Commencer le plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Déchets solides")
    plan_url = page.url
    step = plan_url + "steps"

    # Step 1: a single choice with its note, a text, a refused text, a list worked in full.
    page.goto(f"{step}/1/")
    orientation = item(page, "orientation")
    orientation.get_by_role("radio", name=re.compile("meilleure inclusion")).check()
    orientation.get_by_label("Pourquoi cette orientation").fill("Les quartiers nord attendent.")
    save(page, "orientation")
    expect(orientation.get_by_role("radio", name=re.compile("meilleure inclusion"))).to_be_checked()
    expect(orientation.get_by_label("Pourquoi cette orientation")).to_have_value(
        "Les quartiers nord attendent."
    )

    item(page, "excluded_groups_text").get_by_role("textbox").fill("Les quartiers non lotis.")
    save(page, "excluded_groups_text")

    # A control character, as pasted from another program: refused, said next to the field,
    # and the words typed are still in the field to correct.
    operators = item(page, "informal_operators_text")
    operators.get_by_role("textbox").fill("Les charretiers\x1b de Zogbo")
    operators.get_by_role("button", name=SAVE).click()
    expect(operators.get_by_role("alert")).to_contain_text("U+001B")
    expect(operators.get_by_role("alert")).to_contain_text("caractère qui ne peut pas")
    expect(operators.get_by_role("textbox")).to_have_value(re.compile("Les charretiers.*de Zogbo"))
    operators.get_by_role("textbox").fill("Les charretiers de Zogbo")
    save(page, "informal_operators_text")
    expect(operators.get_by_role("alert")).to_have_count(0)

    add(
        page,
        "excluded_groups",
        lambda f: f.get_by_label(re.compile("^Groupe social")).fill("Zogbo"),
    )
    add(
        page,
        "excluded_groups",
        lambda f: f.get_by_label(re.compile("^Groupe social")).fill("Aînés"),
    )
    assert record_titles(page, "excluded_groups") == ["Zogbo", "Aînés"]
    zogbo = record(page, "excluded_groups", "Zogbo")
    zogbo.get_by_label(re.compile("^Groupe social")).fill("Quartier Zogbo nord")
    zogbo.get_by_label("Pourquoi n’ont-ils pas accès ?").fill("Pas de piste carrossable.")
    with page.expect_navigation():
        zogbo.get_by_role("button", name=SAVE).click()
    says(page, "Enregistré.")
    assert record_titles(page, "excluded_groups") == ["Quartier Zogbo nord", "Aînés"]
    with page.expect_navigation():
        record(page, "excluded_groups", "Quartier Zogbo nord").get_by_role(
            "button", name="Descendre"
        ).click()
    assert record_titles(page, "excluded_groups") == ["Aînés", "Quartier Zogbo nord"]
    with page.expect_navigation():
        record(page, "excluded_groups", "Aînés").get_by_role(
            "button", name=re.compile("Supprimer")
        ).click()
    says(page, "Fiche supprimée")
    assert record_titles(page, "excluded_groups") == ["Quartier Zogbo nord"]
    expect(
        record(page, "excluded_groups", "Quartier Zogbo nord").get_by_label(
            "Pourquoi n’ont-ils pas accès ?"
        )
    ).to_have_value("Pas de piste carrossable.")

    # Step 2: a maturity level, a list record with a choice, a date and money.
    page.goto(f"{step}/2/")
    item(page, "maturity_equipment").get_by_role("radio", name=re.compile("^2 ")).check()
    save(page, "maturity_equipment")
    expect(
        item(page, "maturity_equipment").get_by_role("radio", name=re.compile("^2 "))
    ).to_be_checked()

    def programme(form):
        form.get_by_label(re.compile("^Nom du programme")).fill("Fonds Villes Vertes")
        form.get_by_label("Type").select_option("international_programme")
        form.get_by_label("Date limite de candidature").fill("2027-03-31")

    add(page, "funding_programmes", programme)
    expect(item(page, "funding_programmes")).to_contain_text("Fonds Villes Vertes")

    # Step 3: a multiple choice, an actor, and a partner referring to it.
    page.goto(f"{step}/3/")
    types = item(page, "actor_types")
    types.get_by_role("checkbox", name=re.compile("télécom", re.I)).check()
    save(page, "actor_types")
    expect(types.get_by_role("checkbox", name=re.compile("télécom", re.I))).to_be_checked()
    add(
        page,
        "actors",
        lambda f: f.get_by_label(re.compile("^Nom de l’acteur")).fill("Sahel Mobile"),
    )

    def partner(form):
        form.get_by_label(re.compile("^Acteur")).select_option(label="Sahel Mobile")
        form.get_by_role("checkbox").first.check()

    add(page, "partners", partner)
    expect(
        record(page, "partners", "Sahel Mobile").get_by_label(re.compile("^Acteur"))
    ).to_have_value(re.compile(".+"))

    # Step 4: a pilot action, and its perimeter referring to it.
    page.goto(f"{step}/4/")
    add(
        page,
        "pilot_actions",
        lambda f: f.get_by_label(re.compile("^Intitulé")).fill("Paiement mobile de la redevance"),
    )

    def perimeter(form):
        form.get_by_label(re.compile("^Action test")).select_option(
            label="Paiement mobile de la redevance"
        )
        form.get_by_label(re.compile("quelle partie du territoire")).fill("Zogbo")

    add(page, "perimeters", perimeter)
    expect(item(page, "perimeters")).to_contain_text("Paiement mobile de la redevance")

    # Step 5: a multiple choice tree, a single choice, the roadmap referring to the action.
    page.goto(f"{step}/5/")
    item(page, "affordable_tools").get_by_role("checkbox").first.check()
    save(page, "affordable_tools")
    item(page, "position_team").get_by_role("radio").first.check()
    save(page, "position_team")

    def roadmap(form):
        form.get_by_label(re.compile("^Action test")).select_option(
            label="Paiement mobile de la redevance"
        )
        form.get_by_label("Début").fill("2027-01-15")
        form.get_by_label("Partenaire porteur").select_option(label="Sahel Mobile")

    add(page, "roadmap", roadmap)
    expect(item(page, "roadmap")).to_contain_text("Paiement mobile de la redevance")

    # Step 6: a text, and an indicator referring to the action (a multiple reference).
    page.goto(f"{step}/6/")
    item(page, "baseline_data").get_by_role("textbox").fill("Registre des redevances 2026.")
    save(page, "baseline_data")

    def indicator(form):
        form.get_by_label("Nom de l’indicateur").fill("Taux de recouvrement")
        form.get_by_label("Valeur de départ", exact=True).fill("32,5")
        form.get_by_role("checkbox", name="Paiement mobile de la redevance").check()

    add(page, "indicators", indicator)
    indicator_record = record(page, "indicators", "Taux de recouvrement")
    # Shown back as « 32.5 » today, not « 32,5 » as typed: same number, French notation lost.
    expect(indicator_record.get_by_label("Valeur de départ", exact=True)).to_have_value(
        re.compile(r"^32[,.]5$")
    )
    expect(
        indicator_record.get_by_role("checkbox", name="Paiement mobile de la redevance")
    ).to_be_checked()

    # The plan, downloaded: a PDF and the plan's data, each a real file of its kind.
    page.goto(plan_url)
    for link, content_type, start in (
        (page.get_by_role("link", name=re.compile("Français — PDF")), "application/pdf", b"%PDF"),
        (page.get_by_role("link", name=re.compile("— JSON")), "application/json", b"{"),
    ):
        response = page.request.get(base + link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"].startswith(content_type)
        with page.expect_download() as download:
            link.click()
        with open(download.value.path(), "rb") as file:
            assert file.read().lstrip().startswith(start)
