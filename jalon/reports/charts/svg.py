"""A few helpers to write SVG by hand: escaping, numbers, text that fits a width.

The charts are drawn on the server as plain SVG strings, so that the page, the PDF (Typst reads
SVG) and the DOCX (a PNG rendered from the same SVG) show one drawing. Three readers impose three
rules on the markup:

- styles are presentation attributes (`fill="…"`), never `style="…"` nor a `<style>` element:
  the Content-Security-Policy refuses inline styles in the page, and Typst's SVG reader and Word
  know presentation attributes best;
- no measurement of text is possible on the server, so widths are estimated from the number of
  characters (`text_width`), generously, and long labels are wrapped or shortened with « … »;
- every user text goes through `escape` (element content) or `attr` (attribute values), which
  also drop the characters XML cannot carry (a NUL or an ESC stored before the input rule made
  the whole drawing unreadable: « failed to parse SVG »), and print a line or paragraph
  separator as the space it is in a one-line label.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from jalon.reports.characters import xml_text

# The page's font stack; Typst and the PNG renderer use the document's font instead, since
# generic names fall back to it.
FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial,"
    " sans-serif"
)

# The page's palette (jalon.css), each darker than 3:1 against white for graphics (WCAG 1.4.11).
ACCENT = "#0b5f8a"
ACCENT_SOFT = "#cfe3ef"
INK = "#1b1f23"
MUTED = "#56606b"
LINE = "#c9d1d9"
GRID = "#e1e6eb"
STRIPE = "#f6f8fa"  # every other row
OK = "#1d6b35"
WARN = "#8a4b00"
BAD = "#a4161a"

# Average advance of a character in a sans-serif face, as a share of the font size; a little
# above Arial's and DejaVu Sans' averages, so that an estimate rarely falls short.
CHAR_WIDTH = 0.58


_ONE_LINE = str.maketrans({"\u2028": " ", "\u2029": " ", "\n": " ", "\r": " ", "\t": " "})


def escape(text: str) -> str:
    """Element content: one line of text, as data."""
    return _escape(xml_text(text).translate(_ONE_LINE))


def attr(text: str) -> str:
    """An attribute value, quoted and escaped."""
    return quoteattr(xml_text(text))


def num(value: float) -> str:
    """A coordinate: one decimal at most, no trailing zeros, so the markup stays short."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def shorten(text: str, width: float, size: float) -> str:
    """The text, cut with « … » to fit `width`."""
    fits = max(1, int(width / (size * CHAR_WIDTH) + 0.01))
    return text if len(text) <= fits else text[: max(1, fits - 1)].rstrip() + "…"


def wrap(text: str, width: float, size: float, lines: int) -> list[str]:
    """The text in at most `lines` lines of `width`, word by word; the last line is shortened
    with « … » when the text does not fit."""
    fits = max(1, int(width / (size * CHAR_WIDTH) + 0.01))
    out: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= fits:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        if len(out) == lines - 1:
            rest = " ".join([current, *words[index + 1 :]])
            return [*out, shorten(rest, width, size)]
    if current:
        out.append(current)
    return [shorten(line, width, size) for line in out] or [""]


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 13,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
    italic: bool = False,
    extra: str = "",
) -> str:
    """One line of text; `extra` adds raw attributes written by the chart code itself."""
    style = ' font-style="italic"' if italic else ""
    bold = f' font-weight="{weight}"' if weight != "normal" else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{anchor}"'
        f' fill="{fill}"{bold}{style}{extra}>{escape(content)}</text>'
    )


def lines(
    x: float,
    y: float,
    rows: Iterable[str],
    *,
    size: float = 13,
    leading: float = 1.25,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    """Several lines of text, the first baseline at `y`."""
    return "".join(
        text(x, y + i * size * leading, row, size=size, anchor=anchor, fill=fill, weight=weight)
        for i, row in enumerate(rows)
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"'
        f' stroke="{stroke}"{extra}/>'
    )


def rect(x: float, y: float, width: float, height: float, fill: str, extra: str = "") -> str:
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}"'
        f' fill="{fill}"{extra}/>'
    )


def circle(x: float, y: float, radius: float, fill: str, extra: str = "") -> str:
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(radius)}" fill="{fill}"{extra}/>'


# The width most charts are drawn at. A chart drawn narrower (the operators' survey's bars, to
# stay legible on a phone) prints narrower too, at the same scale: its text the same size as the
# other charts', not blown up to the column's width.
USUAL_WIDTH = 640.0


def relative_width(drawing: str | None) -> float:
    """A drawing's width against the usual chart width, from its viewBox (1 at most)."""
    found = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ', drawing or "")
    return min(1.0, float(found.group(1)) / USUAL_WIDTH) if found else 1.0


def document(
    chart_id: str, width: float, height: float, title: str, description: str, body: str
) -> str:
    """The SVG element: its own title and description for screen readers, a white background
    (a PNG in a Word file, or a dark-mode viewer, would otherwise show through)."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}"'
        f' width="{num(width)}" height="{num(height)}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-family={attr(FONT)}>'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
        f'<rect width="{num(width)}" height="{num(height)}" fill="#fff"/>'
        f"{body}</svg>"
    )


def polar(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    """The point at `radius` on the index-th of `count` axes, the first pointing up, clockwise."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)
