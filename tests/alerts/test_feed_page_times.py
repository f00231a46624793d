"""The feed's page reads its alerts' times as text (alerts.selectors._feed_page_sql: on
PostgreSQL in UTC through to_char, whatever the session's DateStyle) and parses them itself:
they must be the instants, and the time zone, that the ORM gives, to the microsecond, on
either side of a second, a day and a year, and the cards must show them as before."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from alerts.models import Alert, Post, Source, SourceKind
from alerts.selectors import FeedFilters, alerts_feed, alerts_feed_page

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2026, 1, 16, 6, 59, 59, 999999, tzinfo=UTC),  # a microsecond before local midnight
    datetime(2026, 1, 16, 7, 0, tzinfo=UTC),  # a whole second
    datetime(2026, 1, 16, 7, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 6, 30, 23, 59, 59, 500000, tzinfo=UTC),  # summer time in Denver
    datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
    datetime(2026, 3, 8, 9, 30, 15, 10, tzinfo=UTC),  # the morning the clocks change
]


@pytest.fixture
def timed_alerts(personas):
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    for number, moment in enumerate(MOMENTS):
        post = Post.objects.create(
            source=source, external_id=f"t{number}", text="fight", fingerprint=f"t{number}"
        )
        Alert.objects.create(
            post=post,
            source=source,
            school=personas.school_a,
            score=0.5,
            severity="high",
            top_category="violence",
            group_key=f"t{number}",
            created_at=moment,
        )


def test_the_pages_times_are_the_orms_to_the_microsecond(personas, timed_alerts):
    user = personas.counselor_a
    cards, total = alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=50)
    loaded = list(alerts_feed(user=user, filters=FeedFilters()))
    assert total == len(MOMENTS) == len(cards)
    assert [card.created_at for card in cards] == [alert.created_at for alert in loaded]
    assert sorted(card.created_at for card in cards) == sorted(MOMENTS)
    for card, alert in zip(cards, loaded, strict=True):
        assert card.created_at.tzinfo == alert.created_at.tzinfo
        assert card.created_at.utcoffset() == timedelta(0)
        assert card.created_at.isoformat() == alert.created_at.isoformat()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's DateStyle")
def test_the_pages_times_do_not_depend_on_the_sessions_date_style(personas, timed_alerts):
    user = personas.counselor_a
    expected, _total = alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=50)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'SQL, DMY'")
    cards, _total = alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=50)
    assert [card.created_at for card in cards] == [card.created_at for card in expected]
