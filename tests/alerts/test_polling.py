from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from alerts import tasks
from alerts.models import Alert, Post, Source, SourceKind
from alerts.services import backoff_delay, source_poll, sources_claim_due

from .conftest import FakeHTTP, payload


@pytest.fixture
def feed_source(personas):
    personas.school_a.alert_terms = "Westview High"
    personas.school_a.save()
    source = Source.objects.create(
        district=personas.school_a.district,
        kind=SourceKind.RSS,
        name="Westview forum",
        feed_url="https://forum.example.org/westview/feed.rss",
        poll_interval_seconds=300,
    )
    source.schools.set([personas.school_a])
    return source


def rss(headers=None):
    return httpx.Response(200, content=payload("rss_feed.xml"), headers=headers or {})


def test_a_successful_poll_stores_posts_alerts_and_health(feed_source):
    now = timezone.now()
    fake = FakeHTTP(rss({"ETag": '"v1"'}))
    outcome = source_poll(source_id=feed_source.id, client=fake.client, now=now)
    assert outcome.ok and outcome.created == 2 and outcome.alerts == 1
    feed_source.refresh_from_db()
    assert feed_source.etag == '"v1"' and feed_source.last_success_at == now
    assert feed_source.next_poll_at == now + timedelta(seconds=300)
    assert Alert.objects.get().post.external_id == "forum-westview-post-8812-3"


def test_a_second_poll_sends_the_etag_and_stores_nothing_twice(feed_source):
    fake = FakeHTTP(rss({"ETag": '"v1"'}), httpx.Response(304), rss())
    for _ in range(3):
        assert source_poll(source_id=feed_source.id, client=fake.client).ok
    assert fake.requests[1].headers["If-None-Match"] == '"v1"'
    assert Post.objects.count() == 2 and Alert.objects.count() == 1


def test_failures_back_off_exponentially_and_show_their_error(feed_source):
    now = timezone.now()
    fake = FakeHTTP(httpx.Response(503), httpx.Response(503), rss())
    source_poll(source_id=feed_source.id, client=fake.client, now=now)
    feed_source.refresh_from_db()
    assert feed_source.consecutive_failures == 1
    assert feed_source.next_poll_at == now + timedelta(seconds=600)
    assert "server error 503" in feed_source.last_error
    source_poll(source_id=feed_source.id, client=fake.client, now=now)
    feed_source.refresh_from_db()
    assert feed_source.next_poll_at == now + timedelta(seconds=1200)
    source_poll(source_id=feed_source.id, client=fake.client, now=now)
    feed_source.refresh_from_db()
    assert (feed_source.consecutive_failures, feed_source.last_error) == (0, "")


def test_backoff_is_capped():
    assert backoff_delay(interval_seconds=300, failures=30) == timedelta(hours=6)


def test_a_429_waits_for_its_retry_after(feed_source):
    now = timezone.now()
    fake = FakeHTTP(httpx.Response(429, headers={"Retry-After": "3600"}))
    outcome = source_poll(source_id=feed_source.id, client=fake.client, now=now)
    feed_source.refresh_from_db()
    assert not outcome.ok and "429" in feed_source.last_error
    assert feed_source.next_poll_at == now + timedelta(seconds=3600)


def test_due_sources_are_claimed_once(feed_source, personas):
    Source.objects.create(
        district=personas.school_a.district,
        kind=SourceKind.RSS,
        name="later",
        feed_url="https://x.example/feed",
        next_poll_at=timezone.now() + timedelta(hours=1),
    )
    Source.objects.create(district=personas.school_a.district, kind=SourceKind.PUSH, name="push")
    assert sources_claim_due() == [feed_source.id]
    assert sources_claim_due() == []


def test_the_beat_task_polls_due_sources(feed_source, monkeypatch):
    polled = []
    monkeypatch.setattr(tasks.poll_source, "delay", polled.append)
    assert tasks.poll_due_sources() == [feed_source.id]
    assert polled == [feed_source.id]
