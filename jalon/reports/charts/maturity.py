"""The maturity profile of step 2.2: a radar of the seven 0–4 levels.

The questions are long, so the axes carry their numbers and the table (the legend) the questions.
Level 0 is the centre. An unanswered question is never drawn as a 0: its axis is greyed, no line
goes to it, and the shape is only filled when every question has a level.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.reports.document import Document

from . import svg
from .chart import Chart, number

MAX_LEVEL = 4
MIN_ANSWERED = 3  # fewer points than this make a line or a dot, not a profile
WIDTH, HEIGHT = 400.0, 360.0
CX, CY, RADIUS = 200.0, 184.0, 138.0
PROFILE = ' stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"'


def _level_text(level: int | None, label: str) -> str:
    if level is None:
        return _("Not answered")
    return f"{level}/{MAX_LEVEL} — {label}" if label else f"{level}/{MAX_LEVEL}"


def _numbers(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)


def _description(levels: list[int | None]) -> str:
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
    return " ".join(parts)


def _drawing(chart_id: str, title: str, description: str, levels: list[int | None]) -> str:
    count = len(levels)
    body: list[str] = []
    # Rings for levels 1–4 and their numbers, just left of the first axis (a point on it would
    # hide a number on its right).
    for ring in range(1, MAX_LEVEL + 1):
        corners = [svg.polar(CX, CY, RADIUS * ring / MAX_LEVEL, i, count) for i in range(count)]
        outline = " ".join(f"{svg.num(x)},{svg.num(y)}" for x, y in corners)
        body.append(f'<polygon points="{outline}" fill="none" stroke="{svg.LINE}"/>')
    for ring in range(MAX_LEVEL + 1):
        y = CY - RADIUS * ring / MAX_LEVEL
        body.append(svg.text(CX - 8, y + 4, str(ring), size=11, anchor="end", fill=svg.MUTED))
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
    # The profile: a filled shape when complete, otherwise only the sides between answered axes.
    points = [
        svg.polar(CX, CY, RADIUS * level / MAX_LEVEL, i, count) if level is not None else None
        for i, level in enumerate(levels)
    ]
    if all(p is not None for p in points):
        shape = " ".join(f"{svg.num(p[0])},{svg.num(p[1])}" for p in points if p)
        body.append(
            f'<polygon points="{shape}" fill="{svg.ACCENT}" fill-opacity="0.22"'
            f' stroke="{svg.ACCENT}"{PROFILE}/>'
        )
    else:
        for i, start in enumerate(points):
            end = points[(i + 1) % count]
            if start and end:
                body.append(svg.line(*start, *end, svg.ACCENT, PROFILE))
    for p in points:
        if p:
            body.append(svg.circle(*p, 4.5, svg.ACCENT, ' stroke="#fff" stroke-width="1.5"'))
    return svg.document(chart_id, WIDTH, HEIGHT, title, description, "".join(body))


def maturity_chart(document: Document) -> Chart:
    title = _("Digital maturity profile")
    points = document.maturity
    table = (
        (_("No."), _("Question"), _("Level")),
        *(
            (str(i + 1), p.question, _level_text(p.level, p.level_label))
            for i, p in enumerate(points)
        ),
    )
    levels = [
        p.level if isinstance(p.level, int) and 0 <= p.level <= MAX_LEVEL else None for p in points
    ]
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
        return Chart("maturity", title, None, message, message, table, item="maturity_startups")
    description = _description(levels)
    return Chart(
        id="maturity",
        title=title,
        svg=_drawing("chart-maturity", title, description, levels),
        message="",
        alt=description,
        table=table,
        item="maturity_startups",
    )
