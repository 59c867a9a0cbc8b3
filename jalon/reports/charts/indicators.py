"""The indicator card of step 6.1: for each indicator, the way from its baseline to its target.

Indicators have different units (a rate, a number of days, francs a month), so each row has its
own scale, from zero (or the lowest value when one is negative) to a little past the higher of
the two values: the arrow's direction and length say « up by half » or « down by two thirds »,
and the values are written at both ends, so no scale is needed to read them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from jalon.reports.document import Document, Indicator

from . import svg
from .chart import Chart, decimal, month, with_unit

WIDTH = 640.0
LEFT = 12.0
LABEL_WIDTH = 214.0
AREA_LEFT = LEFT + LABEL_WIDTH + 28
AREA_RIGHT = WIDTH - 28
NAME_SIZE = 12.0
ROW = 62.0
BASELINE_RING = f' stroke="{svg.MUTED}" stroke-width="2.5"'  # a hollow point: where it starts


def _values(indicator: Indicator) -> tuple[Decimal | None, Decimal | None]:
    return decimal(indicator.baseline), decimal(indicator.target)


def _end(value: Decimal | None, unit: str, date: datetime.date | None) -> str:
    text = with_unit(value, unit)
    when = month(date)
    return f"{text} ({when})" if text and when else text or "—"


def _description(indicators: tuple[Indicator, ...]) -> str:
    parts = [_("Indicators, from baseline to target: %(count)s.") % {"count": len(indicators)}]
    for indicator in indicators:
        baseline, target = _values(indicator)
        if baseline is None or target is None:
            parts.append(
                _("%(name)s: baseline or target missing.") % {"name": indicator.name or "—"}
            )
            continue
        parts.append(
            _("%(name)s: from %(baseline)s to %(target)s.")
            % {
                "name": indicator.name or "—",
                "baseline": _end(baseline, indicator.unit, indicator.baseline_date),
                "target": _end(target, indicator.unit, indicator.target_date),
            }
        )
    return " ".join(parts)


def _label(x: float, y: float, content: str, *, colour: str, bold: bool) -> str:
    """A value and its date, centred on its point but kept inside the drawing."""
    half = svg.text_width(content, 11.5) / 2
    x = min(max(x, AREA_LEFT - 20 + half), WIDTH - 6 - half)
    return svg.text(
        x,
        y,
        content,
        size=11.5,
        anchor="middle",
        fill=colour,
        weight="bold" if bold else "normal",
    )


def _row(y: float, indicator: Indicator) -> tuple[str, float]:
    """One indicator: its name on the left; on the right its track, the target written above
    its point and the baseline below its own, so the two never collide."""
    body: list[str] = []
    name = svg.wrap(indicator.name or "—", LABEL_WIDTH - 6, NAME_SIZE, 3)
    body.append(svg.lines(LEFT + 4, y + 18, name, size=NAME_SIZE, weight="bold"))
    height = max(ROW, 14 + 15 * len(name))
    middle = y + 31
    baseline, target = _values(indicator)
    if baseline is None or target is None:
        missing = (
            _("Baseline and target to be set")
            if baseline is None and target is None
            else _("Baseline to be set")
            if baseline is None
            else _("Target to be set")
        )
        body.append(svg.text(AREA_LEFT, middle + 4, missing, size=11, fill=svg.MUTED, italic=True))
        return "".join(body), height
    low = min(Decimal(0), baseline, target)
    high = max(Decimal(0), baseline, target)
    span = (high - low) or Decimal(1)
    area = AREA_RIGHT - AREA_LEFT

    def x_of(value: Decimal) -> float:
        return AREA_LEFT + area * float((value - low) / span)

    zero = x_of(Decimal(0))
    track = ' stroke-width="4" stroke-linecap="round"'
    body.append(svg.line(AREA_LEFT, middle, AREA_RIGHT, middle, svg.GRID, track))
    body.append(svg.line(zero, middle - 6, zero, middle + 6, svg.MUTED))
    if zero - AREA_LEFT < 1:  # the scale starts at zero: say so beside the track
        body.append(svg.text(zero - 6, middle + 4, "0", size=10.5, anchor="end", fill=svg.MUTED))
    xb, xt = x_of(baseline), x_of(target)
    if abs(xt - xb) > 14:
        direction = 1 if target > baseline else -1
        tip = xt - direction * 8
        body.append(
            svg.line(xb, middle, tip - direction * 6, middle, svg.ACCENT, ' stroke-width="3"')
            + f'<polygon points="{svg.num(tip)},{svg.num(middle)}'
            f" {svg.num(tip - direction * 9)},{svg.num(middle - 6)}"
            f' {svg.num(tip - direction * 9)},{svg.num(middle + 6)}" fill="{svg.ACCENT}"/>'
        )
    body.append(svg.circle(xb, middle, 6, "#fff", BASELINE_RING))
    body.append(svg.circle(xt, middle, 6, svg.ACCENT))
    body.append(
        _label(
            xt,
            middle - 12,
            _end(target, indicator.unit, indicator.target_date),
            colour=svg.ACCENT,
            bold=True,
        )
    )
    body.append(
        _label(
            xb,
            middle + 23,
            _end(baseline, indicator.unit, indicator.baseline_date),
            colour=svg.MUTED,
            bold=False,
        )
    )
    return "".join(body), max(height, middle + 32 - y)


def _drawing(chart_id: str, title: str, description: str, indicators: tuple[Indicator, ...]) -> str:
    body: list[str] = []
    # A key: which end is the baseline and which the target.
    body.append(svg.circle(AREA_LEFT + 6, 14, 6, "#fff", BASELINE_RING))
    body.append(svg.text(AREA_LEFT + 18, 18, _("Baseline"), size=11.5, fill=svg.MUTED))
    key_x = AREA_LEFT + 34 + svg.text_width(_("Baseline"), 11.5)
    body.append(svg.circle(key_x, 14, 6, svg.ACCENT))
    body.append(svg.text(key_x + 12, 18, _("Target"), size=11.5, fill=svg.ACCENT))
    y = 30.0
    for index, indicator in enumerate(indicators):
        row, height = _row(y, indicator)
        if index % 2 == 0:
            body.append(svg.rect(LEFT, y, WIDTH - 2 * LEFT, height, svg.STRIPE))
        body.append(row)
        y += height
    return svg.document(chart_id, WIDTH, y + 8, title, description, "".join(body))


def indicators_chart(document: Document) -> Chart:
    title = _("Indicators: from baseline to target")
    indicators = document.indicators
    table = (
        (_("Indicator"), _("Baseline"), _("Target")),
        *(
            (
                i.name,
                _end(decimal(i.baseline), i.unit, i.baseline_date)
                if decimal(i.baseline) is not None
                else "—",
                _end(decimal(i.target), i.unit, i.target_date)
                if decimal(i.target) is not None
                else "—",
            )
            for i in indicators
        ),
    )
    complete = [i for i in indicators if None not in _values(i)]
    if not complete:
        message = (
            _(
                "No indicator has both a baseline and a target value yet: give them in "
                "step 6.1 to draw the indicator card."
            )
            if indicators
            else _("No indicator yet: choose at least one in step 6.1.")
        )
        return Chart("indicators", title, None, message, message, table, item="indicators")
    description = _description(indicators)
    return Chart(
        id="indicators",
        title=title,
        svg=_drawing("chart-indicators", title, description, indicators),
        message="",
        alt=description,
        table=table,
        item="indicators",
    )
