import httpx
import pytest

from alerts.connectors import ConnectorError, RateLimited, connector_for
from alerts.models import Source, SourceKind

from .conftest import FakeHTTP, payload

FEED_URL = "https://forum.example.org/westview/feed.rss"


def feed_source(**fields):
    return Source(kind=SourceKind.RSS, name="Forum", feed_url=FEED_URL, **fields)


def xml(name: str, status: int = 200, headers=None) -> httpx.Response:
    return httpx.Response(
        status,
        content=payload(name),
        headers={"Content-Type": "application/xml", **(headers or {})},
    )


def test_it_reads_rss_items_and_keeps_the_validators():
    fake = FakeHTTP(
        xml(
            "rss_feed.xml",
            headers={"ETag": '"v42"', "Last-Modified": "Mon, 02 Mar 2026 15:20:00 GMT"},
        )
    )
    result = connector_for(source=feed_source(), client=fake.client).fetch()
    assert [p.external_id for p in result.posts] == [
        "forum-westview-post-8812-3",
        "forum-westview-post-8810-1",
    ]
    first = result.posts[0]
    assert first.text == (
        "Re: lunch on Friday\nI'm going to shoot everyone at Westview High at lunch on Friday"
    )
    assert first.author_handle == "anon_user_55"
    assert first.posted_at.isoformat() == "2026-03-02T15:18:00+00:00"
    assert result.skipped == 1
    assert (result.etag, result.last_modified) == ('"v42"', "Mon, 02 Mar 2026 15:20:00 GMT")
    assert fake.requests[0].extensions["timeout"]["read"] == 10.0


def test_it_reads_atom_entries():
    fake = FakeHTTP(xml("atom_feed.xml"))
    result = connector_for(source=feed_source(), client=fake.client).fetch()
    assert [p.external_id for p in result.posts] == [
        "urn:uuid:board-entry-551",
        "urn:uuid:board-entry-550",
    ]
    assert "nobody would miss you" in result.posts[0].text
    assert result.posts[0].url == "https://board.example.net/westview/551"


def test_it_sends_a_conditional_get_and_understands_304():
    fake = FakeHTTP(httpx.Response(304))
    source = feed_source(etag='"v42"', last_modified="Mon, 02 Mar 2026 15:20:00 GMT")
    result = connector_for(source=source, client=fake.client).fetch()
    headers = fake.requests[0].headers
    assert headers["If-None-Match"] == '"v42"'
    assert headers["If-Modified-Since"] == "Mon, 02 Mar 2026 15:20:00 GMT"
    assert result.not_modified and result.posts == []


def test_it_rejects_a_malformed_feed():
    fake = FakeHTTP(xml("rss_malformed.xml"))
    with pytest.raises(ConnectorError) as caught:
        connector_for(source=feed_source(), client=fake.client).fetch()
    assert "malformed" in str(caught.value)


def test_it_honours_429_and_reports_timeouts():
    fake = FakeHTTP(httpx.Response(429, headers={"Retry-After": "600"}), httpx.ReadTimeout("slow"))
    with pytest.raises(RateLimited):
        connector_for(source=feed_source(), client=fake.client).fetch()
    with pytest.raises(ConnectorError) as caught:
        connector_for(source=feed_source(), client=fake.client).fetch()
    assert "timed out" in str(caught.value)
