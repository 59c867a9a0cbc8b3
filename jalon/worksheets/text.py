"""The one rule for the text people send: what Jalon refuses to store.

Answers, records, titles, names and imported files all reach this check (through
`answers._text`, the forms' `PlainTextValidator` and the plan file reader). It refuses what is
not text but a control code or a hole in Unicode, because such characters break the documents
made from a plan (PDF, Word, SVG charts are XML and cannot hold them), PostgreSQL cannot store
NUL, and no person types them on purpose:

- NUL and the other C0 and C1 control characters, and DEL, except tab, line feed and carriage
  return (kept: they are how people lay out text);
- Unicode noncharacters (U+FDD0–U+FDEF, and the last two code points of every plane);
- lone surrogates (U+D800–U+DFFF), which a JSON file can carry but no encoding can write.

Everything else is text and is kept: emoji, flags, combining marks, right-to-left scripts,
line and paragraph separators (U+2028, U+2029). The documents print what no bundled font has
as a visible replacement (reports' own concern, at their boundary).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

_NONCHARACTERS = "".join(
    chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)
)
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff" + _NONCHARACTERS + "]"
)


def forbidden_character(text: str) -> str | None:
    """The first character of `text` that Jalon does not store, or None."""
    found = FORBIDDEN.search(text)
    return found.group() if found else None


def describe_character(char: str) -> str:
    """« U+001B (a control character) »: how a message names a refused character."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = _("half of a character pair, alone")
    elif unicodedata.category(char) == "Cc":
        kind = _("a control character")
    else:
        kind = _("not a character")
    return f"U+{code:04X} ({kind})"


def text_problem(text: str, what: object) -> str | None:
    """The message refusing `text` in the person's language, naming `what` (the field) and the
    character; None when the text may be stored."""
    char = forbidden_character(text)
    if char is None:
        return None
    return _(
        "%(what)s contains a character that cannot be stored: %(character)s. "
        "Remove it (it often comes with text copied from another program) and save again."
    ) % {"what": what, "character": describe_character(char)}


@deconstructible
class PlainTextValidator:
    """The same rule for a form field, whose label the message names; the error appears next to
    the field. Every text field of Jalon's forms carries one (a test walks them all)."""

    def __init__(self, what: object = None) -> None:
        self.what = what

    def __call__(self, value: object) -> None:
        if isinstance(value, str):
            message = text_problem(value, self.what or _("This field"))
            if message:
                raise ValidationError(message, code="forbidden_character")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and other.what == self.what

    def __hash__(self) -> int:
        return hash((PlainTextValidator, str(self.what)))
