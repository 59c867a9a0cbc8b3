"""Typst, shared by the PDF and the charts' PNG images.

One compiler per process: creating one scans the system's fonts (tens of milliseconds), while a
compilation with a warm compiler takes a few. Typst's Python binding is not documented as safe
across threads, and the development server and threaded WSGI servers do call it from several,
so compilations take turns behind a lock; each is short.

Everything the person typed reaches Typst in `sys_inputs`, as a JSON string the template reads
with `json(bytes(sys.inputs.data))`: Typst shows a string as text, never as markup, so an answer
full of `#`, `$`, `*` or `]` is printed as written.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typst

if TYPE_CHECKING:  # the stubs name the PDF standards; the module itself does not
    from typst import PDFStandard

TEMPLATES = Path(__file__).resolve().parent / "typst"

# A sans-serif for tables and charts: the first one installed wins. Libertinus Serif is built
# into Typst, so a server with no font at all still prints every character.
FONTS = ("Noto Sans", "Liberation Sans", "Arial", "DejaVu Sans", "Libertinus Serif")

_lock = threading.Lock()
_compiler: typst.Compiler | None = None


class TypesettingError(RuntimeError):
    """Typst refused the document: a bug in a template, never the person's text."""


def _get_compiler() -> typst.Compiler:
    global _compiler  # one compiler per process, made on first use
    if _compiler is None:
        _compiler = typst.Compiler(root=str(TEMPLATES))
    return _compiler


def compile_typst(
    source: bytes,
    *,
    format: Literal["pdf", "png"],  # Typst's own name for it
    sys_inputs: dict[str, str],
    ppi: float | None = None,
    pdf_standards: list[PDFStandard] | None = None,
) -> bytes:
    """One compilation of Typst source (a template's bytes)."""
    with _lock:
        try:
            result = _get_compiler().compile(
                input=source,
                format=format,
                ppi=ppi,
                sys_inputs=sys_inputs,
                pdf_standards=pdf_standards or [],
            )
        except typst.TypstError as error:
            raise TypesettingError(str(error)) from error
    if isinstance(result, list):  # a PNG of several pages: the charts only ever have one
        return bytes(result[0])
    if result is None:  # only when writing to a file, which we never ask for
        raise TypesettingError("Typst returned nothing")
    return bytes(result)
