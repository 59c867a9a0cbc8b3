"""The plan's charts, drawn on the server as SVG: the same drawing on the plan page, in the print
view, in the PDF and (as a PNG) in the DOCX.

    all_charts(document)     the four charts, in worksheet order
    trajectory_charts(document)  the follow-up: one trajectory per indicator
    png(svg, width=1000)     one chart as a PNG image, for Word
    for_typst(svg)           the chart as Typst draws it, in the PDF and the PNG

Each chart has a title, a text alternative and its data as a table; when the plan holds too
little to draw something honest, `svg` is None and `message` says what to fill in.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.utils import translation

from jalon.reports.document import Document
from jalon.reports.typesetting import FONTS, compile_typst

from .chart import Chart
from .indicators import indicators_chart
from .maturity import maturity_chart
from .operators import operators_charts
from .partners import partners_chart
from .roadmap import roadmap_chart
from .trajectory import trajectory_charts

__all__ = ["Chart", "all_charts", "for_typst", "png", "trajectory_charts"]


def all_charts(document: Document, *, operators: bool = True) -> tuple[Chart, ...]:
    """Maturity profile (step 2) and the operators' survey when the plan keeps one, partner
    map (3), roadmap (5), indicator card (6), in the document's language. `operators=False`:
    without the survey's charts (the plan page links to their own page instead)."""
    with translation.override(document.meta.language):
        return (
            maturity_chart(document),
            *(operators_charts(document) if operators else ()),
            partners_chart(document),
            roadmap_chart(document),
            indicators_chart(document),
        )


# The SVG is read from sys.inputs, like every text that reaches Typst; the page is exactly the
# drawing's size, in points, so `ppi` alone sets the image's width in pixels. The SVG's own
# font list names faces a browser has; here its text falls back to the bundled fonts.
_PNG_SOURCE = b"""
#let data = json(bytes(sys.inputs.data))
#set page(width: data.width * 1pt, height: data.height * 1pt, margin: 0pt, fill: white)
#set text(font: data.fonts)
#image(bytes(data.svg), format: "svg", width: 100%, height: 100%)
"""

_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')

# Typst's SVG reader cannot draw an emoji sequence (it shows empty boxes), though Typst's own
# text, in the tables beside the chart, prints them all. In a chart, a flag prints as its two
# letters (🇸🇳 → SN), and what only picks a variant of an emoji (variation selectors, skin
# tones, keycap, tags, joiners) is left out, so that each emoji prints by itself.
_FLAG_LETTERS = {0x1F1E6 + i: ord("A") + i for i in range(26)}
_EMOJI_VARIANT = re.compile("[\ufe00-\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def for_typst(svg: str) -> str:
    """The chart's SVG as Typst can draw it: composed characters (« e » and a combining accent
    become « é »), emoji sequences simplified (see above)."""
    return _EMOJI_VARIANT.sub("", unicodedata.normalize("NFC", svg)).translate(_FLAG_LETTERS)


def png(svg: str, *, width: int = 1000) -> bytes:
    """The chart as a PNG `width` pixels wide, on white, for documents that cannot hold SVG.

    1,000 pixels across a 16 cm column is 160 dpi: sharp on paper. Rendering one takes tens of
    milliseconds, so the last few are kept: exporting the same plan again costs nothing."""
    return _png(svg, width)


@functools.lru_cache(maxsize=32)
def _png(svg: str, width: int) -> bytes:
    found = _VIEWBOX.search(svg)
    if found is None:
        raise ValueError("not a chart: the SVG has no viewBox")
    points_wide, points_high = found.groups()
    ppi = width * 72 / float(points_wide)
    return compile_typst(
        _PNG_SOURCE,
        format="png",
        ppi=ppi,
        data={
            "svg": for_typst(svg),
            "width": float(points_wide),
            "height": float(points_high),
            "fonts": FONTS,
        },
    )
