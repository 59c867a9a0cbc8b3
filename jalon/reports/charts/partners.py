"""The partner map of step 3: the named actors grouped by type, and for each, which interests
(why they would join) and resources (what they could bring) the team noted.

A matrix reads better than a bubble map here: every actor and every interest or resource has a
fixed place, so two plans, or the same plan a month later, compare at a glance. Columns are every
option of the worksheet, not only those picked, and a last row counts each column.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.reports.document import Actor, Document
from jalon.worksheets.display import joined

from . import svg
from .chart import Chart

NAME_WIDTH = 214.0
LEFT = 12.0
COLUMN = 30.0
GROUP_GAP = 14.0
HEADER_SIZE = 11.5
NAME_SIZE = 12.0
TYPE_ROW = 24.0
ROW = 22.0
LINE = 14.0
SLANT = 60  # degrees: column headers read upwards, steep enough to stay narrow
COS, SIN = 0.5, 0.866


def _columns(document: Document) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every interest and resource option; a document built by hand without the option lists
    shows those its actors mention, in order of appearance."""

    def seen(values: list[tuple[str, ...]]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for group in values for v in group))

    interests = document.interest_options or seen([a.interests for a in document.actors])
    resources = document.resource_options or seen([a.resources for a in document.actors])
    return interests, resources


def _groups(document: Document) -> list[tuple[str, list[Actor]]]:
    """Actors by type, in the worksheet's order of types; actors without a type come last."""
    order = list(document.actor_types)
    for actor in document.actors:
        if actor.type not in order:
            order.append(actor.type)
    groups = [(kind, [a for a in document.actors if a.type == kind]) for kind in order]
    return [(kind or _("Type not given"), actors) for kind, actors in groups if actors]


def _most_cited(counts: Counter[str]) -> str:
    return ", ".join(f"{label} ({n})" for label, n in counts.most_common(3))


def _description(document: Document, groups: list[tuple[str, list[Actor]]]) -> str:
    interests = Counter(i for a in document.actors for i in a.interests)
    resources = Counter(r for a in document.actors for r in a.resources)
    parts = [
        _("Partner map: %(actors)s named actors of %(types)s types.")
        % {"actors": len(document.actors), "types": len(groups)}
    ]
    if interests:
        parts.append(_("Interests cited most: %(list)s.") % {"list": _most_cited(interests)})
    if resources:
        parts.append(_("Resources cited most: %(list)s.") % {"list": _most_cited(resources)})
    without = sum(not a.interests and not a.resources for a in document.actors)
    if without:
        parts.append(_("Actors without a partner profile: %(count)s.") % {"count": without})
    return " ".join(parts)


def _drawing(
    chart_id: str,
    title: str,
    description: str,
    groups: list[tuple[str, list[Actor]]],
    interests: tuple[str, ...],
    resources: tuple[str, ...],
) -> str:
    # Column centres: interests, a gap, resources.
    first = LEFT + NAME_WIDTH + 8
    xs_interest = [first + COLUMN * (i + 0.5) for i in range(len(interests))]
    start = first + COLUMN * len(interests) + GROUP_GAP
    xs_resource = [start + COLUMN * (i + 0.5) for i in range(len(resources))]
    right = start + COLUMN * len(resources)
    longest = max((len(h) for h in (*interests, *resources)), default=0)
    label = min(longest, 30) * HEADER_SIZE * svg.CHAR_WIDTH
    header = label * SIN + 16
    width = max(right + label * COS + 8, 420.0)
    band_y = header + 4  # the « Interests | Resources » band under the slanted headers

    body: list[str] = []
    headings = [
        *zip(xs_interest, interests, strict=True),
        *zip(xs_resource, resources, strict=True),
    ]
    for x, heading in headings:
        y = header - 2
        body.append(
            svg.text(
                x + 4,
                y,
                svg.shorten(heading, label, HEADER_SIZE),
                size=HEADER_SIZE,
                extra=f' transform="rotate(-{SLANT} {svg.num(x + 4)} {svg.num(y)})"',
            )
        )
    for x0, x1, group, colour in (
        (first, start - GROUP_GAP, _("Interests"), svg.ACCENT),
        (start, right, _("Resources"), svg.OK),
    ):
        if x1 > x0:
            body.append(svg.rect(x0, band_y, x1 - x0, 18, colour))
            body.append(
                svg.text(
                    (x0 + x1) / 2,
                    band_y + 13,
                    svg.shorten(group, x1 - x0 - 4, 11),
                    size=11,
                    anchor="middle",
                    fill="#fff",
                    weight="bold",
                )
            )
    y = band_y + 24
    totals_interest: Counter[str] = Counter()
    totals_resource: Counter[str] = Counter()
    for kind, actors in groups:
        body.append(svg.rect(LEFT, y, width - 2 * LEFT, TYPE_ROW - 4, "#eef3f6"))
        body.append(
            svg.text(
                LEFT + 6,
                y + 14,
                svg.shorten(kind, width - 2 * LEFT - 12, 11.5),
                size=11.5,
                weight="bold",
                fill=svg.ACCENT,
            )
        )
        y += TYPE_ROW
        for actor in actors:
            name = svg.wrap(actor.name or "—", NAME_WIDTH - 10, NAME_SIZE, 2)
            height = ROW + LINE * (len(name) - 1)
            middle = y + height / 2 - 2
            body.append(svg.lines(LEFT + 6, middle + 4 - LINE * (len(name) - 1) / 2, name))
            for xs, options, chosen, colour, totals in (
                (xs_interest, interests, actor.interests, svg.ACCENT, totals_interest),
                (xs_resource, resources, actor.resources, svg.OK, totals_resource),
            ):
                for x, option in zip(xs, options, strict=True):
                    if option in chosen:
                        totals[option] += 1
                        body.append(svg.circle(x, middle, 7, colour))
                    else:  # a small grey dot keeps the column readable
                        body.append(svg.circle(x, middle, 2.5, svg.LINE))
            body.append(svg.line(LEFT, y + height, width - LEFT, y + height, svg.GRID))
            y += height
    # Totals: how many actors bring each interest or resource.
    y += 4
    body.append(svg.line(LEFT, y, width - LEFT, y, svg.MUTED))
    body.append(svg.text(LEFT + 6, y + 16, _("Number of actors"), size=12, weight="bold"))
    for xs, options, totals in (
        (xs_interest, interests, totals_interest),
        (xs_resource, resources, totals_resource),
    ):
        for x, option in zip(xs, options, strict=True):
            body.append(
                svg.text(x, y + 16, str(totals[option]), size=12, anchor="middle", weight="bold")
            )
    return svg.document(chart_id, width, y + 26, title, description, "".join(body))


def partners_chart(document: Document) -> Chart:
    title = _("Partner map")
    table = (
        (_("Actor"), _("Type"), _("Interests"), _("Resources")),
        *(
            (a.name, a.type, joined(a.interests) or "—", joined(a.resources) or "—")
            for a in document.actors
        ),
    )
    groups = _groups(document)
    if not document.actors:
        message = _(
            "No named actor yet: name the actors in step 3.1 and describe the partners in "
            "step 3.2 to draw the partner map."
        )
        return Chart("partners", title, None, message, message, table, item="partners")
    if not any(a.interests or a.resources for a in document.actors):
        message = ngettext(
            "%(count)s named actor, but no interest or resource noted yet: describe the "
            "partners in step 3.2 to draw the partner map.",
            "%(count)s named actors, but no interest or resource noted yet: describe the "
            "partners in step 3.2 to draw the partner map.",
            len(document.actors),
        ) % {"count": len(document.actors)}
        return Chart("partners", title, None, message, message, table, item="partners")
    interests, resources = _columns(document)
    description = _description(document, groups)
    return Chart(
        id="partners",
        title=title,
        svg=_drawing("chart-partners", title, description, groups, interests, resources),
        message="",
        alt=description,
        table=table,
        item="partners",
    )
