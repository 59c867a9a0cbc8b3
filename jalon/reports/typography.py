"""French typography for texts the team typed, in the PDF and the print view.

French puts a space before « ; : ! ? » and inside « guillemets », and a line must never break
there. People type an ordinary space (or none): where they typed one, it becomes the right
non-breaking space, thin before ; ! ? and full before : and inside « ». Where they typed none,
nothing is added, so « 14:02 », « https://… » and « ?page=2 » are left alone. Likewise a
number keeps its groups of digits and its « % » together: « 1 500 », « 60 % ».
"""

from __future__ import annotations

import re

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

_BEFORE_THIN = re.compile(r"(?<=\S)[ \u00a0]([;!?])")
_BEFORE_WIDE = re.compile(r"(?<=\S)[ \u202f](:(?=\s|$)|»)")
_AFTER_OPENING = re.compile(r"«[ \u202f]")
_IN_NUMBER = re.compile(r"(?<=\d) (?=\d{3}(?!\d)|%)")


def french(text: str) -> str:
    text = _BEFORE_THIN.sub(lambda m: NARROW_NBSP + m.group(1), text)
    text = _BEFORE_WIDE.sub(lambda m: NBSP + m.group(1), text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    return _IN_NUMBER.sub(NARROW_NBSP, text)


def for_language(text: str, language: str) -> str:
    return french(text) if language == "fr" else text
