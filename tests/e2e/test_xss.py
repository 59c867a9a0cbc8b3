"""Nothing a user types ever runs (GUIDE §7), checked in Chromium with a corpus of XSS payloads.

Every text answer, every note and every text or long-text field of every list of a plan gets the
payloads, written through the real services (`answer_save`, `record_add`); the items come from
the worksheet definition, so an item added to it later is covered without touching this file.
Then every step page, the overview and every item's history page are opened: no payload runs
(window.__xss stays undefined, no dialog opens), none becomes markup (no event-handler attribute,
no frame, no inline script, no javascript: link), the Content-Security-Policy reports no
violation, and each payload reads as the text that was typed.

The exports (PDF, DOCX, XLSX, CSV, JSON) get the same corpus when the deliverables are built.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jalon.plans.models import Answer, Plan
from jalon.plans.services import answer_save, definition_of, record_add
from jalon.worksheets.schema import FieldKind, Item, ItemKind

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CORPUS = (
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1">',
    "javascript:window.__xss=1",
    '<a href="javascript:window.__xss=1">x</a>',
    "{{7*7}}",
    '<iframe src="javascript:window.__xss=1">',
    '<svg xmlns="http://www.w3.org/2000/svg"><script>window.__xss=1</script></svg>',
)
ALL_OF_IT = "\n".join(CORPUS)  # a text answer or a note gets the whole corpus, one per line
SAVED = re.compile(r"Enregistré|Saved")

# Collected in the page before any of its own scripts run.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${where}`);
});
"""

# What an escaped payload can never produce: markup that runs or navigates to script.
MARKUP_THAT_RUNS = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith("on")) found.push(`${el.tagName} ${attr.name}`);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)
          && value.startsWith("javascript:")) found.push(`${el.tagName} ${attr.name}=${value}`);
    }
    if (el.tagName === "IFRAME" || el.tagName === "OBJECT" || el.tagName === "EMBED")
      found.push(el.tagName);
    if (el.tagName.toLowerCase() === "script" && !el.getAttribute("src"))
      found.push("inline script");
  }
  return found;
}"""


class Watcher:
    """What a page did that it must not: dialogs opened, CSP violations reported to the console."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        page.context.add_init_script(WATCH_CSP)
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def check(self, page: Page) -> str:
        """Assert that the page loaded clean; return its visible text."""
        page.wait_for_load_state("load")
        where = page.url
        assert page.evaluate("typeof window.__xss") == "undefined", where
        assert page.evaluate(MARKUP_THAT_RUNS) == [], where
        assert page.evaluate("window.__csp") == [], where
        assert self.console == [], where
        assert self.dialogs == [], where
        text: str = page.evaluate("document.body.innerText")
        return text


def log_in(page: Page, user) -> None:
    page.goto(page.base + "/accounts/login/")  # type: ignore[attr-defined]
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()


def record_with(item: Item, index: int, records: dict[str, list[str]]) -> dict[str, Any]:
    """A record of `item` whose every text field holds payload `index` alone, and whose
    references point to the record of the same payload in the list they refer to."""
    raw: dict[str, Any] = {}
    for field in item.fields:
        if field.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            raw[field.id] = CORPUS[index]
        elif field.kind is FieldKind.REFERENCE and records.get(field.references or ""):
            target = records[field.references or ""][index]
            raw[field.id] = [target] if field.multiple else target
        elif field.required and field.kind is FieldKind.DATE:  # a measurement's date
            raw[field.id] = "2026-06-30"
        elif field.required and field.kind is FieldKind.NUMBER:  # and its value
            raw[field.id] = str(index)
    return raw


def fill_with_payloads(plan: Plan, user) -> dict[str, list[str]]:
    """Every text answer and every note gets the whole corpus; every list gets one record per
    payload (so a link field starts with `javascript:` once, and a record named by a payload is
    shown in the lists that refer to it). Returns each list's record ids."""
    records: dict[str, list[str]] = {}
    for item in definition_of(plan).items:
        if item.kind is ItemKind.TEXT:
            answer_save(plan=plan, user=user, item_id=item.id, raw=ALL_OF_IT, base_version=None)
        elif item.kind is not ItemKind.RECORDS and item.note is not None:
            answer_save(
                plan=plan, user=user, item_id=item.id, raw={"note": ALL_OF_IT}, base_version=None
            )
        elif item.kind is ItemKind.RECORDS:
            records[item.id] = [
                record_add(
                    plan=plan, user=user, item_id=item.id, raw=record_with(item, index, records)
                ).uid
                for index in range(len(CORPUS))
            ]
    return records


def test_no_payload_runs_or_becomes_markup_on_any_page(page: Page, plan, people):
    owner = people["owner"]
    records = fill_with_payloads(plan, owner)
    definition = definition_of(plan)
    assert len(records) >= 10 and all(len(uids) == len(CORPUS) for uids in records.values())
    watcher = Watcher(page)
    log_in(page, owner)
    base = page.base  # type: ignore[attr-defined]

    for step in definition.steps:
        response = page.goto(f"{base}/plans/{plan.pk}/steps/{step.id}/")
        assert response is not None and response.ok
        text = watcher.check(page)
        # Record names are shown as text in each list's summary; answers are in the fields.
        for payload in CORPUS:
            assert payload in text, (step.id, payload)
        values = page.eval_on_selector_all("textarea", "els => els.map(e => e.value)")
        typed_in = [i for i in step.items if i.kind is ItemKind.TEXT or i.note is not None]
        assert values.count(ALL_OF_IT) >= len(typed_in), step.id

    response = page.goto(f"{base}/plans/{plan.pk}/")
    assert response is not None and response.ok
    watcher.check(page)

    # The follow-up names every indicator (a payload each) and draws their trajectories.
    response = page.goto(f"{base}/plans/{plan.pk}/follow-up/")
    assert response is not None and response.ok
    text = watcher.check(page)
    for payload in CORPUS:
        assert payload in text, ("follow-up", payload)

    for item in definition.items:
        response = page.goto(f"{base}/plans/{plan.pk}/items/{item.id}/history/")
        assert response is not None and response.ok
        text = watcher.check(page)
        for payload in CORPUS:
            assert payload in text, (item.id, payload)


def test_the_step_page_breaks_no_policy_and_autosave_still_works(page: Page, plan, people):
    watcher = Watcher(page)
    log_in(page, people["editor"])
    watcher.check(page)  # the login page and the home page
    page.goto(f"{page.base}/plans/{plan.pk}/steps/2/")  # type: ignore[attr-defined]
    watcher.check(page)
    page.locator("#item-competences [name=text]").fill("Écrit sous la politique de sécurité")
    expect(page.locator("#item-competences [data-status]")).to_have_text(SAVED)
    answer = Answer.objects.get(plan=plan, item_id="competences")
    assert answer.value == "Écrit sous la politique de sécurité"
    page.goto(f"{page.base}/plans/{plan.pk}/")  # type: ignore[attr-defined]
    watcher.check(page)  # the overview and its progress bars

    # The watch itself works: an inline style, which the policy refuses, is reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_function("window.__csp.length > 0")


def test_the_checks_catch_a_payload_that_was_not_escaped(page: Page):
    """The control: the same checks, on a page without escaping or policy, do fail."""
    watcher = Watcher(page)
    page.set_content(f"<p>{CORPUS[1]}</p>")
    page.wait_for_function("window.__xss === 1")
    with pytest.raises(AssertionError):
        watcher.check(page)
    assert page.evaluate(MARKUP_THAT_RUNS) == ["IMG onerror"]


def test_no_payload_runs_through_names_comments_reviews_and_invitations(
    page: Page, plan, people, django_capture_on_commit_callbacks
):
    """Issue 9: the corpus as people's names, comment bodies, a review message and an invitation
    message, on every page of working together."""
    from jalon.discussions import services as discussions
    from jalon.organisations.services import invitation_create
    from jalon.plans import review

    for user, payload in zip(
        (people["editor"], people["commenter"], people["viewer"]), CORPUS, strict=False
    ):
        user.name = payload
        user.save()
    owner = people["owner"]
    with django_capture_on_commit_callbacks(execute=True):  # notifications go on commit
        for payload in CORPUS:
            first = discussions.thread_start(
                plan=plan, user=people["commenter"], item_id="competences",
                body=f"{payload} @Owner",
            )  # fmt: skip
            discussions.comment_reply(thread=first.thread, user=people["editor"], body=payload)
        editor = plan.organisation.memberships.get(user=people["editor"])
        review.review_request(plan=plan, membership=editor, message=ALL_OF_IT)
    sent = invitation_create(
        organisation=plan.organisation, invited_by=people["editor"], email="new@example.org",
        role="viewer", message=ALL_OF_IT, plan_id=plan.pk,
    )  # fmt: skip
    owner_membership = plan.organisation.memberships.get(user=owner)
    version = review.review_validate(plan=plan, membership=owner_membership, message=CORPUS[1])
    watcher = Watcher(page)
    log_in(page, owner)
    base = page.base  # type: ignore[attr-defined]
    plan_url = f"{base}/plans/{plan.pk}"
    for url, must_show in (
        (f"{plan_url}/steps/2/", ()),  # the comments are there, folded: innerText skips them
        (f"{plan_url}/comments/", CORPUS),
        (f"{plan_url}/", ()),
        (f"{plan_url}/activity/", CORPUS[:3]),
        (f"{base}/organisations/{plan.organisation_id}/activity/", CORPUS[:3]),
        (f"{base}/organisations/{plan.organisation_id}/", CORPUS[:3]),
        (f"{base}/notifications/", CORPUS[:2]),
        (f"{plan_url}/versions/{version.version_id}/", ()),
        (f"{plan_url}/items/competences/history/", CORPUS),
        (f"{plan_url}/print/?comments=1", CORPUS),
        (f"{base}/accounts/profile/", ()),
    ):
        response = page.goto(url)
        assert response is not None and response.ok, url
        text = watcher.check(page)
        for payload in must_show:
            assert payload in text, (url, payload)
    # The invitation's page, as the person it is for would open it (signed out).
    page.context.clear_cookies()
    response = page.goto(f"{base}/invitations/{sent.token}/")
    assert response is not None and response.ok
    text = watcher.check(page)
    assert CORPUS[0] in text and CORPUS[1] in text  # the inviter's name, the message
