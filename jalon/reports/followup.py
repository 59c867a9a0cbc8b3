"""The follow-up in words: what the « Suivi » page, the print view and the PDF say of each
roadmap line and each indicator, from the `Document`'s follow-up. Plain functions; call them
with the document's language active.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.worksheets.followup import LineStatus, Trajectory
from jalon.worksheets.schema import ItemKind

from .charts.chart import Chart, day, with_unit
from .charts.trajectory import percent, progress_text, trajectory_charts, verdict_text
from .document import Document, Entry, Record, long_date
from .typography import for_language


@dataclass(frozen=True)
class LineRow:
    """A roadmap line as the follow-up shows it."""

    uid: str
    action: str
    start: str
    end: str
    status_code: str  # the status as entered ("none" when not given)
    status: str  # the status as entered, in words
    late: str  # « En retard de 12 jours », "" when not late


@dataclass(frozen=True)
class IndicatorRow:
    uid: str
    name: str
    latest: str  # « 52 % le 30 novembre 2026 », "" without a measurement
    quality_code: str
    quality: str  # the latest measurement's data quality, short (« Vérifiée »)
    author: str
    source: str
    progress: str  # « 25 % du chemin… », "" when there is nothing to count (the verdict says why)
    verdict_code: str
    verdict: str
    count: int  # measurements
    chart: Chart


def days_late(line: LineStatus) -> str:
    return ngettext("Late by %(days)s day", "Late by %(days)s days", line.days_late) % {
        "days": line.days_late
    }


def line_rows(document: Document) -> tuple[LineRow, ...]:
    if document.follow_up is None:
        return ()
    return tuple(
        LineRow(
            uid=line.uid,
            action=line.action or "—",
            start=day(line.start) or "—",
            end=day(line.end) or "—",
            status_code=line.status or "none",
            status=document.status(line.status) or _("Status not given"),
            late=days_late(line) if line.late else "",
        )
        for line in document.follow_up.lines
    )


def _latest(trajectory: Trajectory) -> str:
    latest = trajectory.latest
    if latest is None:
        return ""
    return _("%(value)s on %(date)s") % {
        "value": with_unit(latest.value, trajectory.unit),
        "date": day(latest.date),
    }


def indicator_rows(document: Document) -> tuple[IndicatorRow, ...]:
    if document.follow_up is None:
        return ()
    charts = trajectory_charts(document)
    return tuple(
        IndicatorRow(
            uid=t.uid,
            name=t.name or "—",
            latest=_latest(t),
            quality_code=t.latest.quality if t.latest else "",
            quality=document.quality(t.latest.quality) if t.latest else "",
            author=t.latest.author if t.latest else "",
            source=t.latest.source if t.latest else "",
            progress=progress_text(t) if t.progress is not None else "",
            verdict_code=t.verdict,
            verdict=verdict_text(t),
            count=len(t.measurements),
            chart=chart,
        )
        for t, chart in zip(document.follow_up.trajectories, charts, strict=True)
    )


def method() -> str:
    """How « on track » is computed, said once on the page and in the PDF."""
    return _(
        "Progress is the share of the way from the baseline to the target covered by the "
        "latest measurement (a target below its baseline is a decrease). An indicator is on "
        "track when that share is at least the share of the time elapsed between the "
        "baseline’s date and the target’s, on the date of the measurement: the dashed "
        "straight line of its chart. A roadmap line is late when it is planned and its start "
        "date has passed, or in progress and its end date has passed."
    )


def needs_measurements() -> str:
    return _(
        "Measurements need the newer worksheet (version 3, section 6.3): until the plan moves "
        "to it, each indicator shows its way from baseline to target only."
    )


def summary_entries(document: Document) -> tuple[Entry, ...]:
    """The follow-up as two lists for the deliverables: the roadmap's lines with their
    status and lateness, the indicators with their latest value and progress."""
    lines = line_rows(document)
    roadmap = Entry(
        id="follow-up-roadmap",
        kind=ItemKind.RECORDS,
        question=_("Roadmap: status of each line"),
        answered=bool(lines),
        columns=(_("Pilot action"), _("Start"), _("End"), _("Status"), _("Late")),
        records=tuple(
            Record(
                uid=row.uid,
                title=row.action,
                cells=(row.action, row.start, row.end, row.status, row.late or _("No")),
            )
            for row in lines
        ),
    )
    indicators = document.follow_up.trajectories if document.follow_up else ()
    summary = Entry(
        id="follow-up-indicators",
        kind=ItemKind.RECORDS,
        question=_("Indicators: latest measurement and progress"),
        answered=bool(indicators),
        columns=(_("Indicator"), _("Latest measurement"), _("Data quality"), _("Progress")),
        records=tuple(
            Record(
                uid=t.uid,
                title=t.name,
                cells=(
                    t.name or "—",
                    _latest(t) or "—",
                    document.quality(t.latest.quality) if t.latest else "—",
                    verdict_text(t)
                    + (f" ({percent(t.progress)})" if t.progress is not None else ""),
                ),
            )
            for t in indicators
        ),
    )
    return roadmap, summary


def heading(today: datetime.date, language: str) -> str:
    return for_language(_("Follow-up on %(date)s") % {"date": long_date(today, language)}, language)
