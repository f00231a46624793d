import json

import httpx
import pytest

from alerts.connectors import ConnectorError, RateLimited, connector_for
from alerts.models import Source, SourceKind

from .conftest import FakeHTTP, json_response


def mastodon_source(**fields):
    return Source(
        kind=SourceKind.MASTODON,
        name="Mastodon #WestviewHigh",
        server_url="https://mastodon.example",
        query="#WestviewHigh",
        **fields,
    )


def test_it_reads_the_hashtag_timeline_into_posts():
    fake = FakeHTTP(json_response("mastodon_tag_timeline.json"))
    result = connector_for(source=mastodon_source(), client=fake.client).fetch()
    request = fake.requests[0]
    assert request.url.path == "/api/v1/timelines/tag/WestviewHigh"
    assert "min_id" not in request.url.params
    assert [p.external_id for p in result.posts] == ["113456789012345680", "113456789012345672"]
    first = result.posts[0]
    assert first.text == "nobody at #WestviewHigh will miss me. I'm going to hurt myself tonight"
    assert first.author_handle == "@quietfox"
    assert first.url == "https://mastodon.example/@quietfox/113456789012345680"
    assert first.posted_at.isoformat() == "2026-03-02T15:10:02+00:00"
    assert "&" in result.posts[1].text and "&amp;" not in result.posts[1].text
    assert result.skipped == 2  # the item without an id and the string
    assert result.cursor == "113456789012345680"


def test_it_walks_forward_from_the_min_id_cursor():
    fake = FakeHTTP(json_response("mastodon_empty.json"))
    result = connector_for(
        source=mastodon_source(cursor="113456789012345680"), client=fake.client
    ).fetch()
    assert fake.requests[0].url.params["min_id"] == "113456789012345680"
    assert result.posts == []
    assert result.cursor == "113456789012345680"


def test_it_compares_snowflake_ids_numerically_not_as_text():
    statuses = json.loads(json_response("mastodon_tag_timeline.json").content)[:2]
    statuses[1]["id"] = "99999999999999999"  # shorter, so older, though it sorts higher as text
    fake = FakeHTTP(httpx.Response(200, json=statuses))
    result = connector_for(source=mastodon_source(), client=fake.client).fetch()
    assert result.cursor == "113456789012345680"


def test_it_raises_rate_limited_with_the_retry_after_seconds():
    fake = FakeHTTP(
        httpx.Response(429, json={"error": "Too many requests"}, headers={"Retry-After": "120"})
    )
    with pytest.raises(RateLimited) as caught:
        connector_for(source=mastodon_source(), client=fake.client).fetch()
    assert caught.value.retry_after == 120


def test_it_reads_an_http_date_retry_after():
    fake = FakeHTTP(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    with pytest.raises(RateLimited) as caught:
        connector_for(source=mastodon_source(), client=fake.client).fetch()
    assert caught.value.retry_after == 1  # a date in the past: retry at once, not negatively


def test_it_reports_a_missing_tag_as_a_permanent_error():
    fake = FakeHTTP(json_response("mastodon_error_404.json", status=404))
    with pytest.raises(ConnectorError) as caught:
        connector_for(source=mastodon_source(), client=fake.client).fetch()
    assert "404" in str(caught.value) and "Record not found" in str(caught.value)
    assert caught.value.transient is False


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html>maintenance</html>"),
        httpx.Response(200, json={"error": "not a list"}),
        httpx.Response(503, content=b"upstream down"),
        httpx.ConnectTimeout("timed out"),
    ],
)
def test_it_turns_malformed_answers_and_outages_into_connector_errors(answer):
    fake = FakeHTTP(answer)
    with pytest.raises(ConnectorError):
        connector_for(source=mastodon_source(), client=fake.client).fetch()
