"""The feed's page is one SQL query (alerts.selectors.alerts_feed_page): its scope and filters
compiled from the ORM's own (alerts_feed) and kept per scope, filters and time zone, its cards
read as plain values. It must give what the ORM gives: alerts_feed's alerts in its order, each
as FeedCard.from_alert draws it from the loaded alert, and alerts_feed's count, for every
filter, every scope and every kind of card, on SQLite and PostgreSQL alike."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role
from alerts.models import Alert, AlertStatus, Post, Source, SourceKind
from alerts.selectors import FeedCard, FeedFilters, alerts_feed, alerts_feed_page
from tests.factories import UserFactory, case_factory

pytestmark = pytest.mark.django_db

# Local midnight in Denver (the settings' TIME_ZONE) on 2026-01-15 and 2026-01-16 is 07:00
# UTC: alerts on either side of it fall on different local days.
MIDNIGHT = datetime(2026, 1, 16, 7, 0, tzinfo=UTC)
SEVERITIES = ["low", "critical", "medium", "high", "none", "critical", "medium", "low"]


def _orm_page(user, filters, offset, size):
    feed = alerts_feed(user=user, filters=filters)
    return [FeedCard.from_alert(alert) for alert in feed[offset : offset + size]], feed.count()


@pytest.fixture
def feed_alerts(personas):
    """Alerts at the three schools from two sources, on both sides of local midnight, with
    ties on the time, every severity, status and second reading, cases, reviewers with and
    without a name, spans in the post and in the school words, copies, links and markup."""
    district, other = personas.school_a.district, personas.school_c.district
    monitor = Source.objects.create(district=district, kind=SourceKind.PUSH, name="Monitor")
    rss = Source.objects.create(district=district, kind=SourceKind.RSS, name="News <feed>")
    far = Source.objects.create(district=other, kind=SourceKind.PUSH, name="Far")
    nameless = UserFactory(email="nameless@example.org", full_name="")
    case = case_factory(personas.school_a)
    schools = [personas.school_a, personas.school_b, personas.school_c]
    for number in range(40):
        school = schools[number % 3]
        source = far if school == personas.school_c else (monitor, rss)[number % 2]
        text = f"<b>fight</b> at Lincoln High & more #{number}"
        post = Post.objects.create(
            source=source,
            external_id=f"p{number}",
            text=text,
            url=("https://example.org/p", "", "javascript:alert(1)")[number % 3],
            author_handle=("@someone", "")[number % 2],
            fingerprint=f"f{number}",
        )
        status = (AlertStatus.NEW, AlertStatus.NEW, AlertStatus.DISMISSED, AlertStatus.ESCALATED)[
            number % 4
        ]
        Alert.objects.create(
            post=post,
            source=source,
            school=school,
            score=(0.5, 0.675, 0.125, 0.999)[number % 4],
            severity=SEVERITIES[number // 2 % len(SEVERITIES)],
            top_category=("violence", "weapons", "self_harm", "bullying")[number % 4],
            matches=[{"start": 3, "end": 8, "category": "violence", "phrase": "fight"}]
            if number % 2
            else [],
            school_matches=[{"start": 16, "end": 28}] if number % 3 else [],
            status=status,
            dismissal_reason="duplicate" if status == AlertStatus.DISMISSED else "",
            reviewed_by=(personas.counselor_a, nameless)[number % 2] if status != "new" else None,
            case=case if status == AlertStatus.ESCALATED and number % 8 == 3 else None,
            group_key=f"g{number}",
            group_size=1 + number % 3,
            second_tier=("", "pending", "confirmed", "not_confirmed", "unavailable")[number % 5],
            second_tier_score=None if number % 5 in (0, 1, 4) else 0.31,
            # Hours either side of local midnight; two by two at the same moment and severity
            # (the higher id first).
            created_at=MIDNIGHT + timedelta(hours=number // 2 % 7 - 3, seconds=number // 14),
        )
    return schools, monitor


FILTERS = [
    FeedFilters(),
    FeedFilters(status=AlertStatus.NEW),
    FeedFilters(status=AlertStatus.DISMISSED),
    FeedFilters(status=AlertStatus.ESCALATED),
    FeedFilters(category="weapons"),
    FeedFilters(severity="critical"),
    FeedFilters(severity="critical", status=AlertStatus.NEW, category="violence"),
    FeedFilters(since=date(2026, 1, 16)),
    FeedFilters(until=date(2026, 1, 15)),
    FeedFilters(since=date(2026, 1, 15), until=date(2026, 1, 15)),
    FeedFilters(since=date(2026, 1, 17)),
]


@pytest.mark.parametrize(
    "who", ["counselor_a", "counselor_b", "district_admin", "other_district_admin"]
)
@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_every_page_is_what_the_orm_gives(personas, feed_alerts, who, filters):
    user = getattr(personas, who)
    expected, total = _orm_page(user, filters, 0, 1000)
    assert total == len(expected)
    for size in (1, 3, 50):
        for offset in range(0, total + size, size):
            page = alerts_feed_page(user=user, filters=filters, offset=offset, size=size)
            if offset >= total:
                assert page == ([], 0)
            else:
                assert page == (expected[offset : offset + size], total)


def test_the_filters_by_school_and_source_are_the_orms(personas, feed_alerts):
    schools, monitor = feed_alerts
    admin = personas.district_admin
    for filters in (
        FeedFilters(school=schools[1].id),
        FeedFilters(source=monitor.id),
        FeedFilters(school=schools[0].id, source=monitor.id, status=AlertStatus.NEW),
        # Out of scope: nothing, never another district's alerts.
        FeedFilters(school=schools[2].id),
    ):
        assert alerts_feed_page(user=admin, filters=filters, offset=0, size=50) == _orm_page(
            admin, filters, 0, 50
        )


def test_the_cards_hold_the_loaded_alerts_values(personas, feed_alerts):
    """What the comparison rests on: the scenario's cards differ where the card draws them
    differently (a reviewer without a name reads as the email, a case's reference, spans)."""
    cards, _total = alerts_feed_page(
        user=personas.district_admin, filters=FeedFilters(), offset=0, size=100
    )
    assert {card.reviewed_by for card in cards} == {None, "Alice Counselor", "nameless@example.org"}
    assert {bool(card.case_reference) for card in cards} == {True, False}
    assert {len(card.matches) for card in cards} == {0, 1}
    assert all(card.created_at.tzinfo is not None for card in cards)
    assert {card.source_name for card in cards} == {"Monitor", "News <feed>"}


def test_the_date_filters_follow_the_time_zone_of_the_request(personas, feed_alerts):
    """The kept WHERE clause is per time zone: the same dates in another zone are other
    moments, as the ORM's __date lookups say."""
    filters = FeedFilters(since=date(2026, 1, 16))
    user = personas.district_admin
    denver = alerts_feed_page(user=user, filters=filters, offset=0, size=100)
    with timezone.override("Asia/Tokyo"):
        tokyo = alerts_feed_page(user=user, filters=filters, offset=0, size=100)
        assert tokyo == _orm_page(user, filters, 0, 100)
    assert denver == _orm_page(user, filters, 0, 100)
    assert denver[1] != tokyo[1]


def test_a_changed_scope_is_read_anew(personas, feed_alerts):
    schools, _monitor = feed_alerts
    user = personas.counselor_a
    before = alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=100)
    Membership.objects.create(user=user, school=schools[1], role=Role.COUNSELOR)
    user = type(user).objects.get(pk=user.pk)  # roles are read once per user object
    after = alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=100)
    assert after == _orm_page(user, FeedFilters(), 0, 100)
    assert after[1] > before[1]


def test_no_scope_is_an_empty_page(personas, feed_alerts):
    user = personas.principal_a  # no school where they may triage
    assert alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=50) == ([], 0)
    assert _orm_page(user, FeedFilters(), 0, 50) == ([], 0)


def test_one_query_whatever_the_rows(personas, feed_alerts):
    user = personas.district_admin
    _expected, total = _orm_page(user, FeedFilters(), 0, 50)  # and the roles read
    for size in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            cards, _total = alerts_feed_page(user=user, filters=FeedFilters(), offset=0, size=size)
        assert len(cards) == min(size, total) and len(queries) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_schools_new_alerts_can_be_read_in_order_from_the_feeds_index(personas, feed_alerts):
    """The page's ORDER BY is written as the feed's index ranks (alert_feed_new_idx): the
    planner can read a school's first new alerts from it in order, without a sort. (On these
    few rows it would rather scan the table: scans and sorts are priced out to ask.)"""
    user = personas.counselor_a
    filters = FeedFilters(status=AlertStatus.NEW)
    alerts_feed_page(user=user, filters=filters, offset=0, size=1)  # the roles read
    with CaptureQueriesContext(connection) as queries:
        alerts_feed_page(user=user, filters=filters, offset=0, size=5)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The page's LIMIT reads the index itself: no sort between them.
    assert re.search(
        r"Limit .*\n *-> +Index Scan using alert_feed_new_idx on alerts_alert", plan
    ), plan
