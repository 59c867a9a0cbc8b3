"""Typst, shared by the PDF and the charts' PNG images.

Fonts travel with Jalon: Typst sees the fonts of `fonts/` and nothing else, neither the
server's fonts nor the ones built into Typst, so the same plan gives the same pages on every
server (see `fonts/README.md` for what each covers and why).

One compiler per process: creating one reads the fonts (tens of milliseconds), while a
compilation with a warm compiler takes a few. Typst's Python binding is not documented as safe
across threads, and the development server and threaded WSGI servers do call it from several,
so compilations take turns behind a lock; each is short.

Everything the person typed reaches Typst as JSON data in `sys.inputs.data`, which the
templates read with `json(bytes(sys.inputs.data))`: Typst shows a string as text, never as
markup, so an answer full of `#`, `$`, `*` or `]` is printed as written. On the way every string
is made printable (`printable`): a PDF/UA file may not show a character that no font has, so
such a character prints as « � » instead of failing the whole document.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typst
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # no stubs, no py.typed

from .characters import xml_text

if TYPE_CHECKING:  # the stubs name the PDF standards; the module itself does not
    from typst import PDFStandard

TEMPLATES = Path(__file__).resolve().parent / "typst"
FONT_FOLDER = Path(__file__).resolve().parent / "fonts"

# The bundled families, in the order Typst tries them for each character: Latin text (French,
# English, the letters and tones of West African languages), then Arabic script, then symbols
# (the check boxes of choices are in Symbols2), then emoji and flags, in black and white.
FONTS = ("Noto Sans", "Noto Naskh Arabic", "Noto Sans Symbols2", "Noto Sans Symbols", "Noto Emoji")

# What prints where a character has no glyph in any bundled font (Chinese, for one): it is in
# Noto Sans, and a reader sees that something was there.
REPLACEMENT = "\ufffd"

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters that shaping
# hides when the font lacks them (joiners, variation selectors, bidi marks, tags), so Typst
# needs no glyph for them. U+FEFF is among them but PDF forbids it: it becomes a word joiner.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_WORD_JOINER = "\u2060"
# Typst justifies the line before a line or paragraph separator, spreading its words across
# the column; a line feed is the plain line break a person meant.
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})

logger = logging.getLogger(__name__)
_lock = threading.Lock()


class TypesettingError(RuntimeError):
    """Typst refused the document: a bug in a template, never the person's text."""


def font_files() -> list[Path]:
    return sorted(FONT_FOLDER.glob("*.ttf"))


@functools.cache
def bundled_fonts() -> typst.Fonts:
    """The fonts Typst may use: the bundled ones only."""
    return typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=False,
        font_paths=[str(FONT_FOLDER)],
    )


@functools.cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(root=str(TEMPLATES), font_paths=bundled_fonts(), ignore_system_fonts=True)


def _ranges(code_points: set[int]) -> Iterator[tuple[int, int]]:
    start = previous = -2
    for point in sorted(code_points):
        if point != previous + 1:
            if start >= 0:
                yield start, previous
            start = point
        previous = point
    if start >= 0:
        yield start, previous


@functools.cache
def _unprintable() -> re.Pattern[str]:
    """A character no bundled font shows and shaping does not hide, read once per process from
    the fonts' character maps (about 8,000 characters, 0.1 s)."""
    shown: set[int] = {0x09, 0x0A, 0x0D}
    for path in font_files():
        with TTFont(path, lazy=True) as font:
            shown.update(font.getBestCmap())
    for first, last in _IGNORABLE:
        shown.update(range(first, last + 1))
    shown.discard(0xFEFF)
    body = "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in _ranges(shown))
    return re.compile(f"[^{body}]")


def _substitute(match: re.Match[str]) -> str:
    character = match.group()
    if character == "\ufeff":
        return _WORD_JOINER
    if unicodedata.category(character) == "Zs":
        return " "  # a space no font draws is still a space
    return REPLACEMENT


def printable(text: str) -> str:
    """The text as Typst can print it with the bundled fonts: characters that are not text
    dropped, characters that no font has replaced by « � », line and paragraph separators
    as line breaks."""
    return _unprintable().sub(_substitute, xml_text(text)).translate(_LINE_BREAKS)


def _printable_data(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable_data(item) for item in value]
    return value


def compile_typst(
    source: bytes,
    *,
    format: Literal["pdf", "png"],  # Typst's own name for it
    data: dict[str, Any],
    ppi: float | None = None,
    pdf_standards: list[PDFStandard] | None = None,
) -> bytes:
    """One compilation of Typst source (a template's bytes) over `data`, every string of which
    is made printable."""
    inputs = {"data": json.dumps(_printable_data(data), ensure_ascii=False)}
    with _lock:
        try:
            result, warnings = _compiler().compile_with_warnings(
                input=source,
                format=format,
                ppi=ppi,
                sys_inputs=inputs,
                pdf_standards=pdf_standards or [],
            )
        except typst.TypstError as error:
            raise TypesettingError(str(error)) from error
    for warning in warnings:  # an unknown font family, say: a template to fix, not a failure
        logger.warning("Typst: %s", warning.message)
    if isinstance(result, list):  # a PNG of several pages: the charts only ever have one
        return bytes(result[0])
    if result is None:  # only when writing to a file, which we never ask for
        raise TypesettingError("Typst returned nothing")
    return bytes(result)
