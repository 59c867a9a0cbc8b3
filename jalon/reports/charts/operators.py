"""The operators' survey of step 2: who was asked, what they answered, and where they work.

    operators_charts(document)   the overview (operator types), one chart per maturity question
                                 a survey question informs, and the map when positions exist

Each answer is a bar of the share of those asked (a question asked only of some operators, by
its `relevant` condition, is counted over them alone), with its count written beside it, on a
track of the full width: the share reads at a glance without a scale. The map is a plain
scatter of the positions, in an equirectangular projection fitted to their bounding box, with a
scale bar and a north arrow: no tiles, nothing from another host. None of them sets a level:
they sit next to the team's own judgement.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.field.evidence import OperatorsSummary, Point, QuestionSummary, Share
from jalon.reports.document import Document

from . import svg
from .chart import Chart, day

# The bar charts are drawn narrow, each answer's label above its bar, so that on a phone (where
# a drawing is scaled to the screen) their text stays as large as the page's; the map keeps
# the width of the other charts.
WIDTH = 360.0
MAP_WIDTH = 640.0
LEFT = 12.0
BAR_WIDTH = 250.0
LABEL_SIZE = 12.0
LINE = 14.0
BAR = 12.0
# Operator types, in the survey's order: six colours apart in hue and lightness, each darker
# than 3:1 against white; the legend and the table say which is which.
TYPE_COLOURS = (svg.ACCENT, "#b35806", svg.OK, "#7b3294", svg.BAD, "#4d4d4d", "#8c6d1f")
MAP_HEIGHT = 360.0
MIN_SPAN = 0.004  # degrees (about 450 m): a map of one point, or of points close together
METRES_PER_DEGREE = 111_320.0


def percent(value: int) -> str:
    return _("%(percent)s%%") % {"percent": value}


def share_text(share: Share) -> str:
    """« 12 (40 %) »."""
    return f"{share.count} ({percent(share.percent)})"


def asked_text(question: QuestionSummary) -> str:
    text = ngettext(
        "Asked of %(count)s operator", "Asked of %(count)s operators", question.asked
    ) % {"count": question.asked}
    if question.unanswered:
        text += " · " + ngettext(
            "%(count)s without an answer", "%(count)s without an answer", question.unanswered
        ) % {"count": question.unanswered}
    return text


def period(summary: OperatorsSummary) -> str:
    if summary.first is None or summary.last is None:
        return ""
    if summary.first == summary.last:
        return day(summary.first)
    return _("from %(first)s to %(last)s") % {
        "first": day(summary.first),
        "last": day(summary.last),
    }


def headline(summary: OperatorsSummary) -> str:
    """« 50 opérateurs interrogés, du 2 mars 2026 au 18 mars 2026 »."""
    text = ngettext(
        "%(count)s operator interviewed", "%(count)s operators interviewed", summary.count
    ) % {"count": summary.count}
    when = period(summary)
    return f"{text}, {when}" if when else text


def _bars(y: float, shares: tuple[Share, ...], colour: str) -> tuple[list[str], float]:
    body: list[str] = []
    for share in shares:
        label = svg.wrap(share.label, WIDTH - 2 * LEFT, LABEL_SIZE, 2)
        body.append(svg.lines(LEFT, y + LABEL_SIZE, label))
        y += LABEL_SIZE + LINE * (len(label) - 1) + 4
        body.append(svg.rect(LEFT, y, BAR_WIDTH, BAR, svg.STRIPE))
        if share.count:
            body.append(svg.rect(LEFT, y, max(1.5, BAR_WIDTH * share.share), BAR, colour))
        body.append(svg.text(LEFT + BAR_WIDTH + 6, y + BAR - 1.5, share_text(share), size=11.5))
        y += BAR + 9
    return body, y


def _question(y: float, question: QuestionSummary) -> tuple[list[str], float]:
    heading = svg.wrap(question.label, WIDTH - 2 * LEFT, 12.5, 3)
    body = [svg.lines(LEFT, y + 13, heading, size=12.5, weight="bold")]
    y += 13 + 12.5 * 1.25 * (len(heading) - 1)
    body.append(svg.text(LEFT, y + 16, asked_text(question), size=11, fill=svg.MUTED))
    y += 24
    if question.options:
        bars, y = _bars(y, question.options, svg.ACCENT)
        body += bars
    else:  # a free text: the names given, most cited first
        named = ", ".join(f"{t.label} ({t.count})" for t in question.texts) or "—"
        for row in svg.wrap(named, WIDTH - 2 * LEFT, LABEL_SIZE, 3):
            body.append(svg.text(LEFT, y + 13, row, size=LABEL_SIZE))
            y += LINE + 2
    return body, y + 10


def _question_rows(question: QuestionSummary) -> list[tuple[str, ...]]:
    if question.options:
        return [
            (question.label, s.label, str(s.count), str(question.asked), percent(s.percent))
            for s in question.options
        ]
    return [
        (question.label, t.label, str(t.count), str(question.asked), percent(t.percent))
        for t in question.texts
    ] or [(question.label, "—", "0", str(question.asked), percent(0))]


def _table_header() -> tuple[str, ...]:
    return (_("Question"), _("Answer"), _("Operators"), _("Asked"), _("Share"))


def item_chart(
    chart_id: str, item_id: str, item_label: str, questions: tuple[QuestionSummary, ...]
) -> Chart:
    title = _("Operators’ survey: %(question)s") % {"question": item_label.split("?")[0].strip()}
    parts = []
    for q in questions:
        if q.options:
            top = sorted(q.options, key=lambda s: -s.count)[:2]
            cited = ", ".join(f"{s.label} {share_text(s)}" for s in top)
        else:
            cited = ", ".join(f"{t.label} ({t.count})" for t in q.texts[:3]) or "—"
        parts.append(f"{q.label} {asked_text(q)}. {cited}.")
    description = " ".join(parts)
    body: list[str] = []
    y = 6.0
    for question in questions:
        drawn, y = _question(y, question)
        body += drawn
    return Chart(
        id=chart_id,
        title=title,
        svg=svg.document(f"chart-{chart_id}", WIDTH, y, title, description, "".join(body)),
        message="",
        alt=description,
        table=(_table_header(), *(row for q in questions for row in _question_rows(q))),
        item=item_id,
    )


def overview_chart(summary: OperatorsSummary, item_id: str) -> Chart:
    """Who was asked: the operator types, and the neighbourhoods most represented."""
    title = _("Operators’ survey: %(headline)s") % {"headline": headline(summary)}
    description = (
        headline(summary)
        + ". "
        + ", ".join(f"{s.label} {share_text(s)}" for s in summary.types if s.count)
        + ". "
        + ngettext("%(count)s located.", "%(count)s located.", summary.located)
        % {"count": summary.located}
    )
    body: list[str] = [
        svg.text(LEFT, 19, _("Operator type"), size=12.5, weight="bold"),
    ]
    drawn, y = _bars(28, summary.types, svg.ACCENT)
    body += drawn
    body.append(svg.text(LEFT, y + 24, _("Neighbourhood"), size=12.5, weight="bold"))
    drawn, y = _bars(y + 33, summary.neighbourhoods, svg.OK)
    body += drawn
    chart_id = "chart-operators"
    return Chart(
        id="operators",
        title=title,
        svg=svg.document(chart_id, WIDTH, y + 8, title, description, "".join(body)),
        message="",
        alt=description,
        table=(
            (_("Breakdown"), _("Answer"), _("Operators"), _("Share")),
            *(
                (_("Operator type"), s.label, str(s.count), percent(s.percent))
                for s in summary.types
            ),
            *(
                (_("Neighbourhood"), s.label, str(s.count), percent(s.percent))
                for s in summary.neighbourhoods
            ),
        ),
        item=item_id,
    )


def _nice(metres: float) -> float:
    """The round distance (1, 2 or 5 × a power of ten) at most `metres`."""
    power = 10 ** math.floor(math.log10(metres))
    return float(max(step * power for step in (1, 2, 5) if step * power <= metres))


def _distance(metres: float) -> str:
    if metres >= 1000:
        return _("%(km)s km") % {"km": f"{metres / 1000:g}"}
    return _("%(m)s m") % {"m": f"{metres:g}"}


def map_svg(points: tuple[Point, ...], colours: dict[str, str], title: str, desc: str) -> str:
    """The points on a plain equirectangular map fitted to their bounding box."""
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    middle = (min(lats) + max(lats)) / 2
    shrink = max(math.cos(math.radians(middle)), 0.01)  # a degree of longitude is shorter
    lat_span = max(max(lats) - min(lats), MIN_SPAN)
    lon_span = max((max(lons) - min(lons)) * shrink, MIN_SPAN)
    lat_mid, lon_mid = middle, (min(lons) + max(lons)) / 2
    frame_w = MAP_WIDTH - 2 * LEFT
    pad = 18.0
    scale = min((frame_w - 2 * pad) / lon_span, (MAP_HEIGHT - 2 * pad) / lat_span)
    top = 8.0
    cx, cy = LEFT + frame_w / 2, top + MAP_HEIGHT / 2

    def at(point: Point) -> tuple[float, float]:
        return (
            cx + (point.longitude - lon_mid) * shrink * scale,
            cy - (point.latitude - lat_mid) * scale,
        )

    body = [
        svg.rect(LEFT, top, frame_w, MAP_HEIGHT, svg.STRIPE, f' stroke="{svg.LINE}"'),
    ]
    for point in points:
        x, y = at(point)
        body.append(svg.circle(x, y, 5, colours.get(point.type_code, svg.MUTED), ' stroke="#fff"'))
    # North arrow, top right.
    nx, ny = LEFT + frame_w - 22, top + 14
    body.append(
        f'<path d="M{svg.num(nx)} {svg.num(ny)}l6 16h-12z" fill="{svg.INK}"/>'
        + svg.text(nx, ny + 30, _("N"), size=11, anchor="middle", weight="bold")
    )
    # Scale bar, bottom left: a round distance about a quarter of the frame.
    metres = _nice(frame_w / 4 / scale * METRES_PER_DEGREE)
    length = metres / METRES_PER_DEGREE * scale
    sx, sy = LEFT + 12, top + MAP_HEIGHT - 14
    body.append(svg.rect(sx, sy, length, 4, svg.INK))
    body.append(svg.text(sx + length + 6, sy + 5, _distance(metres), size=11))
    # Legend under the map: one entry per type present, with its count.
    y = top + MAP_HEIGHT + 18
    x = LEFT
    counts: dict[str, tuple[str, int]] = {}
    for point in points:
        label, n = counts.get(point.type_code, (point.type_label, 0))
        counts[point.type_code] = (label, n + 1)
    for code, (label, n) in counts.items():
        entry = f"{label} ({n})"
        width = 16 + svg.text_width(entry, 11.5) + 14
        if x + width > MAP_WIDTH - LEFT and x > LEFT:
            x, y = LEFT, y + 18
        body.append(svg.circle(x + 5, y - 4, 5, colours.get(code, svg.MUTED)))
        body.append(svg.text(x + 14, y, entry, size=11.5))
        x += width
    return svg.document("chart-operators-map", MAP_WIDTH, y + 10, title, desc, "".join(body))


def map_chart(summary: OperatorsSummary, item_id: str) -> Chart:
    title = _("Operators’ survey: where the operators work")
    colours = {s.code: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, s in enumerate(summary.types)}
    description = ngettext(
        "Map of %(count)s located operator of %(total)s, coloured by type.",
        "Map of %(count)s located operators of %(total)s, coloured by type.",
        summary.located,
    ) % {"count": summary.located, "total": summary.count}
    rows = []
    for share in summary.types:
        here = [p for p in summary.points if p.type_code == share.code]
        if here:
            rows.append(
                (
                    share.label,
                    str(len(here)),
                    f"{min(p.latitude for p in here):.4f} – {max(p.latitude for p in here):.4f}",
                    f"{min(p.longitude for p in here):.4f} – {max(p.longitude for p in here):.4f}",
                )
            )
    return Chart(
        id="operators-map",
        title=title,
        svg=map_svg(summary.points, colours, title, description),
        message="",
        alt=description,
        table=((_("Operator type"), _("Located"), _("Latitude"), _("Longitude")), *rows),
        item=item_id,
    )


def item_labels(document: Document) -> dict[str, str]:
    """The worksheet's questions by item id, as the document words them."""
    return {
        entry.id: entry.question
        for step in document.steps
        for section in step.sections
        for entry in section.entries
    }


def summary_charts(
    summary: OperatorsSummary | None, labels: Mapping[str, str]
) -> tuple[Chart, ...]:
    """The overview, the map (when positions exist) and a chart per maturity question a survey
    question informs (`labels`: the worksheet's questions by item id); none when the plan keeps
    no response: no section at all."""
    if summary is None or not summary.count or not summary.items:
        return ()
    first = summary.items[0].item
    charts = [overview_chart(summary, first)]
    if summary.points:
        charts.append(map_chart(summary, first))
    charts += [
        item_chart(
            f"operators-{evidence.item}",
            evidence.item,
            labels.get(evidence.item, evidence.item),
            evidence.questions,
        )
        for evidence in summary.items
    ]
    return tuple(charts)


def operators_charts(document: Document) -> tuple[Chart, ...]:
    return summary_charts(document.operators, item_labels(document))
