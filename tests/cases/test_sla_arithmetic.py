"""SLA arithmetic (tipline.sla): timezones, daylight saving, school hours and weekends.

America/Denver in 2026: clocks spring forward on Sunday 8 March (02:00 MST -> 03:00 MDT) and
fall back on Sunday 1 November (02:00 MDT -> 01:00 MST).
"""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from cases import sla_arithmetic as sla
from cases.sla_arithmetic import LIFE_SAFETY, ROUTINE, URGENT, SchoolHours, SlaTargets, due_times

DENVER = ZoneInfo("America/Denver")
TARGETS = SlaTargets()


def hours(tz="America/Denver", weekdays="12345", start=time(7, 30), end=time(16, 0)):
    school = SimpleNamespace(
        timezone=tz, day_starts_at=start, day_ends_at=end, school_weekdays=weekdays
    )
    return SchoolHours.of(school)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(*args, tz=DENVER):
    return datetime(*args, tzinfo=tz)


def routine_due(opened, school_hours, targets=TARGETS):
    return due_times(
        opened_at=opened, priority=ROUTINE, targets=targets, hours=school_hours
    ).first_response_due_at


def test_it_ends_the_next_school_day_in_daylight_time_after_spring_forward():
    # Friday 6 March 17:00 MST, after school: due Monday 9 March 16:00 MDT (UTC-6).
    assert routine_due(local(2026, 3, 6, 17, 0), hours()) == utc(2026, 3, 9, 22, 0)


def test_it_ends_the_next_school_day_in_standard_time_after_fall_back():
    # Friday 30 October 10:00 MDT: due Monday 2 November 16:00 MST (UTC-7).
    assert routine_due(local(2026, 10, 30, 10, 0), hours()) == utc(2026, 11, 2, 23, 0)


def test_it_counts_urgent_hours_as_elapsed_time_across_spring_forward():
    opened = local(2026, 3, 8, 0, 30)  # 07:30 UTC; the wall clock skips 02:00-03:00
    due = due_times(opened_at=opened, priority=URGENT, targets=TARGETS, hours=hours())
    assert due.acknowledge_due_at is None
    assert due.first_response_due_at == utc(2026, 3, 8, 11, 30)
    assert due.first_response_due_at.astimezone(DENVER).hour == 5  # 5 wall-clock hours later


def test_it_counts_urgent_hours_as_elapsed_time_across_fall_back():
    opened = local(2026, 11, 1, 0, 30)  # 06:30 UTC, MDT; 01:00-02:00 happens twice
    due = due_times(opened_at=opened, priority=URGENT, targets=TARGETS, hours=hours())
    assert due.first_response_due_at - opened == timedelta(hours=4)
    assert due.first_response_due_at.astimezone(DENVER).hour == 3  # 3 wall-clock hours later


def test_it_wants_life_safety_acknowledged_in_five_minutes_at_2_am_on_the_dst_night():
    opened = local(2026, 3, 8, 1, 58)
    due = due_times(opened_at=opened, priority=LIFE_SAFETY, targets=TARGETS, hours=hours())
    assert due.acknowledge_due_at == utc(2026, 3, 8, 9, 3)
    assert due.acknowledge_due_at.astimezone(DENVER).time() == time(3, 3)
    # Elapsed, not wall-clock: aware-local arithmetic (opened + 4h) would be an hour late.
    assert due.first_response_due_at == utc(2026, 3, 8, 12, 58)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("America/New_York", utc(2026, 3, 11, 20, 0)),  # Tue 18:30 EDT -> Wed 16:00 EDT
        ("Pacific/Honolulu", utc(2026, 3, 12, 2, 0)),  # Tue 12:30 HST -> Wed 16:00 HST
        ("Asia/Kolkata", utc(2026, 3, 12, 10, 30)),  # Wed 04:00 IST -> Thu 16:00 IST
        ("America/Denver", utc(2026, 3, 11, 22, 0)),  # Tue 16:30 MDT -> Wed 16:00 MDT
    ],
)
def test_it_reads_the_school_day_in_the_schools_own_timezone(tz, expected):
    assert routine_due(utc(2026, 3, 10, 22, 30), hours(tz=tz)) == expected


def test_it_skips_weekends_and_follows_a_sunday_to_thursday_week():
    saturday = local(2026, 5, 16, 11, 0)
    assert routine_due(saturday, hours()) == local(2026, 5, 18, 16, 0)  # Monday
    thursday_evening = local(2026, 5, 14, 18, 0)
    assert routine_due(thursday_evening, hours(weekdays="71234")) == local(2026, 5, 17, 16, 0)


def test_it_counts_several_school_days_when_the_district_allows_them():
    friday = local(2026, 5, 15, 9, 0)
    targets = SlaTargets(routine_school_days=2)
    assert routine_due(friday, hours(), targets) == local(2026, 5, 19, 16, 0)  # Tuesday


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (local(2026, 5, 18, 7, 29), False),
        (local(2026, 5, 18, 7, 30), True),
        (local(2026, 5, 18, 15, 59), True),
        (local(2026, 5, 18, 16, 0), False),
        (local(2026, 5, 16, 10, 0), False),  # Saturday
        (utc(2026, 5, 18, 14, 0), True),  # 08:00 MDT
        (utc(2026, 5, 18, 13, 0), False),  # 07:00 MDT
    ],
)
def test_it_knows_school_hours(moment, inside):
    assert sla.is_school_hours(moment, hours()) is inside


def test_it_resolves_skipped_and_repeated_wall_clock_times():
    # 02:30 does not exist on 8 March: it is taken as 03:30 MDT.
    assert sla.local_moment(local(2026, 3, 8).date(), time(2, 30), DENVER) == utc(2026, 3, 8, 9, 30)
    # 01:30 happens twice on 1 November: the first (MDT) is meant.
    assert sla.local_moment(local(2026, 11, 1).date(), time(1, 30), DENVER) == utc(
        2026, 11, 1, 7, 30
    )


def test_it_finds_the_next_start_and_the_last_end_across_a_weekend():
    saturday_noon = local(2026, 3, 7, 12, 0)
    assert sla.next_school_day_start(saturday_noon, hours()) == local(2026, 3, 9, 7, 30)
    assert sla.previous_school_day_end(saturday_noon, hours()) == local(2026, 3, 6, 16, 0)
    assert sla.next_school_day_start(local(2026, 3, 9, 7, 30), hours()) == local(2026, 3, 9, 7, 30)


def test_it_refuses_naive_datetimes_and_empty_calendars():
    with pytest.raises(ValueError):
        routine_due(datetime(2026, 3, 9, 12, 0), hours())
    with pytest.raises(ValueError):
        sla.school_days_after(
            utc(2026, 3, 9), SchoolHours(DENVER, time(8), time(9), frozenset()), 1
        )


def test_it_names_missed_deadlines_only_when_unmet_and_past():
    due = utc(2026, 3, 9, 12, 0)
    after, before = due + timedelta(seconds=1), due - timedelta(seconds=1)
    kwargs = {"acknowledge_due_at": due, "first_response_due_at": due}
    assert sla.missed_deadlines(
        now=after, acknowledged_at=None, first_response_at=None, **kwargs
    ) == ["acknowledge", "first_response"]
    assert (
        sla.missed_deadlines(now=before, acknowledged_at=None, first_response_at=None, **kwargs)
        == []
    )
    assert (
        sla.missed_deadlines(now=after, acknowledged_at=before, first_response_at=before, **kwargs)
        == []
    )
