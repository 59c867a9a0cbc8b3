"""The plan's summary as one PNG image, to share on a phone the way municipal teams share
documents: in a messaging group, where a PDF is one more download and an image reads at once.

The same summary as the PDF's page after the cover (`to_pdf.summary_data`), laid out by
`typst/summary-image.typ` in one column 9 cm wide, drawn at 1,080 pixels across (a phone's
screen, so nothing needs zooming) and as tall as the summary needs. Typst draws in full colour;
the page is text on a few flat colours, so a 16-colour palette keeps it sharp at a quarter of
the bytes (about 240 KB instead of 970 KB for the demo): data costs money on the phones it is
for. Should a summary still weigh more than `MAX_BYTES`, it is drawn narrower.
"""

from __future__ import annotations

import io

from PIL import Image

from .document import Document
from .to_pdf import summary_image_data
from .typesetting import TEMPLATES, compile_typst

TEMPLATE = TEMPLATES / "summary-image.typ"
CONTENT_TYPE = "image/png"
PAGE_WIDTH = 9 / 2.54  # inches, as summary-image.typ sets it
# 1,080 pixels is the width of most phones' screens; narrower only to stay under MAX_BYTES.
WIDTH = 1080
MIN_WIDTH = 600
MAX_BYTES = 300_000
COLOURS = 16


def _palette(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    reduced = image.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, "PNG", optimize=True)
    return out.getvalue()


def build(document: Document) -> bytes:
    """The summary as PNG bytes, in the document's language."""
    data = summary_image_data(document)
    source = TEMPLATE.read_bytes()

    def draw(width: float) -> bytes:
        return _palette(compile_typst(source, format="png", data=data, ppi=width / PAGE_WIDTH))

    png = draw(WIDTH)
    width = float(WIDTH)
    while len(png) > MAX_BYTES and width > MIN_WIDTH:
        # The bytes follow the area, so the square of the width; aim 10 % under the limit.
        width = max(MIN_WIDTH, width * (0.9 * MAX_BYTES / len(png)) ** 0.5)
        png = draw(width)
    return png
