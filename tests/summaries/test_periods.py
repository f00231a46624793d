"""Periods: spellings, previous periods, and local-day bounds across time zones and DST."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from summaries.periods import PeriodError, period_parse, trend_buckets

TODAY = date(2025, 3, 14)


@pytest.mark.parametrize(
    ("spelling", "first", "last", "previous_first", "previous_last"),
    [
        ("2025-03", date(2025, 3, 1), date(2025, 3, 31), date(2025, 2, 1), date(2025, 2, 28)),
        ("2024-03", date(2024, 3, 1), date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-01", date(2025, 1, 1), date(2025, 1, 31), date(2024, 12, 1), date(2024, 12, 31)),
        ("2025-W01", date(2024, 12, 30), date(2025, 1, 5), date(2024, 12, 23), date(2024, 12, 29)),
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31), date(2024, 10, 1), date(2024, 12, 31)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), date(2023, 1, 1), date(2023, 12, 31)),
        ("SY2024", date(2024, 7, 1), date(2025, 6, 30), date(2023, 7, 1), date(2024, 6, 30)),
        (
            "2025-03-01..2025-03-10",
            date(2025, 3, 1),
            date(2025, 3, 10),
            date(2025, 2, 19),
            date(2025, 2, 28),
        ),
        ("", date(2025, 3, 1), date(2025, 3, 31), date(2025, 2, 1), date(2025, 2, 28)),
    ],
)
def test_it_parses_periods_and_their_previous(spelling, first, last, previous_first, previous_last):
    period = period_parse(spelling, today=TODAY)
    assert (period.first_day, period.last_day) == (first, last)
    previous = period.previous()
    assert (previous.first_day, previous.last_day) == (previous_first, previous_last)
    if spelling:
        assert period_parse(period.key, today=TODAY) == period
        assert previous.next() == period


@pytest.mark.parametrize("spelling", ["2025-13", "2025-02-30..2025-03-01", "next week", "2025-W60"])
def test_it_refuses_unreadable_periods(spelling):
    with pytest.raises(PeriodError):
        period_parse(spelling, today=TODAY)


def test_it_bounds_a_period_by_local_midnights():
    start, end = period_parse("2025-03", today=TODAY).bounds("America/Denver")
    # March 2025 in Denver: UTC-7 on the 1st, UTC-6 after DST began on 9 March.
    assert start == datetime(2025, 3, 1, 7, tzinfo=ZoneInfo("UTC"))
    assert end == datetime(2025, 4, 1, 6, tzinfo=ZoneInfo("UTC"))
    last_evening = datetime(2025, 3, 31, 23, 30, tzinfo=ZoneInfo("America/Denver"))
    assert start <= last_evening < end


def test_it_bounds_the_same_days_differently_in_another_zone():
    period = period_parse("2025-03-01..2025-03-01", today=TODAY)
    denver, _ = period.bounds("America/Denver")
    new_york, end = period.bounds("America/New_York")
    assert denver - new_york == timedelta(hours=2)
    assert end - new_york == timedelta(hours=24)


def test_it_lists_trend_buckets_oldest_first():
    weeks = trend_buckets("week", date(2025, 3, 14), 3)
    assert [w.first_day for w in weeks] == [date(2025, 2, 24), date(2025, 3, 3), date(2025, 3, 10)]
    months = trend_buckets("month", date(2025, 3, 14), 3)
    assert [m.key for m in months] == ["2025-01", "2025-02", "2025-03"]
