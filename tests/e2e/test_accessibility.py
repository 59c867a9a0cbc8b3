"""Accessibility gates in a real browser (GUIDE §6 and §9).

- axe-core finds no WCAG 2.1 A or AA violation on any page type, in French and in English;
- a step can be completed with the keyboard alone, and the focus is always visible;
- no page scrolls sideways on a 360 px wide phone, even with long unbroken words in answers.

axe-core comes from npm (package.json at the repository root; `make test` runs `npm ci`); without
it the axe test is skipped, saying so, and fails under CI (tests/conftest.py). The
pages a browser without JavaScript gets after a refused save (409, 400) are reached with
autosave.js blocked rather than with JavaScript off, because axe itself runs as JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from jalon.accounts.models import User
from jalon.discussions.models import Comment, Notification
from jalon.discussions.services import notify
from jalon.organisations.models import Membership
from jalon.organisations.services import invitation_create, invitation_revoke, membership_add
from jalon.plans import review, services
from jalon.plans.advice import advice_set_aside, plan_advice
from jalon.plans.demo import COLLEAGUE, DEMO_USER, load_demo
from jalon.plans.demo import PASSWORD as DEMO_PASSWORD
from jalon.plans.models import Answer, Plan, PlanVersion, Record

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STEPS = ("1", "2", "3", "4", "5", "6")
PHONE: ViewportSize = {"width": 360, "height": 800}
SAVED = re.compile(r"Enregistré|Saved")
# 200 letters with no break opportunity (no space, no hyphen), like a pasted reference: it must
# wrap, not widen the page.
LONG_WORD = "AssainissementKandia" * 10

Check = Callable[[str, Page], None]


@dataclass(frozen=True)
class Site:
    base: str
    plan: Plan  # the demo plan, every step filled
    empty: Plan  # a plan of the same municipality with nothing written yet, validated
    version: PlanVersion  # the empty plan's validated version
    owner: User  # the demo account, owner of the municipality
    colleague: User  # an editor of the municipality
    viewer: User  # a viewer of the municipality (password tests.conftest.PASSWORD)


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: run `npm ci` at the repository root.")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def site(live_server) -> Site:
    plan = load_demo()
    owner = User.objects.get(email=DEMO_USER["email"])
    empty = services.plan_create(
        organisation=plan.organisation, user=owner, service="markets", title="Marché central"
    )
    viewer = User.objects.create_user("lecteur@example.org", PASSWORD, name="Fatou Lecteur")
    membership_add(organisation=plan.organisation, email=viewer.email, role="viewer")
    # The demo plan in review (its overview shows the validator's forms), the empty one validated
    # (its overview lists a version, whose page is checked too).
    owner_membership = Membership.objects.get(organisation=plan.organisation, user=owner)
    review.review_request(plan=plan, membership=owner_membership, message="Prêt à relire")
    version = review.review_validate(plan=empty, membership=owner_membership).version
    assert version is not None
    colleague = User.objects.get(email=COLLEAGUE["email"])
    # Unread notifications: the header shows their count on every page, the list marks them.
    for kind in (Notification.Kind.MENTION, Notification.Kind.VALIDATED):
        notify(
            recipients=[owner],
            actor=colleague,
            kind=kind,
            plan=plan,
            summary=f"Relisez {LONG_WORD}",
            url=f"/plans/{plan.pk}/",
        )
    return Site(
        base=live_server.url,
        plan=plan,
        empty=empty,
        version=version,
        owner=owner,
        colleague=colleague,
        viewer=viewer,
    )


def log_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("[name=username]", email)
    page.fill("[name=password]", password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    expect(page.locator(".account")).to_be_visible()


def log_out(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.locator(".account > summary").click()
    with page.expect_navigation():
        page.locator(".account form button").click()


def post_without_script(page: Page, url: str, submit: Callable[[], None], status: int) -> None:
    """Open `url` as a browser without JavaScript would use it (autosave.js blocked, so forms
    post normally), and check that `submit()` gets the page back with `status`."""
    page.route("**/autosave.js", lambda route: route.abort())
    page.goto(url)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        submit()
    assert posted.value.status == status, f"{url}: expected {status}, got {posted.value.status}"
    page.wait_for_load_state()
    page.unroute("**/autosave.js")


# Every page type the walk shows, in its order: a test that walks fewer fails, so a page that
# stops being reached (a renamed route, a redirect) is never silently left unchecked.
PAGE_TYPES = (
    "welcome",
    "log in",
    "sign up",
    "password reset",
    "password reset sent",
    "password reset link invalid",
    "invitation, new account",
    "invitation withdrawn (410)",
    "home",
    "change password",
    "profile",
    "notifications",
    "new municipality",
    "municipality (owner)",
    "new plan",
    "overview, demo plan",
    "overview, empty plan",
    *(f"step {step}, demo plan" for step in STEPS),
    *(f"step {step}, empty plan" for step in STEPS),
    "history",
    "advice, demo plan",
    "advice, empty plan",
    "activity of a plan",
    "activity of the municipality",
    "invite to a plan",
    "invitation, another account",
    "print view, demo plan",
    "print view, empty plan",
    "validated version",
    "versions of a plan",
    "comparison with now",
    "comparison of two snapshots",
    "comparison, versions not chosen (400)",
    "print view with comments",
    "follow-up, demo plan",
    "follow-up, empty plan",
    "maturity profile, demo plan",
    "maturity profile, empty plan",
    "maturity profiles of the municipality",
    "operators' survey, demo plan",
    "operators' survey, empty plan",
    "import submissions",
    "submissions into a new plan",
    "open comments",
    "resolved comments",
    "edit a comment",
    "import a plan",
    "indicator library",
    "indicator library, no result",
    "step 6, library in place",
    "not found",
    "step 2, conflict (409)",
    "step 6, invalid value (400)",
    "error page (400)",
    "step 1, read only (viewer)",
    "indicator library (viewer)",
    "not allowed (403)",
)


def walk(context: BrowserContext, site: Site, check: Check, *, language: str, theirs: str) -> None:
    """Visit every page type (PAGE_TYPES), in `language`, and `check(name, page)` each one once
    it is shown.

    `theirs` is what a colleague writes meanwhile, shown on the conflict page."""
    base, plan, empty = site.base, site.plan, site.empty
    page = context.new_page()

    def visit(name: str, path: str, status: int = 200) -> None:
        response = page.goto(base + path)
        assert response is not None
        assert response.status == status, f"{name} ({path}): HTTP {response.status}"
        assert response.request.redirected_from is None, f"{name} ({path}) was redirected"
        assert page.locator("html").get_attribute("lang") == language, f"{name}: not {language}"
        check(name, page)

    # The language switch itself, as a person uses it (French is the default).
    page.goto(base + "/")
    if language != "fr":
        with page.expect_navigation():
            page.locator(f".lang button[value={language}]").click()

    visit("welcome", "/")
    visit("log in", "/accounts/login/")
    visit("sign up", "/accounts/signup/")
    visit("password reset", "/accounts/password_reset/")
    visit("password reset sent", "/accounts/password_reset/done/")
    visit("password reset link invalid", "/accounts/reset/MQ/bad-token/")
    invited = invitation_create(
        organisation=plan.organisation, invited_by=site.owner, email="nouveau@example.org",
        role="editor", message="Bienvenue <b>!</b>", plan_id=plan.pk,
    )  # fmt: skip
    visit("invitation, new account", f"/invitations/{invited.token}/")
    withdrawn = invitation_create(
        organisation=plan.organisation, invited_by=site.owner, email="parti@example.org",
        role="viewer",
    )  # fmt: skip
    invitation_revoke(invitation=withdrawn.invitation)
    visit("invitation withdrawn (410)", f"/invitations/{withdrawn.token}/", status=410)

    log_in(page, base, site.owner.email, DEMO_PASSWORD)
    organisation = f"/organisations/{plan.organisation_id}"
    visit("home", "/")
    visit("change password", "/accounts/password_change/")
    visit("profile", "/accounts/profile/")
    visit("notifications", "/notifications/")
    visit("new municipality", "/organisations/new/")
    visit("municipality (owner)", f"{organisation}/")
    visit("new plan", f"{organisation}/plans/new/")
    visit("overview, demo plan", f"/plans/{plan.pk}/")
    visit("overview, empty plan", f"/plans/{empty.pk}/")
    for step in STEPS:
        visit(f"step {step}, demo plan", f"/plans/{plan.pk}/steps/{step}/")
    for step in STEPS:
        visit(f"step {step}, empty plan", f"/plans/{empty.pk}/steps/{step}/")
    visit("history", f"/plans/{plan.pk}/items/excluded_groups_text/history/")
    # The checklist with a piece of advice set aside (and the rest shown), then with none.
    piece = plan_advice(plan).shown[0]
    advice_set_aside(
        plan=plan, user=site.owner, rule=piece.rule, record_uid=piece.record, reason="Déjà fait"
    )
    visit("advice, demo plan", reverse("plan_advice", args=[plan.pk]))
    visit("advice, empty plan", reverse("plan_advice", args=[empty.pk]))
    visit("activity of a plan", f"/plans/{plan.pk}/activity/")
    visit("activity of the municipality", f"{organisation}/activity/")
    visit("invite to a plan", f"/plans/{plan.pk}/invite/")
    visit("invitation, another account", f"/invitations/{invited.token}/")
    visit("print view, demo plan", reverse("plan_print", args=[plan.pk]))
    visit("print view, empty plan", reverse("plan_print", args=[empty.pk]))
    visit("validated version", reverse("plan_version", args=[empty.pk, site.version.pk]))
    # A snapshot of the demo plan, then changes since: a text rewritten with a long word (it
    # must wrap), a record added.
    owner = Membership.objects.get(organisation=plan.organisation, user=site.owner)
    kept = review.snapshot_create(plan=plan, membership=owner, name=f"Avant {LONG_WORD[:150]}")
    before = Answer.objects.get(plan=plan, item_id="informal_place").value
    services.answer_save(plan=plan, user=site.colleague, item_id="informal_place",
                         raw=f"{before} Et {LONG_WORD}.", base_version=None)  # fmt: skip
    services.record_add(plan=plan, user=site.colleague, item_id="actors",
                        raw={"name": "Radio communautaire", "type": "citizens"})  # fmt: skip
    visit("versions of a plan", reverse("plan_versions", args=[plan.pk]))
    compare = reverse("plan_compare", args=[plan.pk])
    visit("comparison with now", f"{compare}?from={kept.pk}&to=now")
    again = review.snapshot_create(plan=plan, membership=owner, name="Après")
    visit("comparison of two snapshots", f"{compare}?from={kept.pk}&to={again.pk}")
    visit("comparison, versions not chosen (400)", f"{compare}?from=x", status=400)
    visit("print view with comments", reverse("plan_print", args=[plan.pk]) + "?comments=1")
    visit("follow-up, demo plan", reverse("plan_follow_up", args=[plan.pk]))
    visit("follow-up, empty plan", reverse("plan_follow_up", args=[empty.pk]))
    visit("maturity profile, demo plan", reverse("plan_profile", args=[plan.pk]))
    visit("maturity profile, empty plan", reverse("plan_profile", args=[empty.pk]))
    visit("maturity profiles of the municipality", f"{organisation}/profile/")
    visit("operators' survey, demo plan", reverse("plan_operators", args=[plan.pk]))
    visit("operators' survey, empty plan", reverse("plan_operators", args=[empty.pk]))
    visit("import submissions", reverse("submissions_import", args=[plan.pk]))
    visit("submissions into a new plan", f"{organisation}/submissions/import/")
    visit("open comments", reverse("plan_comments", args=[plan.pk]))
    visit("resolved comments", reverse("plan_comments", args=[plan.pk]) + "?resolved=1")
    own = Comment.objects.filter(thread__plan=plan, author=site.owner).first()
    assert own is not None, "the demo has comments by its owner"
    visit("edit a comment", reverse("comment_edit", args=[plan.pk, own.pk]))
    visit("import a plan", reverse("plan_import", args=[plan.organisation_id]))
    library = reverse("plan_library", args=[plan.pk])
    visit("indicator library", f"{library}?q=eau&all=on")
    visit("indicator library, no result", f"{library}?q=zzzz")
    # The same search shown in place by the step page's script.
    page.goto(f"{base}/plans/{plan.pk}/steps/6/")
    page.locator("a[data-picker]").click()
    page.locator("#library-panel .entry").first.wait_for()
    check("step 6, library in place", page)
    visit("not found", f"/plans/{plan.pk + 1000}/", status=404)

    # A stale save: the colleague changes the item after the page was opened.
    def save_stale() -> None:
        services.answer_save(
            plan=plan, user=site.colleague, item_id="competences", raw=theirs, base_version=None
        )
        page.locator("#item-competences [name=text]").fill("Ma version, écrite hors ligne")
        page.locator("#item-competences button.save").click()

    post_without_script(page, f"{base}/plans/{plan.pk}/steps/2/", save_stale, 409)
    check("step 2, conflict (409)", page)

    def save_bad_number() -> None:
        record = page.locator("#item-indicators .record").first
        record.locator("details > summary").first.click()
        record.locator("[name=baseline_value]").fill("beaucoup")
        record.locator("button.save").click()

    post_without_script(page, f"{base}/plans/{plan.pk}/steps/6/", save_bad_number, 400)
    check("step 6, invalid value (400)", page)

    def post_unknown_item() -> None:
        page.evaluate(
            """url => {
              const form = document.querySelector('.lang').cloneNode(true);
              form.action = url;
              document.body.append(form);
              form.submit();
            }""",
            f"/plans/{plan.pk}/items/no-such-item/",
        )

    post_without_script(page, f"{base}/plans/{plan.pk}/", post_unknown_item, 400)
    check("error page (400)", page)

    log_out(page, base)
    log_in(page, base, site.viewer.email, PASSWORD)
    visit("step 1, read only (viewer)", f"/plans/{plan.pk}/steps/1/")
    visit("indicator library (viewer)", reverse("plan_library", args=[plan.pk]))
    visit("not allowed (403)", f"{organisation}/plans/new/", status=403)
    page.close()


def open_all_details(page: Page) -> None:
    """Help texts, records and add forms are in <details>: check them open as well. The account
    menu stays closed: open, it floats over the stepper, whose colours axe could then not read."""
    page.evaluate(
        "document.querySelectorAll('details:not(.account)').forEach(d => { d.open = true; })"
    )


def axe_violations(page: Page, script: str) -> list[str]:
    # Evaluated through the DevTools protocol, not added as a <script>: the page keeps its real
    # Content-Security-Policy (no inline script), so axe sees what a person's browser shows.
    page.evaluate(script)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    found = []
    for violation in result["violations"]:
        targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
def test_axe_finds_no_violation_on_any_page(browser: Browser, site: Site, axe_script, language):
    problems: list[str] = []
    checked: list[str] = []

    def check(name: str, page: Page) -> None:
        open_all_details(page)
        problems.extend(f"[{language}] {name}: {v}" for v in axe_violations(page, axe_script))
        checked.append(name)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        walk(context, site, check, language=language, theirs="Version de Moussa")
    finally:
        context.close()
    assert checked == list(PAGE_TYPES)
    assert not problems, "axe-core found violations:\n" + "\n".join(problems)


# The outermost elements that reach past the right edge of the screen, to say what to fix; one
# inside a box that scrolls on its own (a wide table in `overflow-x: auto`) does not widen the page.
OUTERMOST_TOO_WIDE = """width => {
  const found = [];
  const scrolls = node => getComputedStyle(node).overflowX !== 'visible';
  for (const el of document.body.querySelectorAll('*')) {
    const past = node => node.getBoundingClientRect().right > width + 0.5;
    let contained = false;
    for (let node = el.parentElement; node && !contained; node = node.parentElement) {
      contained = scrolls(node) && node !== document.body;
    }
    if (past(el) && !past(el.parentElement) && !contained) {
      const classes = el.getAttribute('class');
      found.push(el.tagName.toLowerCase() + (classes ? '.' + classes.replace(/ +/g, '.') : ''));
    }
  }
  return [...new Set(found)].slice(0, 5).join(', ');
}"""


def test_no_page_scrolls_sideways_on_a_360_px_phone(browser: Browser, site: Site):
    plan, owner = site.plan, site.owner
    services.answer_save(
        plan=plan,
        user=owner,
        item_id="excluded_groups_text",
        raw=f"Les quartiers {LONG_WORD} ne sont pas desservis.",
        base_version=None,
    )
    services.record_add(plan=plan, user=owner, item_id="excluded_groups", raw={"name": LONG_WORD})
    # A pilot action's title is also a choice of the lists that refer to it (steps 4 to 6).
    services.record_add(
        plan=plan, user=owner, item_id="pilot_actions", raw={"title": LONG_WORD, "family": "data"}
    )
    too_wide: list[str] = []
    checked: list[str] = []

    def check(name: str, page: Page) -> None:
        for state in ("as loaded", "details open"):
            if state == "details open":
                open_all_details(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                culprits = page.evaluate(OUTERMOST_TOO_WIDE, PHONE["width"])
                too_wide.append(f"{name} ({state}): {width} px wide, because of {culprits}")
        checked.append(name)

    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.set_default_timeout(15_000)
    try:
        walk(context, site, check, language="fr", theirs=f"Version de Moussa : {LONG_WORD}")
    finally:
        context.close()
    assert checked == list(PAGE_TYPES)
    assert not too_wide, "Pages wider than the 360 px screen:\n" + "\n".join(too_wide)


# The focused element, whether it shows a focus ring, and the contrast of that ring's outer colour
# with the background behind it (WCAG 1.4.11 asks 3:1).
FOCUS_STATE = """selector => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const rgb = colour => (colour.match(/[\\d.]+/g) || []).map(Number);
  const luminance = colour => {
    const [r, g, b] = rgb(colour).slice(0, 3).map(c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let behind = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (rgb(colour)[3] !== 0 && colour !== 'transparent') { behind = colour; break; }
  }
  const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)/);
  const ring = outlined ? style.outlineColor : shadow ? shadow[0] : '';
  const [a, b] = [luminance(ring), luminance(behind)].sort((x, y) => y - x);
  return {
    at: selector !== null && el.matches(selector),
    what: el.outerHTML.slice(0, 120),
    ring: el.matches(':focus-visible') && (outlined || style.boxShadow !== 'none'),
    contrast: ring ? (a + 0.05) / (b + 0.05) : 0,
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth
      && box.bottom > 0 && box.top < innerHeight,
  };
}"""


class Keyboard:
    """Moves the focus with Tab / Shift+Tab only, checking at every stop that it can be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.stops = 0

    def check_focus(self, selector: str | None = None) -> bool:
        state = self.page.evaluate(FOCUS_STATE, selector)
        assert state["ring"], f"no visible focus ring on {state['what']}"
        assert state["contrast"] >= 3, f"focus ring at {state['contrast']:.2f}:1 on {state['what']}"
        assert state["onScreen"], f"focused element off screen: {state['what']}"
        self.stops += 1
        return bool(state["at"])

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            if self.check_focus(selector):
                return
        raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_a_step_can_be_completed_with_the_keyboard_alone(page: Page, plan, people):
    log_in(page, page.base, people["editor"].email, PASSWORD)  # type: ignore[attr-defined]
    page.goto(f"{page.base}/plans/{plan.pk}/steps/1/")  # type: ignore[attr-defined]
    keys = Keyboard(page)
    orientation = services.definition_of(plan).item("orientation")
    assert orientation is not None
    first, second = (option.code for option in orientation.options[:2])

    # The first Tab reaches the skip link, which must show itself.
    keys.tab_to("a.skip", limit=1)
    # Choose an orientation: Space checks the focused radio, an arrow key moves to the next one.
    keys.tab_to("#item-orientation input[name=choice]")
    page.keyboard.press("Space")
    expect(page.locator(f"#item-orientation input[value={first}]")).to_be_checked()
    page.keyboard.press("ArrowDown")
    keys.check_focus()
    expect(page.locator(f"#item-orientation input[value={second}]")).to_be_checked()
    keys.tab_to("#item-orientation [name=note]")
    page.keyboard.type("Les quartiers nord ne sont pas collectés.")
    keys.tab_to("#item-excluded_groups_text [name=text]")
    page.keyboard.type("Les quartiers périphériques non lotis.")
    keys.tab_to("#item-informal_operators_text [name=text]")
    page.keyboard.type("Les charretiers de pré-collecte.")
    # Back up to the list above, open its « Ajouter » disclosure and add a record.
    keys.tab_to("#record-new-excluded_groups > summary", backwards=True)
    for item_id in ("orientation", "excluded_groups_text", "informal_operators_text"):
        expect(page.locator(f"#item-{item_id} [data-status]")).to_have_text(SAVED)
    page.keyboard.press("Enter")
    expect(page.locator("#record-new-excluded_groups")).to_have_attribute("open", "")
    keys.tab_to("#record-new-excluded_groups [name=name]")
    page.keyboard.type("Quartier Zogbo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".message")).to_be_visible()

    assert keys.stops >= 15  # the focus was checked at every stop on the way
    answers = {a.item_id: a.value for a in Answer.objects.filter(plan=plan)}
    assert answers["orientation"] == {
        "choice": second,
        "note": "Les quartiers nord ne sont pas collectés.",
    }
    assert answers["excluded_groups_text"] == "Les quartiers périphériques non lotis."
    assert answers["informal_operators_text"] == "Les charretiers de pré-collecte."
    record = Record.objects.get(plan=plan, item_id="excluded_groups")
    assert record.data["name"] == "Quartier Zogbo"
