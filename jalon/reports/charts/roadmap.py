"""The roadmap of step 5.3 as a Gantt chart: one bar per pilot action from its start to its
end, coloured and labelled by status, its lead partner under its name, and today marked.

Status is written beside each bar, so colour is never the only way to read it. A line without
both dates, or ending before it starts, is shown as such rather than guessed.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils.translation import gettext as _

from jalon.reports.document import Document, RoadmapBar
from jalon.worksheets.display import joined

from . import svg
from .chart import Chart, day, month

WIDTH = 640.0
LEFT = 12.0
LABEL_WIDTH = 214.0
AREA_LEFT = LEFT + LABEL_WIDTH + 14
AREA_RIGHT = WIDTH - 14
AXIS = 40.0
BAR = 16.0
NAME_SIZE = 12.0
LEAD_SIZE = 11.0
STEPS = (1, 2, 3, 6, 12)  # months between two labelled ticks
MIN_LABEL_GAP = 40.0
# Lines per printed part of a long roadmap: ten rows of three-line names and the axis stay
# under the height a chart may take on an A4 page at full width.
PART_ROWS = 10

# Fill and outline per status code; unknown codes are drawn grey.
COLOURS = {
    "planned": (svg.ACCENT_SOFT, svg.ACCENT),
    "in_progress": (svg.ACCENT, svg.ACCENT),
    "done": (svg.OK, svg.OK),
    "suspended": ("#f3e3cc", svg.WARN),
    "cancelled": ("#f4d9da", svg.BAD),
}
DARK = {svg.ACCENT, svg.OK}  # fills that need white words


def _month_start(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def _next_month(date: datetime.date) -> datetime.date:
    return date.replace(year=date.year + date.month // 12, month=date.month % 12 + 1, day=1)


def _dated(bar: RoadmapBar) -> bool:
    return bar.start is not None and bar.end is not None and bar.start <= bar.end


def _range(
    bars: list[RoadmapBar], today: datetime.date
) -> tuple[datetime.date, datetime.date, bool]:
    """First and last day shown, whole months, and whether today is inside. Today widens the
    range only when it is near the plan (within its own length), or a plan read years later
    would shrink to a sliver."""
    first = min(b.start for b in bars if b.start)
    last = max(b.end for b in bars if b.end)
    span = last - first
    if first - span <= today <= last + span:
        first, last = min(first, today), max(last, today)
    return _month_start(first), _next_month(last), first <= today <= last


def _description(
    bars: tuple[RoadmapBar, ...], dated: list[RoadmapBar], today: datetime.date
) -> str:
    first = min(b.start for b in dated if b.start)
    last = max(b.end for b in dated if b.end)
    statuses = Counter(b.status or _("status not given") for b in bars)
    parts = [
        _("Roadmap: %(count)s actions from %(start)s to %(end)s.")
        % {"count": len(bars), "start": month(first), "end": month(last)},
        joined(
            _("%(status)s: %(count)s") % {"status": status, "count": n}
            for status, n in statuses.items()
        )
        + ".",
    ]
    running = [b.action for b in dated if b.start and b.end and b.start <= today <= b.end]
    if running:
        parts.append(
            _("Today (%(today)s): %(list)s under way.")
            % {"today": day(today), "list": ", ".join(running)}
        )
    else:
        parts.append(_("Today (%(today)s): no action under way.") % {"today": day(today)})
    undated = len(bars) - len(dated)
    if undated:
        parts.append(_("Actions without valid dates: %(count)s.") % {"count": undated})
    return " ".join(parts)


def _status(status: str, x0: float, x1: float, middle: float, fill: str) -> str:
    """The status in words beside its bar: right of it, else left, else inside, else cut."""
    needed = svg.text_width(status, 11)
    right, left = AREA_RIGHT - x1 - 6, x0 - AREA_LEFT - 6
    if needed <= right:
        return svg.text(x1 + 5, middle + 4, status, size=11)
    if needed <= left:
        return svg.text(x0 - 5, middle + 4, status, size=11, anchor="end")
    if needed <= x1 - x0 - 8:
        colour = "#fff" if fill in DARK else svg.INK
        return svg.text((x0 + x1) / 2, middle + 4, status, size=11, anchor="middle", fill=colour)
    if right >= left:
        return svg.text(x1 + 5, middle + 4, svg.shorten(status, max(right, 20), 11), size=11)
    return svg.text(x0 - 5, middle + 4, svg.shorten(status, left, 11), size=11, anchor="end")


Span = tuple[datetime.date, datetime.date, bool]  # first and last day shown, today inside


def _drawing(
    chart_id: str,
    title: str,
    description: str,
    bars: tuple[RoadmapBar, ...],
    today: datetime.date,
    span: Span,
) -> str:
    first, last, today_shown = span
    days = (last - first).days
    area = AREA_RIGHT - AREA_LEFT

    def x_of(date: datetime.date) -> float:
        return AREA_LEFT + area * (date - first).days / days

    body: list[str] = []
    # Month ticks; labels every `step` months, as many as fit, the year under January and
    # under the first label.
    months: list[datetime.date] = []
    cursor = first
    while cursor <= last:
        months.append(cursor)
        cursor = _next_month(cursor)
    step = next((s for s in STEPS if area * s / max(len(months) - 1, 1) >= MIN_LABEL_GAP), 12)
    rows_top = AXIS + 6
    labelled = [m for i, m in enumerate(months[:-1]) if (m.month - 1) % step == 0 or i == 0]
    previous_x = -1e9
    for i, m in enumerate(labelled):
        x = x_of(m)
        if x - previous_x < MIN_LABEL_GAP or x > AREA_RIGHT - 16:
            continue
        previous_x = x
        body.append(svg.text(x + 3, 16, month(m, year=False), size=11, fill=svg.MUTED))
        if m.month <= step or i == 0:
            body.append(svg.text(x + 3, 30, str(m.year), size=11, weight="bold"))
    # One row per line of the roadmap, on alternate stripes.
    stripes: list[str] = []
    y = rows_top
    for index, bar in enumerate(bars):
        name = svg.wrap(bar.action or "—", LABEL_WIDTH - 6, NAME_SIZE, 3)
        lead = svg.shorten(bar.lead, LABEL_WIDTH - 6, LEAD_SIZE) if bar.lead else ""
        height = max(38.0, 12 + 15 * len(name) + (14 if lead else 0))
        if index % 2 == 0:
            stripes.append(svg.rect(LEFT, y, WIDTH - 2 * LEFT, height, svg.STRIPE))
        body.append(svg.lines(LEFT + 4, y + 17, name, size=NAME_SIZE, weight="bold"))
        if lead:
            body.append(
                svg.text(LEFT + 4, y + 17 + 15 * len(name), lead, size=LEAD_SIZE, fill=svg.MUTED)
            )
        middle = y + height / 2
        if _dated(bar) and bar.start and bar.end:
            x0, x1 = x_of(bar.start), x_of(bar.end + datetime.timedelta(days=1))
            fill, stroke = COLOURS.get(bar.status_code, ("#e1e6eb", svg.MUTED))
            outline = f' rx="3" stroke="{stroke}" stroke-width="1.5"'
            body.append(svg.rect(x0, middle - BAR / 2, max(x1 - x0, 3), BAR, fill, outline))
            body.append(_status(bar.status or _("status not given"), x0, x1, middle, fill))
        else:
            problem = (
                _("End before start")
                if bar.start and bar.end
                else _("Start and end dates to be set")
            )
            body.append(
                svg.text(AREA_LEFT + 6, middle + 4, problem, size=11, fill=svg.MUTED, italic=True)
            )
        y += height
    grid = [
        svg.line(x_of(m), AXIS - 4, x_of(m), y, svg.LINE if m.month == 1 else svg.GRID)
        for m in months
    ]
    # Today, across every row, labelled under the rows.
    if today_shown:
        x = x_of(today)
        dashed = ' stroke-width="2" stroke-dasharray="5 3"'
        body.append(svg.line(x, AXIS - 4, x, y + 4, svg.BAD, dashed))
        label = _("Today, %(date)s") % {"date": day(today)}
        anchor = "end" if x > AREA_LEFT + area / 2 else "start"
        shift = -4 if anchor == "end" else 4
        body.append(
            svg.text(x + shift, y + 18, label, size=11, anchor=anchor, fill=svg.BAD, weight="bold")
        )
    # Stripes, then the month lines, then bars and words on top.
    drawing = "".join(stripes + grid + body)
    return svg.document(chart_id, WIDTH, y + 28, title, description, drawing)


def roadmap_chart(document: Document) -> Chart:
    title = _("Roadmap of the pilot actions")
    bars = document.roadmap
    table = (
        (_("Pilot action"), _("Start"), _("End"), _("Status"), _("Lead partner")),
        *((b.action, day(b.start), day(b.end), b.status, b.lead) for b in bars),
    )
    dated = [b for b in bars if _dated(b)]
    if not dated:
        message = (
            _(
                "No line of the roadmap has a start and an end date yet: place the pilot "
                "actions in time in step 5.3 to draw the roadmap."
            )
            if bars
            else _("The roadmap is empty: place the pilot actions in time in step 5.3.")
        )
        return Chart("roadmap", title, None, message, message, table, item="roadmap")
    today = document.meta.generated
    description = _description(bars, dated, today)
    span = _range(dated, today)
    parts = (
        tuple(
            _drawing(f"chart-roadmap-{n}", title, description, bars[i : i + PART_ROWS], today, span)
            for n, i in enumerate(range(0, len(bars), PART_ROWS), start=1)
        )
        if len(bars) > PART_ROWS
        else ()
    )
    return Chart(
        id="roadmap",
        title=title,
        svg=_drawing("chart-roadmap", title, description, bars, today, span),
        parts=parts,
        message="",
        alt=description,
        table=table,
        item="roadmap",
    )
