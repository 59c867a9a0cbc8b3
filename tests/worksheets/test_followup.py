"""The follow-up's arithmetic, without a database: trajectories (progress toward the target,
either way; on track against the straight line) and the roadmap's lateness on a given day."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jalon.worksheets import followup
from jalon.worksheets.followup import follow_up, line_status, trajectory

D = datetime.date

RATE = {  # 40 % on 1 January 2026 to 60 % on 1 January 2027: 365 days
    "name": "Taux de collecte",
    "unit": "%",
    "baseline_value": "40",
    "baseline_date": "2026-01-01",
    "target_value": "60",
    "target_date": "2027-01-01",
}
DELAY = {  # 10 days down to 2 days over the same year: a decrease
    "name": "Délai de réponse",
    "unit": "jours",
    "baseline_value": "10",
    "baseline_date": "2026-01-01",
    "target_value": "2",
    "target_date": "2027-01-01",
}


def measured(
    *readings: tuple[str, str, str], indicator: str = "i1"
) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"m{n}", {"indicator": indicator, "date": day, "value": value, "quality": quality})
        for n, (day, value, quality) in enumerate(readings)
    ]


def test_measurements_come_in_date_order_with_their_source_quality_and_author():
    rows = [
        ("m1", {"indicator": "i1", "date": "2026-09-30", "value": "50", "source": "Registre",
                "quality": "verified"}),
        ("m2", {"indicator": "i1", "date": "2026-03-31", "value": "43", "quality": "estimated"}),
        ("m3", {"indicator": "other", "date": "2026-05-01", "value": "99"}),
    ]  # fmt: skip
    t = trajectory("i1", RATE, rows, {"m1": "Awa", "m2": "Moussa"})
    assert [m.uid for m in t.measurements] == ["m2", "m1"]  # by date; another indicator's left out
    assert t.latest is not None
    assert (t.latest.value, t.latest.source, t.latest.quality, t.latest.author) == (
        Decimal(50),
        "Registre",
        "verified",
        "Awa",
    )
    assert t.baseline == followup.Point(Decimal(40), D(2026, 1, 1))
    assert t.target == followup.Point(Decimal(60), D(2027, 1, 1))


def test_a_measurement_without_a_date_or_a_number_is_left_out():
    rows = [
        ("a", {"indicator": "i1", "date": "", "value": "50"}),
        ("b", {"indicator": "i1", "date": "2026-13-01", "value": "50"}),
        ("c", {"indicator": "i1", "date": "2026-06-01", "value": "beaucoup"}),
        ("d", {"indicator": "i1", "date": "2026-06-01", "value": "NaN"}),
    ]
    t = trajectory("i1", RATE, rows, {})
    assert t.measurements == () and t.verdict == followup.NO_MEASUREMENT


def test_progress_is_the_share_of_the_way_and_on_track_compares_it_with_the_time_elapsed():
    # Half the year gone (1 July: 181 of 365 days), value at 50 of 40 → 60: half the way.
    on = trajectory("i1", RATE, measured(("2026-07-01", "50", "verified")), {})
    assert on.progress == Decimal("0.5")
    assert on.expected == Decimal(181) / Decimal(365)
    assert on.verdict == followup.ON_TRACK
    # The same value three months later is behind: three quarters of the time are gone.
    late = trajectory("i1", RATE, measured(("2026-10-01", "50", "verified")), {})
    assert late.progress == Decimal("0.5") and late.expected == Decimal(273) / Decimal(365)
    assert late.verdict == followup.BEHIND


def test_a_target_below_the_baseline_counts_a_fall_as_progress():
    # 10 → 2 days; 6 days on 1 July is half the way down, on track; 12 days is the wrong way.
    down = trajectory("i1", DELAY, measured(("2026-07-01", "6", "reported")), {})
    assert down.direction == -1
    assert down.progress == Decimal("0.5") and down.verdict == followup.ON_TRACK
    worse = trajectory("i1", DELAY, measured(("2026-07-01", "12", "reported")), {})
    assert worse.progress == Decimal("-0.25") and worse.verdict == followup.BEHIND
    assert down.expected_value(D(2026, 7, 1)) == Decimal(10) - Decimal(8) * Decimal(181) / 365


def test_a_value_at_or_beyond_the_target_has_reached_it():
    t = trajectory("i1", DELAY, measured(("2026-03-01", "1.5", "verified")), {})
    assert t.progress == Decimal("1.0625") and t.verdict == followup.REACHED


def test_the_straight_line_holds_the_baseline_before_its_date_and_the_target_after_its_own():
    t = trajectory("i1", RATE, (), {})
    assert t.expected_value(D(2025, 6, 1)) == Decimal(40)
    assert t.expected_value(D(2028, 6, 1)) == Decimal(60)
    early = trajectory("i1", RATE, measured(("2025-12-01", "40", "")), {})
    assert early.expected == 0 and early.verdict == followup.ON_TRACK


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        ({"baseline_value": ""}, followup.INCOMPLETE),
        ({"target_date": ""}, followup.INCOMPLETE),
        ({"target_date": "2025-06-01"}, followup.INCOMPLETE),  # the target before the baseline
        ({"target_value": "40"}, followup.FLAT),
    ],
)
def test_without_a_dated_baseline_and_target_or_with_a_flat_one_nothing_is_judged(change, verdict):
    t = trajectory("i1", {**RATE, **change}, measured(("2026-07-01", "50", "verified")), {})
    assert t.verdict == verdict
    assert t.progress is None and t.expected is None
    assert len(t.measurements) == 1  # still shown


TODAY = D(2026, 12, 1)


@pytest.mark.parametrize(
    ("data", "late", "days"),
    [
        ({"status": "planned", "start": "2026-11-21", "end": "2027-06-30"}, True, 10),
        ({"status": "", "start": "2026-11-30"}, True, 1),  # no status: not started
        ({"status": "planned", "start": "2026-12-01"}, False, 0),  # starts today: not yet late
        ({"status": "planned", "start": "2027-01-15"}, False, 0),
        ({"status": "in_progress", "start": "2026-01-01", "end": "2026-11-01"}, True, 30),
        ({"status": "in_progress", "start": "2026-01-01", "end": "2027-01-01"}, False, 0),
        ({"status": "in_progress", "start": "2026-01-01"}, False, 0),  # no end: cannot say
        ({"status": "done", "start": "2025-01-01", "end": "2025-06-30"}, False, 0),
        ({"status": "suspended", "start": "2025-01-01", "end": "2025-06-30"}, False, 0),
        ({"status": "cancelled", "start": "2025-01-01", "end": "2025-06-30"}, False, 0),
        ({"status": "planned", "start": "not a date"}, False, 0),
    ],
)
def test_a_roadmap_line_is_late_when_its_status_lags_behind_its_dates(data, late, days):
    line = line_status("r1", data, TODAY, "Paiement mobile")
    assert (line.late, line.days_late) == (late, days)
    assert line.state == ("late" if late else data["status"])
    assert line.status == data["status"]  # the status as entered stays


def test_follow_up_takes_today_as_given_and_reads_every_list():
    records = {
        "indicators": [("i1", RATE), ("i2", DELAY)],
        "measurements": measured(("2026-07-01", "6", "verified"), indicator="i2"),
        "roadmap": [("r1", {"status": "in_progress", "end": "2026-11-01"})],
    }
    now = follow_up(records, TODAY, titles={"r1": "Paiement mobile"}, authors={"m0": "Awa"})
    assert [t.verdict for t in now.trajectories] == [followup.NO_MEASUREMENT, followup.ON_TRACK]
    assert now.trajectories[1].latest is not None
    assert now.trajectories[1].latest.author == "Awa"
    assert [line.action for line in now.late] == ["Paiement mobile"]
    before = follow_up(records, D(2026, 10, 1))
    assert before.late == () and before.today == D(2026, 10, 1)
