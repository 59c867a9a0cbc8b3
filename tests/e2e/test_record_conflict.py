"""Two people of the same municipality, each on their phone, change the title of the same pilot
action at the same time. The second save is not lost and does not silently win: the second
person sees the other's version, who wrote it and when, and chooses to keep theirs or take the
other's. The record's history keeps every saved version."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jalon.plans import services

from ..conftest import PASSWORD
from .conftest import item, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Enregistré à \d\d:\d\d par")
TITLE = re.compile("^Intitulé de l’action test")
FIRST = "Paiement mobile de la redevance"
EDITOR_S = "Paiement mobile de la redevance, quartiers nord"
OWNER_S = "Paiement de la redevance par mobile money"


def open_action(page: Page, plan, uid: str):
    """The pilot action on step 4, opened; `#record-<uid>` is the anchor saves come back to."""
    page.goto(f"{page.base}/plans/{plan.pk}/steps/4/")  # type: ignore[attr-defined]
    action = page.locator(f"#record-{uid}")
    action.locator("summary").first.click()
    return action


@pytest.mark.parametrize("choice", ["keep mine", "take theirs"])
def test_two_people_change_one_pilot_action_and_the_second_chooses(phone, plan, people, choice):
    uid = services.record_add(
        plan=plan, user=people["owner"], item_id="pilot_actions", raw={"title": FIRST}
    ).uid
    editor, owner = phone(), phone()
    log_in(editor, people["editor"], PASSWORD)
    log_in(owner, people["owner"], PASSWORD)
    editor_action, owner_action = open_action(editor, plan, uid), open_action(owner, plan, uid)

    # Editor saves first.
    editor_action.get_by_label(TITLE).fill(EDITOR_S)
    expect(editor_action.get_by_role("status")).to_have_text(SAVED)

    # Owner, still on the version they opened, saves second: a conflict, their text kept.
    owner_action.get_by_label(TITLE).fill(OWNER_S)
    conflict = owner_action.get_by_role("alert")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(EDITOR_S)  # the other person's version
    expect(conflict).to_contain_text("Editor")  # who
    expect(conflict).to_contain_text(re.compile(r"\d\d/\d\d/\d{4}.*\d\d:\d\d"))  # when
    owner_title = owner_action.get_by_label(TITLE)
    expect(owner_title).to_have_value(OWNER_S)

    if choice == "keep mine":
        owner_action.get_by_role("button", name="Garder la mienne").click()
        expect(owner_action.get_by_role("status")).to_have_text(SAVED)
        expect(owner_title).to_have_value(OWNER_S)
        kept = OWNER_S
    else:
        owner_action.get_by_role("link", name="Prendre la sienne").click()
        expect(owner_action.get_by_role("alert")).to_have_count(0)
        expect(owner_title).to_have_value(EDITOR_S)
        kept = EDITOR_S

    # Both, on reloading the step, see the same saved title.
    for page in (editor, owner):
        expect(open_action(page, plan, uid).get_by_label(TITLE)).to_have_value(kept)

    # The history of the list keeps every version that was saved.
    item(owner, "pilot_actions").get_by_role("link", name="Historique").click()
    history = owner.get_by_role("main")
    expect(history).to_contain_text(FIRST)
    expect(history).to_contain_text(EDITOR_S)
    if choice == "keep mine":
        expect(history).to_contain_text(OWNER_S)
        expect(history).to_contain_text("Owner")
    else:
        expect(history).not_to_contain_text(OWNER_S)  # discarded by the person's own choice
