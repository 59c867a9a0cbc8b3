"""An indicator's trajectory: its baseline, its measurements and its target on a time axis, with
the straight line from baseline to target dashed (what « on track » is measured against).

One chart per indicator, since indicators have their own units. A measurement's data quality
is its marker's shape (verified: a filled square; reported: a filled diamond; estimated: a
hollow triangle; not given: a cross), written in the key and in the data table, so colour is
never the only way to read it.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from jalon.reports.document import Document
from jalon.worksheets import followup
from jalon.worksheets.display import joined
from jalon.worksheets.followup import Trajectory

from . import svg
from .chart import Chart, day, month, number, with_unit

# Narrower than the other charts: one sits beside each indicator, and on a phone a narrower
# drawing keeps its words larger.
WIDTH = 480.0
LEFT = 62.0  # room for the value axis' labels
RIGHT = WIDTH - 24
TOP = 68.0
BOTTOM = 206.0
HEIGHT = 242.0
SIZE = 12.5  # larger than the other charts': a phone shows this one at two thirds of its size

QUALITY_SHAPES = ("verified", "reported", "estimated", "")
EXPECTED = ' stroke-width="2" stroke-dasharray="6 4"'


def _free_spot(
    content: str,
    spots: list[tuple[float, float, str]],
    taken: list[tuple[float, float, float, float]],
) -> tuple[float, float, str] | None:
    """The first of `spots` (x, baseline, anchor) where `content` fits inside the plot without
    touching a box of `taken` (left, right, top, bottom): its left edge, baseline and anchor."""
    width = svg.text_width(content, SIZE)
    for x, bottom, anchor in spots:
        left = x if anchor == "start" else x - width
        if left < LEFT + 2 or left + width > WIDTH - 2:
            continue
        if all(
            left + width <= l0 or r0 <= left or bottom <= t0 or b0 <= bottom - SIZE
            for l0, r0, t0, b0 in taken
        ):
            return left, bottom, anchor
    return None


def percent(share: Decimal | None) -> str:
    """A share as a whole percentage (« 64 % », "64%")."""
    if share is None:
        return ""
    return _("%(percent)s%%") % {"percent": number(str(round(share * 100)))}


def verdict_text(trajectory: Trajectory) -> str:
    """What the follow-up says of an indicator, in a few words."""
    return {
        followup.REACHED: _("Target reached"),
        followup.ON_TRACK: _("On track"),
        followup.BEHIND: _("Behind the expected line"),
        followup.NO_MEASUREMENT: _("No measurement yet"),
        followup.FLAT: _("Target equal to the baseline: progress cannot be counted"),
        followup.INCOMPLETE: _("Baseline or target (value and date) to be set in step 6.1"),
    }[trajectory.verdict]


def progress_text(trajectory: Trajectory) -> str:
    """« 64 % of the way, 50 % expected on 30 June 2026 », or the verdict's reason."""
    latest = trajectory.latest
    if trajectory.progress is None or latest is None:
        return verdict_text(trajectory)
    return _("%(progress)s of the way; the straight line expects %(expected)s on %(date)s") % {
        "progress": percent(trajectory.progress),
        "expected": percent(trajectory.expected),
        "date": day(latest.date),
    }


def marker(x: float, y: float, quality: str, colour: str = svg.ACCENT) -> str:
    """A measurement's marker, its shape saying its data quality."""
    p = svg.num
    if quality == "verified":
        return svg.rect(x - 5, y - 5, 10, 10, colour)
    if quality == "reported":
        return (
            f'<polygon points="{p(x)},{p(y - 7)} {p(x + 7)},{p(y)} {p(x)},{p(y + 7)}'
            f' {p(x - 7)},{p(y)}" fill="{colour}"/>'
        )
    if quality == "estimated":
        return (
            f'<polygon points="{p(x)},{p(y - 6.5)} {p(x + 6.5)},{p(y + 5)} {p(x - 6.5)},{p(y + 5)}"'
            f' fill="#fff" stroke="{colour}" stroke-width="2"/>'
        )
    cross = ' stroke-width="2.5"'
    return svg.line(x - 5, y - 5, x + 5, y + 5, colour, cross) + svg.line(
        x - 5, y + 5, x + 5, y - 5, colour, cross
    )


def _ticks(low: Decimal, high: Decimal) -> list[Decimal]:
    """Three to six round values covering low..high (steps of 1, 2 or 5 times a power of 10)."""
    span = float(high - low) or abs(float(high)) or 1.0
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step_d = Decimal(str(step))
    first = (low / step_d).to_integral_value(rounding="ROUND_FLOOR") * step_d
    ticks = [first]
    while ticks[-1] < high or len(ticks) < 2:  # the last one at or above the highest value
        ticks.append(ticks[-1] + step_d)
    return [tick.normalize() if tick else Decimal(0) for tick in ticks]


def _points(
    trajectory: Trajectory,
) -> list[tuple[datetime.date, Decimal, str]]:
    """Every dated point: ("baseline" | "target" | a quality code for a measurement)."""
    out: list[tuple[datetime.date, Decimal, str]] = []
    if trajectory.baseline and trajectory.baseline.date:
        out.append((trajectory.baseline.date, trajectory.baseline.value, "baseline"))
    out += [(m.date, m.value, f"m:{m.quality}") for m in trajectory.measurements]
    if trajectory.target and trajectory.target.date:
        out.append((trajectory.target.date, trajectory.target.value, "target"))
    return out


def _key(quality_names: dict[str, str], present: set[str]) -> str:
    """The key, on two lines: baseline, target and the expected line; then the quality shapes
    the chart uses."""
    body: list[str] = []
    x = 12.0
    body.append(svg.circle(x + 6, 14, 5.5, "#fff", f' stroke="{svg.MUTED}" stroke-width="2.5"'))
    body.append(svg.text(x + 16, 18, _("Baseline"), size=SIZE, fill=svg.MUTED))
    x += 28 + svg.text_width(_("Baseline"), SIZE)
    body.append(svg.circle(x + 6, 14, 6, svg.ACCENT))
    body.append(svg.text(x + 16, 18, _("Target"), size=SIZE, fill=svg.ACCENT))
    x += 28 + svg.text_width(_("Target"), SIZE)
    body.append(svg.line(x, 14, x + 26, 14, svg.MUTED, EXPECTED))
    body.append(svg.text(x + 32, 18, _("Expected (straight line)"), size=SIZE, fill=svg.MUTED))
    x = 12.0
    for code in QUALITY_SHAPES:
        if code not in present:
            continue
        name = quality_names.get(code) or _("Quality not given")
        body.append(marker(x + 6, 35, code))
        body.append(svg.text(x + 17, 39, name, size=SIZE))
        x += 32 + svg.text_width(name, SIZE)
    return "".join(body)


def _drawing(
    chart_id: str,
    title: str,
    description: str,
    trajectory: Trajectory,
    quality_names: dict[str, str],
    today: datetime.date,
) -> str:
    points = _points(trajectory)
    dates = [d for d, _v, _k in points]
    first, last = min(dates), max(dates)
    if first == last:  # one point: a month either side, so it sits in the middle
        first, last = first - datetime.timedelta(days=30), last + datetime.timedelta(days=30)
    values = [v for _d, v, _k in points]
    # A fifth of the range above and below, so that a label has room beside its point; never
    # below zero for values that are not.
    margin = (max(values) - min(values)) / 5 or abs(max(values)) / 5 or Decimal(1)
    floor = min(values) - margin
    ticks = _ticks(max(floor, Decimal(0)) if min(values) >= 0 else floor, max(values) + margin)
    low, high = ticks[0], ticks[-1]
    days = (last - first).days

    def x_of(date: datetime.date) -> float:
        return LEFT + (RIGHT - LEFT) * (date - first).days / days

    def y_of(value: Decimal) -> float:
        return BOTTOM - (BOTTOM - TOP) * float((value - low) / ((high - low) or 1))

    body: list[str] = []
    # The value axis: round values, each with its grid line.
    for tick in ticks:
        y = y_of(tick)
        body.append(svg.line(LEFT, y, RIGHT, y, svg.GRID))
        body.append(svg.text(LEFT - 6, y + 4, number(str(tick)), size=12, anchor="end"))
    # The time axis: its first and last day, and each new year between when there is room.
    labels = [(first, month(first)), (last, month(last))]
    year = datetime.date(first.year + 1, 1, 1)
    while year < last:
        labels.append((year, str(year.year)))
        year = datetime.date(year.year + 1, 1, 1)
    placed: list[float] = []
    for index, (date, label) in enumerate(labels):
        x = x_of(date)
        anchor = "start" if index == 0 else "end" if index == 1 else "middle"
        width = svg.text_width(label, 10.5)
        left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
        if any(abs(left - p) < width + 12 for p in placed):
            continue
        placed.append(left)
        body.append(svg.line(x, BOTTOM, x, BOTTOM + 5, svg.MUTED))
        body.append(svg.text(x, BOTTOM + 18, label, size=12, anchor=anchor, fill=svg.MUTED))
    body.append(svg.line(LEFT, BOTTOM, RIGHT, BOTTOM, svg.MUTED))
    if first <= today <= last:
        x = x_of(today)
        body.append(svg.line(x, TOP - 8, x, BOTTOM, svg.BAD, ' stroke-dasharray="2 3"'))
        label = _("Today")
        anchor = "end" if x > (LEFT + RIGHT) / 2 else "start"
        shift = -3 if anchor == "end" else 3
        body.append(svg.text(x + shift, TOP - 10, label, size=12, anchor=anchor, fill=svg.BAD))
    # The straight line from baseline to target, then the way actually measured.
    baseline, target = trajectory.baseline, trajectory.target
    if trajectory.dated and baseline and target and baseline.date and target.date:
        body.append(
            svg.line(
                x_of(baseline.date),
                y_of(baseline.value),
                x_of(target.date),
                y_of(target.value),
                svg.MUTED,
                EXPECTED,
            )
        )
    way = [(d, v) for d, v, k in points if k != "target"]
    if len(way) > 1:
        coordinates = " ".join(f"{svg.num(x_of(d))},{svg.num(y_of(v))}" for d, v in way)
        body.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{svg.ACCENT}"'
            ' stroke-width="2.5" stroke-linejoin="round"/>'
        )
    for date, value, kind in points:
        x, y = x_of(date), y_of(value)
        if kind == "baseline":
            ring = f' stroke="{svg.MUTED}" stroke-width="2.5"'
            body.append(svg.circle(x, y, 5.5, "#fff", ring))
        elif kind == "target":
            body.append(svg.circle(x, y, 6, svg.ACCENT))
        else:
            body.append(marker(x, y, kind[2:]))
    # The values of baseline, latest measurement and target, written beside their points.
    written = [p for p in points if p[2] in ("baseline", "target")]
    if trajectory.measurements:
        latest = trajectory.measurements[-1]
        written.append((latest.date, latest.value, "latest"))
    # Each label where it fits: within the plot, clear of the labels already written; else
    # on the point's other side, else without its unit, else not at all (the table under the
    # chart has every value). A long unit or close values would print labels over each other.
    boxes: list[tuple[float, float, float, float]] = []
    rising = trajectory.direction >= 0
    for date, value, kind in written:
        x, y = x_of(date), y_of(value)
        colour = svg.MUTED if kind == "baseline" else svg.ACCENT
        weight = "normal" if kind == "baseline" else "bold"
        spots: list[tuple[float, float, str]] = []
        if kind == "latest":  # beside its marker, right of it when there is room
            spots = [(x + 10, y + 4, "start"), (x - 10, y + 4, "end")]
        else:
            # Baseline and target: on the side of their point away from the lines, which leave
            # the baseline towards the target (below the baseline and above the target when it
            # rises), else on the other side.
            below = rising if kind == "baseline" else not rising
            sides = [below, not below]
            if y + 19 > BOTTOM - 3:  # no room under it
                sides = [False]
            elif y - 10 < TOP - 6:  # no room over it
                sides = [True]
            if kind == "baseline":
                x, anchor = max(x - 5, LEFT + 2), "start"
            else:
                x, anchor = min(x + 6, WIDTH - 4), "end"
            spots = [(x, y + 19 if side else y - 10, anchor) for side in sides]
        for content in dict.fromkeys((with_unit(value, trajectory.unit), number(value))):
            box = _free_spot(content, spots, boxes)
            if box is not None:
                left, bottom, anchor = box
                boxes.append((left, left + svg.text_width(content, SIZE), bottom - SIZE, bottom))
                x = left if anchor == "start" else left + svg.text_width(content, SIZE)
                body.append(
                    svg.text(
                        x, bottom, content, size=SIZE, anchor=anchor, fill=colour, weight=weight
                    )
                )
                break
    present = {k[2:] for _d, _v, k in points if k.startswith("m:")}
    body.append(_key(quality_names, present))
    return svg.document(chart_id, WIDTH, HEIGHT, title, description, "".join(body))


def _description(trajectory: Trajectory, quality_names: dict[str, str]) -> str:
    name = trajectory.name or "—"
    parts = []
    if trajectory.baseline and trajectory.target:
        parts.append(
            _("%(name)s: from %(baseline)s (%(baseline_date)s) to %(target)s (%(target_date)s).")
            % {
                "name": name,
                "baseline": with_unit(trajectory.baseline.value, trajectory.unit),
                "baseline_date": day(trajectory.baseline.date) or "—",
                "target": with_unit(trajectory.target.value, trajectory.unit),
                "target_date": day(trajectory.target.date) or "—",
            }
        )
    else:
        parts.append(_("%(name)s: baseline or target missing.") % {"name": name})
    if trajectory.measurements:
        parts.append(
            _("Measurements: %(list)s.")
            % {
                "list": joined(
                    f"{with_unit(m.value, trajectory.unit)} ({day(m.date)}"
                    + (f", {quality_names[m.quality]}" if m.quality in quality_names else "")
                    + ")"
                    for m in trajectory.measurements
                )
            }
        )
    parts.append(progress_text(trajectory) + ".")
    if trajectory.progress is not None:
        parts.append(verdict_text(trajectory) + ".")
    return " ".join(parts)


def trajectory_table(
    trajectory: Trajectory, quality_names: dict[str, str]
) -> tuple[tuple[str, ...], ...]:
    """Baseline, each measurement, target: date, what it is, value, what the straight line
    expects that day, data quality, source, who entered it."""

    def expected(date: datetime.date | None) -> str:
        value = trajectory.expected_value(date) if date else None
        return (
            with_unit(value.quantize(Decimal("0.01")).normalize(), trajectory.unit)
            if (value is not None)
            else "—"
        )

    rows: list[tuple[str, ...]] = []
    if trajectory.baseline:
        rows.append(
            (
                day(trajectory.baseline.date) or "—",
                _("Baseline"),
                with_unit(trajectory.baseline.value, trajectory.unit),
                expected(trajectory.baseline.date),
                "",
                "",
                "",
            )
        )
    rows += [
        (
            day(m.date),
            _("Measurement"),
            with_unit(m.value, trajectory.unit),
            expected(m.date),
            quality_names.get(m.quality, "—"),
            m.source,
            m.author,
        )
        for m in trajectory.measurements
    ]
    if trajectory.target:
        rows.append(
            (
                day(trajectory.target.date) or "—",
                _("Target"),
                with_unit(trajectory.target.value, trajectory.unit),
                expected(trajectory.target.date),
                "",
                "",
                "",
            )
        )
    header = (
        _("Date"),
        _("Point"),
        _("Value"),
        _("Expected on the straight line"),
        _("Data quality"),
        _("Source"),
        _("Entered by"),
    )
    return (header, *rows)


def trajectory_chart(
    trajectory: Trajectory, number_: int, quality_names: dict[str, str], today: datetime.date
) -> Chart:
    """The `number_`-th indicator's trajectory; `quality_names`: the scale's short names."""
    title = _("Trajectory: %(name)s") % {"name": trajectory.name or "—"}
    table = trajectory_table(trajectory, quality_names)
    chart_id = f"trajectory-{number_}"
    if not _points(trajectory):
        message = _(
            "Nothing to place in time yet: give the baseline and the target with their dates "
            "in step 6.1, or add a measurement in 6.3."
        )
        return Chart(chart_id, title, None, message, message, table, item="measurements")
    description = _description(trajectory, quality_names)
    return Chart(
        id=chart_id,
        title=title,
        svg=_drawing(f"chart-{chart_id}", title, description, trajectory, quality_names, today),
        message="",
        alt=description,
        table=table,
        item="measurements",
    )


def trajectory_charts(document: Document) -> tuple[Chart, ...]:
    """One trajectory chart per indicator, in the document's language and on its date."""
    follow_up = document.follow_up
    if follow_up is None:
        return ()
    with translation.override(document.meta.language):
        names = {code: document.quality(code) for code, _label in document.qualities}
        return tuple(
            trajectory_chart(t, n, names, follow_up.today)
            for n, t in enumerate(follow_up.trajectories, start=1)
        )
