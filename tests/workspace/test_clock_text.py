"""The queue's clock (workspace.templatetags.workspace.Clock) says exactly what Django's date
filter, timesince and timeuntil say, in both languages, while looking each up once per page."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.timesince import timesince, timeuntil

from workspace.templatetags.workspace import Clock

NOW = datetime(2026, 3, 8, 9, 59, 41, 250000, tzinfo=UTC)  # the US changes its clocks today
SCHOOLS = [
    SimpleNamespace(tzinfo=ZoneInfo("America/Denver")),
    SimpleNamespace(tzinfo=ZoneInfo("America/Puerto_Rico")),
    SimpleNamespace(tzinfo=ZoneInfo("Asia/Kolkata")),  # "IST"
    SimpleNamespace(tzinfo=ZoneInfo("America/Sao_Paulo")),  # "-03": no abbreviation
]
# Seconds from a few to 40 days: every unit, both sides of a minute and of four weeks.
SPANS = sorted(
    {0, 1, 59, 60, 61, 119, 3599, 3600, 3661, 86399, 86400, 90061, 604799, 604800}
    | {minutes * 60 + extra for minutes in range(0, 60 * 24 * 40, 397) for extra in (0, 31, 59)}
)


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_says_what_django_says(language):
    with translation.override(language):
        clock = Clock(NOW)
        for seconds in SPANS:
            past = NOW - timedelta(seconds=seconds, microseconds=125000)
            future = NOW + timedelta(seconds=seconds, microseconds=125000)
            assert clock.since(past) == timesince(past, NOW, depth=1), seconds
            assert clock.until(future) == timeuntil(future, NOW, depth=2), seconds
            for school in SCHOOLS:
                local = future.astimezone(school.tzinfo)
                expected = f"{date_format(local, 'D j M Y, H:i')} {local.tzname()}"
                assert clock.absolute(future, school) == expected
                assert clock.absolute_html(future, school) == escape(expected)


def test_it_remembers_words_per_span_not_per_moment():
    clock = Clock(NOW)
    clock.since(NOW - timedelta(hours=3, minutes=1))
    clock.since(NOW - timedelta(hours=3, minutes=40))  # also "3 hours"
    clock.until(NOW + timedelta(days=1, hours=2, minutes=5))
    clock.until(NOW + timedelta(days=1, hours=2, minutes=50))  # also "1 day, 2 hours"
    assert len(clock._spans) == 2
