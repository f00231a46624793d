import json

import httpx
import pytest

from alerts.connectors import ConnectorError, RateLimited, connector_for
from alerts.models import Source, SourceKind

from .conftest import FakeHTTP, json_response, payload


def bluesky_source(**fields):
    return Source(
        kind=SourceKind.BLUESKY,
        name="Bluesky Westview",
        server_url="https://bsky.social",
        query="Westview High",
        account_handle="safety-monitor.bsky.social",
        app_password="abcd-efgh-ijkl-mnop",
        **fields,
    )


def live_session() -> str:
    return json.dumps(json.loads(payload("bluesky_create_session.json")))


def test_it_creates_a_session_searches_latest_first_and_returns_the_session():
    fake = FakeHTTP(
        json_response("bluesky_create_session.json"), json_response("bluesky_search_page1.json")
    )
    result = connector_for(source=bluesky_source(), client=fake.client).fetch()
    login, search = fake.requests
    assert login.url.path == "/xrpc/com.atproto.server.createSession"
    assert json.loads(login.content) == {
        "identifier": "safety-monitor.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    assert search.url.path == "/xrpc/app.bsky.feed.searchPosts"
    assert search.url.params["sort"] == "latest" and search.url.params["q"] == "Westview High"
    assert search.headers["Authorization"].startswith("Bearer ey")
    assert [p.author_handle for p in result.posts] == [
        "@nightowl.bsky.social",
        "@hoopsdad.bsky.social",
    ]
    assert result.posts[0].url == "https://bsky.app/profile/nightowl.bsky.social/post/3lbx7ngq2fk2c"
    assert result.skipped == 1
    assert result.cursor == "2026-03-02T15:04:12.031Z"
    assert json.loads(result.session_state)["did"] == "did:plc:demo7k2mf3xq"


def test_it_reuses_a_live_session_without_logging_in_again():
    fake = FakeHTTP(json_response("bluesky_search_empty.json"))
    source = bluesky_source(session_state=live_session(), cursor="2026-03-02T15:04:12.031Z")
    result = connector_for(source=source, client=fake.client).fetch()
    assert len(fake.requests) == 1
    assert fake.requests[0].url.params["since"] == "2026-03-02T15:04:12.031Z"
    assert result.session_state is None  # nothing to save: the stored session still works
    assert result.cursor == "2026-03-02T15:04:12.031Z"


def test_it_refreshes_an_expired_access_token_instead_of_logging_in():
    expired = payload("bluesky_session_access_expired.json").decode()
    fake = FakeHTTP(
        json_response("bluesky_refresh_session.json"), json_response("bluesky_search_empty.json")
    )
    result = connector_for(source=bluesky_source(session_state=expired), client=fake.client).fetch()
    refresh = fake.requests[0]
    assert refresh.url.path == "/xrpc/com.atproto.server.refreshSession"
    assert refresh.headers["Authorization"] == f"Bearer {json.loads(expired)['refreshJwt']}"
    assert result.session_state is not None


def test_it_refreshes_once_when_the_server_says_the_token_expired():
    fake = FakeHTTP(
        json_response("bluesky_expired_token.json", status=400),
        json_response("bluesky_refresh_session.json"),
        json_response("bluesky_search_page1.json"),
    )
    source = bluesky_source(session_state=live_session())
    result = connector_for(source=source, client=fake.client).fetch()
    paths = [r.url.path for r in fake.requests]
    assert paths == [
        "/xrpc/app.bsky.feed.searchPosts",
        "/xrpc/com.atproto.server.refreshSession",
        "/xrpc/app.bsky.feed.searchPosts",
    ]
    assert len(result.posts) == 2


def test_it_reports_a_refused_app_password_as_permanent():
    fake = FakeHTTP(json_response("bluesky_auth_failed.json", status=401))
    with pytest.raises(ConnectorError) as caught:
        connector_for(source=bluesky_source(), client=fake.client).fetch()
    assert caught.value.transient is False
    assert "app password" in str(caught.value)


def test_it_honours_429_on_search():
    fake = FakeHTTP(httpx.Response(429, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimited) as caught:
        connector_for(
            source=bluesky_source(session_state=live_session()), client=fake.client
        ).fetch()
    assert caught.value.retry_after == 30


def test_it_rejects_a_search_answer_without_posts():
    fake = FakeHTTP(httpx.Response(200, json={"cursor": "x"}))
    with pytest.raises(ConnectorError):
        connector_for(
            source=bluesky_source(session_state=live_session()), client=fake.client
        ).fetch()
