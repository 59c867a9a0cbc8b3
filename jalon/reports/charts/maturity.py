"""The maturity profile of step 2.2: a radar of the seven 0–4 levels, and of their targets.

The questions are long, so the axes carry their numbers and the table (the legend) the questions.
Level 0 is the centre. An unanswered question is never drawn as a 0: its axis is greyed, no line
goes to it, and the shape is only filled when every question has a level. The targets, where the
worksheet takes them, are a second outline, dashed and darker, never filled, with a legend under
the drawing; the table says both, so that no one needs to tell the lines apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.reports.document import Document, MaturityPoint

from . import svg
from .chart import Chart, day, number

MAX_LEVEL = 4
MIN_ANSWERED = 3  # fewer points than this make a line or a dot, not a profile
WIDTH, HEIGHT = 400.0, 360.0
CX, CY, RADIUS = 200.0, 184.0, 138.0
PROFILE = ' stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"'
TARGET = ' stroke-width="2" stroke-dasharray="6 4" stroke-linejoin="round"'
LEGEND_HEIGHT = 30.0


def _level_text(level: int | None, label: str) -> str:
    if level is None:
        return _("Not answered")
    return f"{level}/{MAX_LEVEL} — {label}" if label else f"{level}/{MAX_LEVEL}"


def _target_text(point: MaturityPoint) -> str:
    """« 3/4 — Établi, by 31 December 2027 », or that no target is set."""
    if point.target is None:
        return _("No target")
    text = _level_text(point.target, point.target_label)
    return (
        _("%(target)s, by %(date)s") % {"target": text, "date": day(point.target_date)}
        if (point.target_date)
        else text
    )


def _numbers(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)


def _valid(level: int | None) -> int | None:
    return level if isinstance(level, int) and 0 <= level <= MAX_LEVEL else None


def _description(levels: list[int | None], targets: list[int | None]) -> str:
    answered = [(i, lvl) for i, lvl in enumerate(levels) if lvl is not None]
    mean = Decimal(sum(lvl for _i, lvl in answered)) / len(answered)
    high = max(lvl for _i, lvl in answered)
    low = min(lvl for _i, lvl in answered)
    parts = [
        _(
            "Digital maturity on %(answered)s of %(total)s questions, from 0 (none) to "
            "%(max)s: average %(mean)s."
        )
        % {
            "answered": len(answered),
            "total": len(levels),
            "max": MAX_LEVEL,
            "mean": number(round(mean, 1)),
        },
        _("Highest: question(s) %(numbers)s at %(level)s.")
        % {"numbers": _numbers([i for i, lvl in answered if lvl == high]), "level": high},
    ]
    if low != high:
        parts.append(
            _("Lowest: question(s) %(numbers)s at %(level)s.")
            % {"numbers": _numbers([i for i, lvl in answered if lvl == low]), "level": low}
        )
    missing = [i for i, lvl in enumerate(levels) if lvl is None]
    if missing:
        parts.append(_("Without a level: %(numbers)s.") % {"numbers": _numbers(missing)})
    aimed = [lvl for lvl in targets if lvl is not None]
    if aimed:
        parts.append(
            _("Dashed outline: the targets, set on %(count)s questions, average %(mean)s.")
            % {
                "count": len(aimed),
                "mean": number(round(Decimal(sum(aimed)) / len(aimed), 1)),
            }
        )
    return " ".join(parts)


def _outline(
    points: list[tuple[float, float] | None], stroke: str, style: str, fill: str
) -> list[str]:
    """A closed shape through every point, or the sides between neighbours that both exist."""
    if points and all(p is not None for p in points):
        shape = " ".join(f"{svg.num(p[0])},{svg.num(p[1])}" for p in points if p)
        return [f'<polygon points="{shape}" {fill} stroke="{stroke}"{style}/>']
    sides = []
    for i, start in enumerate(points):
        end = points[(i + 1) % len(points)]
        if start and end and len(points) > 1:
            sides.append(svg.line(*start, *end, stroke, style))
    return sides


def _legend(y: float) -> str:
    """Now (solid, filled) and target (dashed) side by side, centred under the drawing."""
    now, aim = _("Now"), _("Target")
    width = 36 + svg.text_width(now, 12) + 24 + 36 + svg.text_width(aim, 12)
    x = (WIDTH - width) / 2
    parts = [
        svg.line(x, y, x + 28, y, svg.ACCENT, PROFILE),
        svg.text(x + 36, y + 4, now, size=12),
    ]
    x += 36 + svg.text_width(now, 12) + 24
    parts += [
        svg.line(x, y, x + 28, y, svg.INK, TARGET),
        svg.text(x + 36, y + 4, aim, size=12),
    ]
    return "".join(parts)


def radar(
    chart_id: str,
    title: str,
    description: str,
    levels: list[int | None],
    targets: list[int | None] | None = None,
) -> str:
    """The radar of `levels` (and of `targets`, dashed), one axis per question; the SVG's title
    and description are its text alternative."""
    count = len(levels)
    targets = targets or [None] * count
    with_targets = any(t is not None for t in targets)
    height = HEIGHT + LEGEND_HEIGHT if with_targets else HEIGHT
    body: list[str] = []
    # Rings for levels 1–4 and their numbers, just left of the first axis (a point on it would
    # hide a number on its right).
    for ring in range(1, MAX_LEVEL + 1):
        corners = [svg.polar(CX, CY, RADIUS * ring / MAX_LEVEL, i, count) for i in range(count)]
        outline = " ".join(f"{svg.num(x)},{svg.num(y)}" for x, y in corners)
        body.append(f'<polygon points="{outline}" fill="none" stroke="{svg.LINE}"/>')
    for ring in range(MAX_LEVEL + 1):
        y = CY - RADIUS * ring / MAX_LEVEL
        # Clear of a target's hollow point on the first axis.
        body.append(svg.text(CX - 10, y + 4, str(ring), size=11, anchor="end", fill=svg.MUTED))
    # Axes, with their numbers in a circle; an unanswered axis is dashed and grey.
    for i, level in enumerate(levels):
        x, y = svg.polar(CX, CY, RADIUS, i, count)
        dash = ' stroke-dasharray="3 3"' if level is None else ""
        body.append(svg.line(CX, CY, x, y, svg.LINE, dash))
        lx, ly = svg.polar(CX, CY, RADIUS + 20, i, count)
        colour = svg.MUTED if level is None else svg.ACCENT
        fill = "#fff" if level is None else svg.ACCENT
        body.append(svg.circle(lx, ly, 11, fill, f' stroke="{colour}" stroke-width="1.5"'))
        body.append(
            svg.text(
                lx,
                ly + 4.5,
                str(i + 1),
                size=13,
                anchor="middle",
                fill=colour if level is None else "#fff",
                weight="bold",
            )
        )

    # The profile: a filled shape when complete, otherwise only the sides between answered axes;
    # the targets over it, dashed and unfilled, their points hollow, under the levels' dots.
    def at(values: list[int | None]) -> list[tuple[float, float] | None]:
        return [
            svg.polar(CX, CY, RADIUS * value / MAX_LEVEL, i, count) if value is not None else None
            for i, value in enumerate(values)
        ]

    points, aims = at(levels), at(targets)
    body += _outline(points, svg.ACCENT, PROFILE, f'fill="{svg.ACCENT}" fill-opacity="0.22"')
    body += _outline(aims, svg.INK, TARGET, 'fill="none"')
    for p in aims:
        if p:
            body.append(svg.circle(*p, 6.5, "#fff", f' stroke="{svg.INK}" stroke-width="1.5"'))
    for p in points:
        if p:
            body.append(svg.circle(*p, 4.5, svg.ACCENT, ' stroke="#fff" stroke-width="1.5"'))
    if with_targets:
        body.append(_legend(HEIGHT + LEGEND_HEIGHT / 2 - 4))
    return svg.document(chart_id, WIDTH, height, title, description, "".join(body))


def maturity_chart(document: Document) -> Chart:
    return maturity_figure(document.maturity)


def maturity_figure(
    points: Sequence[MaturityPoint], chart_id: str = "maturity", title: str = ""
) -> Chart:
    """The radar of `points` with its table; `chart_id` tells several radars of a page apart."""
    title = title or _("Digital maturity profile")
    table: tuple[tuple[str, ...], ...]
    if any(p.takes_target for p in points):
        table = (
            (_("No."), _("Question"), _("Level"), _("Target")),
            *(
                (str(i + 1), p.question, _level_text(p.level, p.level_label), _target_text(p))
                for i, p in enumerate(points)
            ),
        )
    else:
        table = (
            (_("No."), _("Question"), _("Level")),
            *(
                (str(i + 1), p.question, _level_text(p.level, p.level_label))
                for i, p in enumerate(points)
            ),
        )
    levels = [_valid(p.level) for p in points]
    targets = [_valid(p.target) for p in points]
    answered = sum(level is not None for level in levels)
    if answered < MIN_ANSWERED:
        message = ngettext(
            "Only %(answered)s of the %(total)s maturity questions has a level: give a level "
            "to at least %(min)s of them (step 2.2) to draw the profile.",
            "Only %(answered)s of the %(total)s maturity questions have a level: give a level "
            "to at least %(min)s of them (step 2.2) to draw the profile.",
            answered,
        ) % {"answered": answered, "total": len(points), "min": MIN_ANSWERED}
        if answered == 0:
            message = _(
                "None of the %(total)s maturity questions has a level yet: give a level to at "
                "least %(min)s of them (step 2.2) to draw the profile."
            ) % {"total": len(points), "min": MIN_ANSWERED}
        if not points:
            message = _("This worksheet has no maturity questions.")
        return Chart(chart_id, title, None, message, message, table, item="maturity_startups")
    description = _description(levels, targets)
    return Chart(
        id=chart_id,
        title=title,
        svg=radar(f"chart-{chart_id}", title, description, levels, targets),
        message="",
        alt=description,
        table=table,
        item="maturity_startups",
    )
