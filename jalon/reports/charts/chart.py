"""What every chart gives its readers, and the words and numbers they share."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import formats

from jalon.worksheets.display import format_number


@dataclass(frozen=True)
class Chart:
    """One chart, ready for the page, the PDF and the DOCX.

    `svg` is None when the plan holds too little to draw anything honest; `message` then says
    what is missing, in words a team can act on. `alt` is the text alternative (a sentence or
    two: what the chart shows), `table` its data, the header row first, so a reader who cannot
    see the drawing, or wants the exact figures, loses nothing. `item` is the worksheet item the
    chart illustrates: deliverables place the chart after that item's section.
    """

    id: str
    title: str
    svg: str | None
    message: str
    alt: str
    table: tuple[tuple[str, ...], ...]
    item: str = ""
    # A drawing too tall for a printed page (the roadmap of many lines) also comes in
    # page-sized parts, on the same axis: the PDF and the DOCX print them one after the other,
    # each legible, where `svg` whole would have to shrink to a third. The web page scrolls.
    parts: tuple[str, ...] = ()


def decimal(value: str | None) -> Decimal | None:
    """A stored decimal as a number; None when absent or not a finite number."""
    if not value:
        return None
    try:
        parsed = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return parsed if parsed.is_finite() else None


def number(value: Decimal | str | None) -> str:
    """A number as the reader writes it (« 68 000 », « 9,5 » in French)."""
    return format_number(str(value)) if value not in (None, "") else ""


def with_unit(value: Decimal | str | None, unit: str) -> str:
    text = number(value)
    return f"{text}\u00a0{unit}" if text and unit else text


def day(date: datetime.date | None) -> str:
    """« 5 mars 2027 » / "5 March 2027"."""
    return formats.date_format(date, "j F Y") if date else ""


def month(date: datetime.date | None, *, year: bool = True) -> str:
    """« juil. 2027 » / "July 2027", or the month alone."""
    if date is None:
        return ""
    return formats.date_format(date, "N Y" if year else "N")
