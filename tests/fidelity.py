"""Which items of the paper worksheet a text leaves out.

tests/data/worksheet-items.tsv is the AFD–Iddri worksheet « Gérer les services urbains » as
printed: its title, steps, section instructions, questions, options and bullets, 77 items once
the page-break repeats (« Étape 4/6 (suite) ») are left aside. Every deliverable (the step
pages, the print view, DOCX, PDF, XLSX, CSV) must carry all of them; `missing_items(text)` says
which ones a text does not.

What « the text holds an item » means here: the item's words appear in the text in the same
order, one after the other. A word is a run of letters and digits, compared without case after
Unicode compatibility folding, so that the following never matter:

- markup: HTML tags are word boundaries; entities (« &amp; », « &#8217; ») are read as the
  characters they stand for; scripts, styles and comments are not text;
- spacing: line breaks, French non-breaking and thin spaces before « ? » and « : »,
  typographic spaces of any kind;
- punctuation: apostrophes and quotes of any shape, dashes, a doubled « ?? » in the paper form,
  « … » or « ... », the middle dot of « Citoyen·nes ».

Two items of the paper form are not meant to be printed word for word, and are read as the
application shows them:

- a step (« Étape 1/6 – Expliciter … ») is found by its title, the words after the dash; the
  application numbers steps its own way (« Étape 1 — », « Step 1 — »);
- the title is found by the worksheet's name, the words between « and ».

The paper form has a slip that the application corrects (ERRATA); the corrected words are looked
for. An item that enumerates (« Interfaces de communication (…) : portails web, réseaux sociaux,
… ») may be shown as a heading with one checkbox per element, each element once: it is found when
its heading is, and every element after it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ITEMS_FILE = Path(__file__).resolve().parent / "data" / "worksheet-items.tsv"
PAGE_BREAK = "step-continued"  # « Étape 4/6 (suite) »: the paper form's next page, no new text

# Slips of the paper form, as the worksheet definition corrects them: (printed, corrected).
ERRATA = (("présence les réseaux sociaux", "présence sur les réseaux sociaux"),)

NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"</?[A-Za-z][^<>]*>")
WORD = re.compile(r"\w+")
# Splits an enumeration: its heading ends with « : » or « ? », its elements follow, comma-separated.
ENUMERATION = re.compile(r"^(?P<heading>.+?)\s*[:?]\s+(?P<elements>[^:?]*,[^:?]*)$")


@dataclass(frozen=True)
class Item:
    where: str  # « 2.1 »: the step and section of the paper form
    kind: str  # title, step, section-options, section-questions, option, question, bullet
    text: str  # as printed

    @property
    def shown(self) -> str:
        """The part of the item a deliverable must show."""
        if self.kind == "step":
            return re.split(r"\s[–-]\s", self.text, maxsplit=1)[1]
        if self.kind == "title":
            quoted = re.search(r"«(.+?)»", self.text)
            assert quoted, f"the worksheet's title names it between « and »: {self.text}"
            return quoted.group(1)
        text = self.text
        for printed, corrected in ERRATA:
            text = text.replace(printed, corrected)
        return text


def words(text: str) -> list[str]:
    """The words of a text or a page, without markup, case, spacing or punctuation."""
    text = NOT_TEXT.sub(" ", text)
    text = TAG.sub(" ", text)
    text = html.unescape(text)
    # U+02BC, the apostrophe as a letter, would glue « lʼopérateur » into one word.
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u02bc", "'")
    return WORD.findall(text)


def _joined(tokens: list[str]) -> str:
    # Spaces around every word, so that a substring test matches whole words only.
    return f" {' '.join(tokens)} "


@cache
def load_items(path: Path = ITEMS_FILE) -> tuple[Item, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    assert header.split("\t") == ["where", "kind", "text"], header
    items = []
    for row in rows:
        where, kind, text = row.split("\t")
        if kind != PAGE_BREAK:
            items.append(Item(where, kind, text))
    return tuple(items)


def _enumeration(text: str) -> tuple[str, list[str]] | None:
    """(heading, elements) of an enumerating item, or None. Commas inside brackets do not cut."""
    match = ENUMERATION.match(text)
    if match is None:
        return None
    elements, depth, current = [], 0, ""
    for char in match.group("elements"):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            elements.append(current)
            current = ""
        else:
            current += char
    elements.append(current)
    return match.group("heading"), [e for e in elements if words(e)]


def _holds(haystack: str, text: str, start: int = 0) -> int:
    """Where `text`'s words begin in the joined `haystack` at or after `start`, or -1."""
    return haystack.find(_joined(words(text)), start)


def holds(haystack: str, item: Item) -> bool:
    """Whether the joined words `haystack` hold `item` (see the module's docstring)."""
    if _holds(haystack, item.shown) >= 0:
        return True
    enumeration = _enumeration(item.shown)
    if enumeration is None:
        return False
    heading, elements = enumeration
    at = _holds(haystack, heading)
    return at >= 0 and all(_holds(haystack, element, at) >= 0 for element in elements)


def missing_items(text: str) -> list[Item]:
    """The worksheet's items that `text` (a page, the text of a DOCX, PDF, XLSX…) leaves out."""
    haystack = _joined(words(text))
    return [item for item in load_items() if not holds(haystack, item)]


def missing_texts(text: str) -> list[str]:
    """The same, as the items' printed texts: what an assertion shows when it fails."""
    return [item.text for item in missing_items(text)]
