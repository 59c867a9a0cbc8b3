"""Layout on the narrowest phones (issue 8): at 320 and 360 px, in French and in English, on every
page type of the accessibility walk (test_accessibility.PAGE_TYPES, the demo plan filled so the
charts and tables are full):

- the page does not scroll sideways, and no element reaches past either edge of the screen, even
  inside a box that scrolls on its own (a chart cut at the edge is as unreadable as a wide page);
- no word that fits on a line is cut across two lines, in a table cell or anywhere else
  (« Nivea|u », « Embry|onnair|e » in the maturity table, « 11/1|1 » in the step bar at 320 px,
  as before this test).

Both are checked as loaded and with every <details> open (help, records, chart data).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from jalon.plans import services

from .test_accessibility import (  # one list of page types and one walk for every browser gate
    LONG_WORD,
    PAGE_TYPES,
    Site,
    open_all_details,
    site,  # noqa: F401 (the fixture, used by name)
    walk,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Elements that reach past the left or right edge of the screen, the outermost of each branch
# only, to say what to fix. Wholly off to the left is the skip link's way of hiding, not a fault.
OUTSIDE_THE_SCREEN = """() => {
  const width = innerWidth;
  const name = el => {
    const classes = (el.getAttribute('class') || '').trim();
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
  };
  const outside = el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > 0
      && (box.right > width + 0.5 || box.left < -0.5);
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (outside(el) && !outside(el.parentElement)) {
      const box = el.getBoundingClientRect();
      found.push(`${name(el)} from ${Math.round(box.left)} to ${Math.round(box.right)} px`);
    }
  }
  return found;
}"""

# Words drawn across more than one line, anywhere on the page: each word's Range
# has one box per line it is drawn on. A string with no space too wide for the text column less
# a cell's padding (a link, a pasted reference) has to break somewhere, so is left out.
WORDS_CUT = """() => {
  const column = innerWidth - 64;
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const boxes = (node, start, end) => {
    range.setStart(node, start);
    range.setEnd(node, end);
    return [...range.getClientRects()].filter(box => box.width > 0);
  };
  const found = [];
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    for (const token of node.data.matchAll(/\\S+/g)) {
      const wide = boxes(node, token.index, token.index + token[0].length)
        .reduce((sum, box) => sum + box.width, 0);
      if (wide > column) continue;
      for (const word of token[0].matchAll(/[\\p{L}\\p{N}]+/gu)) {
        const start = token.index + word.index;
        const tops = boxes(node, start, start + word[0].length).map(box => box.top);
        if (Math.max(...tops) - Math.min(...tops) > 4) {
          const where = node.parentElement;
          found.push(`« ${word[0]} » in <${where.tagName.toLowerCase()}> `
            + `« ${where.textContent.trim().slice(0, 40)} »`);
        }
      }
    }
  }
  return [...new Set(found)];
}"""


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_page_is_wider_than_a_small_phone_nor_cuts_words(
    browser: Browser,
    site: Site,  # noqa: F811 (the fixture imported above)
    language: str,
    width: int,
):
    # A pasted reference with no break opportunity must wrap too, in a table cell as anywhere.
    services.record_add(
        plan=site.plan, user=site.owner, item_id="excluded_groups", raw={"name": LONG_WORD}
    )
    problems: list[str] = []
    checked: list[str] = []

    def check(name: str, page: Page) -> None:
        for state in ("as loaded", "details open"):
            if state == "details open":
                open_all_details(page)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(f"{name} ({state}): the page is {scroll_width} px wide")
            problems.extend(
                f"{name} ({state}): {what} reaches past the screen"
                for what in page.evaluate(OUTSIDE_THE_SCREEN)[:5]
            )
            problems.extend(
                f"{name} ({state}): {what} is cut mid-word" for what in page.evaluate(WORDS_CUT)[:5]
            )
        checked.append(name)

    viewport: ViewportSize = {"width": width, "height": 800}
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    context.set_default_timeout(15_000)
    try:
        walk(context, site, check, language=language, theirs=f"Version de Moussa : {LONG_WORD}")
    finally:
        context.close()
    assert checked == list(PAGE_TYPES)
    assert not problems, f"At {width} px ({language}):\n" + "\n".join(problems)
