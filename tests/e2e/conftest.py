"""Browser tests drive Debian's Chromium through Playwright against the live test server.

They are skipped, with the way to get Chromium, when it is not installed; under CI (CI=true) that
skip is a failure (tests/conftest.py), as CI installs Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("JALON_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are plain
# synchronous calls made between browser steps, which Django may safely allow.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(`sudo apt-get install chromium`) or set JALON_CHROMIUM to its path."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


# The phone most users have: 360 px wide. The journeys below run on it.
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone(browser, live_server):
    """Opens a new person's phone: `phone(javascript=False, locale="en-GB")` gives a page in its
    own browser context (own cookies), closed at the end of the test."""
    contexts = []

    def open_phone(*, javascript: bool = True, locale: str = "fr-FR"):
        context = browser.new_context(
            viewport=PHONE, locale=locale, java_script_enabled=javascript, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base = live_server.url
        return page

    yield open_phone
    for context in contexts:
        context.close()


# Where a person finds things on a step page. Each item is the element the server's redirects
# point at (`#item-<id>`, `#record-<uid>`), and forms are found by where they post: both are the
# URLs' contract, not cosmetics. Inside them, tests use roles and labels.


def item(page, item_id: str):
    """The block of one question of the worksheet on its step page."""
    return page.locator(f"#item-{item_id}")


def add_form(page, item_id: str):
    """The form that adds a record to a list, opened if it is folded."""
    form = page.locator(f"form[action$='/items/{item_id}/records/']")
    if not form.is_visible():
        # the innermost folded part holding the form (a step's sections fold too)
        page.locator("details", has=form).last.locator("> summary").click()
    return form


def record(page, item_id: str, title: str):
    """A record of a list, by the title shown for it, opened so that its form can be used."""
    found = item(page, item_id).locator("li", has=page.locator("summary", has_text=title))
    details = found.locator("details").first
    if details.get_attribute("open") is None:
        details.locator("> summary").click()
    return found


def record_titles(page, item_id: str) -> list[str]:
    """The titles of a list's records, in the order shown."""
    return [
        text.strip()
        # the record's own disclosure, not its « Commentaires (N) » one
        for text in item(page, item_id)
        .locator("li > details:not(.comments) > summary")
        .all_inner_texts()
    ]


def log_in(page, user, password: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.locator("[name=username]").fill(user.email)
    page.locator("[name=password]").fill(password)
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", level=1).wait_for()
