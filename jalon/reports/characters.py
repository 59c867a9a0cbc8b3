"""Characters that are not text, and what every deliverable does with them.

A plan may hold characters that no format can carry: a control character pasted from a terminal
(ESC, BEL, the C1 range), a NUL, a non-character (U+FFFF, U+10FFFF), a lone surrogate from a
JSON file. A rule at the door now refuses them, but texts stored before it still export: each
builder passes its text through `xml_text` at its own boundary (the XML of DOCX, XLSX and SVG,
the CSV cells, the Typst data), and they are dropped there. They are invisible by nature, so
nothing is lost to the reader. Everything else is text and is kept: line and paragraph
separators, combining marks, right-to-left text, emoji and flags.
"""

from __future__ import annotations

from jalon.worksheets.text import FORBIDDEN

# The same characters the text rule refuses at the door (jalon/worksheets/text.py): C0 controls
# but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates; noncharacters.
# XML 1.0 refuses the C0 ones, surrogates and U+FFFE/U+FFFF outright, and discourages the others.
NOT_TEXT = FORBIDDEN


def xml_text(text: str) -> str:
    """The text without the characters that are not text (see above): what XML, a CSV cell and
    Typst can all carry."""
    return NOT_TEXT.sub("", text)
