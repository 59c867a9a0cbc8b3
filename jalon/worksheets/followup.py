"""The plan's follow-up, computed from its lists: where each indicator stands on its way from
baseline to target, and which lines of the roadmap are late.

Pure functions over plain data (records as (uid, data) pairs, the way the reports and the rules
read them); « today » is an argument, so the same plan read on another day, or in a test, gives
the answer of that day.

How an indicator is judged (the follow-up page says it in words too):

- progress is the share of the way from the baseline to the target that the latest measurement
  has covered, (latest − baseline) / (target − baseline): 0 at the baseline, 1 at the target,
  above 1 beyond it, below 0 when the value moved the wrong way. A target below its baseline is
  a decrease, and the same formula counts a fall as progress;
- the expected line is the straight line from the baseline (at its date) to the target (at its
  date). On the date of the latest measurement it expects a share of the way equal to the share
  of the time elapsed (0 before the baseline's date, 1 after the target's); the indicator is on
  track when its progress is at least that share, behind when it is less.

A roadmap line is late when its status says it has not moved as its dates say it should: planned
(or no status given) and its start date passed, or in progress and its end date passed. Done,
suspended and cancelled lines are never late. « Passed » means strictly before today.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

RecordRows = Sequence[tuple[str, Mapping[str, Any]]]  # a list's records: (uid, data), in order

# What can be said of an indicator, best first.
REACHED = "reached"  # the latest measurement is at or beyond the target
ON_TRACK = "on_track"  # at or beyond the expected line on its date
BEHIND = "behind"  # short of the expected line on its date
NO_MEASUREMENT = "no_measurement"  # baseline, target and dates known, nothing measured yet
FLAT = "flat"  # the target equals the baseline: no way to count progress
INCOMPLETE = "incomplete"  # baseline or target value, or one of their dates, missing

# Roadmap statuses (the worksheet's codes) and the one Jalon computes.
PLANNED = "planned"
IN_PROGRESS = "in_progress"
LATE = "late"
NEVER_LATE = frozenset({"done", "suspended", "cancelled"})


def stored_number(value: Any) -> Decimal | None:
    """A number as a plan stores it (text), or None for anything else: an imported file may
    hold anything, and reading it must not fail."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def stored_date(value: Any) -> datetime.date | None:
    """A date as a plan stores it (ISO text), or None for anything else."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Point:
    """The baseline or the target: a value, and its date when given."""

    value: Decimal
    date: datetime.date | None


@dataclass(frozen=True)
class Measurement:
    uid: str
    date: datetime.date
    value: Decimal
    source: str
    quality: str  # the scale's code (verified, reported, estimated), "" when not given
    author: str  # who entered it, as the plan knows them
    notes: str = ""


@dataclass(frozen=True)
class Trajectory:
    """One indicator: baseline, its measurements in date order, target, and the verdict."""

    uid: str
    name: str
    unit: str
    baseline: Point | None
    target: Point | None
    measurements: tuple[Measurement, ...]
    verdict: str
    progress: Decimal | None = None  # share of the way covered by the latest measurement
    expected: Decimal | None = None  # share the straight line expects on the latest date

    @property
    def latest(self) -> Measurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def direction(self) -> int:
        """1: the target is above the baseline; -1: below (a decrease); 0: equal or unknown."""
        if self.baseline is None or self.target is None:
            return 0
        return (self.target.value > self.baseline.value) - (self.target.value < self.baseline.value)

    @property
    def dated(self) -> bool:
        """Baseline and target both dated, the target after the baseline: the straight line
        exists."""
        return (
            self.baseline is not None
            and self.target is not None
            and self.baseline.date is not None
            and self.target.date is not None
            and self.target.date > self.baseline.date
        )

    def expected_value(self, day: datetime.date) -> Decimal | None:
        """The value the straight line expects on `day` (the baseline before its date, the
        target after its own); None without a dated baseline and target."""
        share = self.expected_share(day)
        if share is None or self.baseline is None or self.target is None:
            return None
        return self.baseline.value + (self.target.value - self.baseline.value) * share

    def expected_share(self, day: datetime.date) -> Decimal | None:
        if not self.dated or self.baseline is None or self.target is None:
            return None
        assert self.baseline.date is not None and self.target.date is not None
        elapsed = (day - self.baseline.date).days
        total = (self.target.date - self.baseline.date).days
        return min(Decimal(1), max(Decimal(0), Decimal(elapsed) / Decimal(total)))


@dataclass(frozen=True)
class LineStatus:
    """One roadmap line: its status as entered and, computed from today, whether it is late."""

    uid: str
    action: str
    start: datetime.date | None
    end: datetime.date | None
    status: str  # the worksheet's code, "" when not given
    late: bool
    days_late: int  # 0 when not late

    @property
    def state(self) -> str:
        """What the follow-up shows: « late » over the status as entered."""
        return LATE if self.late else self.status


@dataclass(frozen=True)
class FollowUp:
    today: datetime.date
    trajectories: tuple[Trajectory, ...]
    lines: tuple[LineStatus, ...]

    @property
    def late(self) -> tuple[LineStatus, ...]:
        return tuple(line for line in self.lines if line.late)


def _point(data: Mapping[str, Any], value: str, date: str) -> Point | None:
    number = stored_number(data.get(value))
    return Point(number, stored_date(data.get(date))) if number is not None else None


def _verdict(
    baseline: Point | None, target: Point | None, measurements: Sequence[Measurement]
) -> tuple[str, Decimal | None, Decimal | None]:
    """The verdict, the progress and the expected share (see the module's note)."""
    sketch = Trajectory("", "", "", baseline, target, (), INCOMPLETE)
    if baseline is None or target is None or not sketch.dated:
        return INCOMPLETE, None, None
    if baseline.value == target.value:
        return FLAT, None, None
    if not measurements:
        return NO_MEASUREMENT, None, None
    latest = measurements[-1]
    progress = (latest.value - baseline.value) / (target.value - baseline.value)
    expected = sketch.expected_share(latest.date)
    assert expected is not None  # dated, checked above
    if progress >= 1:
        return REACHED, progress, expected
    return (ON_TRACK if progress >= expected else BEHIND), progress, expected


def trajectory(
    uid: str,
    indicator: Mapping[str, Any],
    measurements: RecordRows,
    authors: Mapping[str, str],
) -> Trajectory:
    """One indicator of 6.1 and the measurements of 6.3 that refer to it (`measurements` may
    hold others: they are left out). A measurement without a date or a value is left out too:
    it cannot be placed on the way."""
    own = [
        Measurement(
            uid=m_uid,
            date=day,
            value=value,
            source=_text(data.get("source")),
            quality=_text(data.get("quality")),
            author=authors.get(m_uid, ""),
            notes=_text(data.get("notes")),
        )
        for m_uid, data in measurements
        if data.get("indicator") == uid
        and (day := stored_date(data.get("date"))) is not None
        and (value := stored_number(data.get("value"))) is not None
    ]
    own.sort(key=lambda m: m.date)  # stable: two on the same day keep the list's order
    baseline = _point(indicator, "baseline_value", "baseline_date")
    target = _point(indicator, "target_value", "target_date")
    verdict, progress, expected = _verdict(baseline, target, own)
    return Trajectory(
        uid=uid,
        name=_text(indicator.get("name")),
        unit=_text(indicator.get("unit")),
        baseline=baseline,
        target=target,
        measurements=tuple(own),
        verdict=verdict,
        progress=progress,
        expected=expected,
    )


def line_status(
    uid: str, data: Mapping[str, Any], today: datetime.date, action: str = ""
) -> LineStatus:
    start, end = stored_date(data.get("start")), stored_date(data.get("end"))
    status = _text(data.get("status"))
    days = 0
    if status in ("", PLANNED) and start is not None and start < today:
        days = (today - start).days
    elif status == IN_PROGRESS and end is not None and end < today:
        days = (today - end).days
    return LineStatus(
        uid=uid,
        action=action,
        start=start,
        end=end,
        status=status,
        late=days > 0,
        days_late=days,
    )


def follow_up(
    records: Mapping[str, RecordRows],
    today: datetime.date,
    *,
    titles: Mapping[str, str] | None = None,
    authors: Mapping[str, str] | None = None,
) -> FollowUp:
    """The follow-up of a plan's lists: `records` maps a list's id (indicators, measurements,
    roadmap) to its records; `titles` a record's uid to its name (a roadmap line's pilot
    action); `authors` a measurement's uid to who entered it."""
    titles = titles or {}
    authors = authors or {}
    measurements = records.get("measurements", ())
    return FollowUp(
        today=today,
        trajectories=tuple(
            trajectory(uid, data, measurements, authors)
            for uid, data in records.get("indicators", ())
        ),
        lines=tuple(
            line_status(uid, data, today, titles.get(uid, ""))
            for uid, data in records.get("roadmap", ())
        ),
    )
