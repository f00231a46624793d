"""Post URLs: only http(s) links are stored, whichever connector sent them, and only http(s)
links are drawn, so old rows holding a javascript: address are harmless too."""

import importlib
import json

import httpx
import pytest
from django.apps import apps
from django.urls import reverse

from alerts.models import Post, Source, SourceKind
from alerts.services import alert_escalate, source_poll
from tipline.web_urls import is_web_url, web_url_or_blank

from .conftest import THREAT, FakeHTTP, json_response, payload

EVIL = "javascript:alert(document.cookie)"
REFUSED = [
    EVIL,
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://files.example/x",
    "//social.example/p/1",
    "/relative/path",
    "https://",
    "https://exa mple.org/p",
    "https://example.org/p\x01",
    "https://example.org/\nline",
    "http://[::1",
    "https://" + "a" * 1000 + ".example",
    "",
    None,
    42,
]
ACCEPTED = [
    "https://social.example/@someone/1",
    "http://forum.example.org:8080/t/1?x=1#p3",
    "HTTPS://Social.Example/p/1",
    "https://bsky.app/profile/owl.bsky.social/post/3lbx7",
    "https://例え.テスト/投稿/1",
]


@pytest.mark.parametrize("value", REFUSED, ids=repr)
def test_it_refuses_anything_but_an_http_link(value):
    assert not is_web_url(value)
    assert web_url_or_blank(value) == ""


@pytest.mark.parametrize("value", ACCEPTED)
def test_it_accepts_http_and_https_links(value):
    assert is_web_url(value) and web_url_or_blank(f"  {value} ") == value


@pytest.fixture
def westview(personas):
    personas.school_a.alert_terms = "Westview High\nWestviewHigh"
    personas.school_a.save()
    return personas.school_a


def _source(school, kind, **fields) -> Source:
    source = Source.objects.create(district=school.district, kind=kind, name=kind, **fields)
    source.schools.set([school])
    return source


def _mastodon(school) -> tuple[Source, FakeHTTP]:
    statuses = json.loads(payload("mastodon_tag_timeline.json"))
    statuses[0]["url"] = EVIL
    source = _source(
        school, SourceKind.MASTODON, server_url="https://mastodon.example", query="WestviewHigh"
    )
    return source, FakeHTTP(httpx.Response(200, json=statuses))


def _rss(school) -> tuple[Source, FakeHTTP]:
    feed = payload("rss_feed.xml").replace(
        b"https://forum.example.org/westview/t/8812#p3", EVIL.encode()
    )
    source = _source(school, SourceKind.RSS, feed_url="https://forum.example.org/feed.rss")
    return source, FakeHTTP(httpx.Response(200, content=feed))


def _bluesky(school) -> tuple[Source, FakeHTTP]:
    page = json.loads(payload("bluesky_search_page1.json"))
    page["posts"][0]["author"]["handle"] = 'x" onmouseover="alert(1)'
    source = _source(
        school,
        SourceKind.BLUESKY,
        server_url="https://bsky.social",
        query="Westview High",
        account_handle="monitor.bsky.social",
        app_password="abcd-efgh-ijkl-mnop",
    )
    session = json_response("bluesky_create_session.json")
    return source, FakeHTTP(session, httpx.Response(200, json=page))


@pytest.mark.parametrize("make", [_mastodon, _rss, _bluesky], ids=["mastodon", "rss", "bluesky"])
def test_it_stores_no_url_but_http_from_any_connector(westview, make):
    source, fake = make(westview)
    outcome = source_poll(source_id=source.id, client=fake.client)
    assert outcome.ok and outcome.created >= 2
    urls = list(Post.objects.filter(source=source).values_list("url", flat=True))
    assert "" in urls  # the post is kept (its words count) without its link
    assert all(url == "" or url.startswith("https://") for url in urls)
    assert not Post.objects.filter(url__icontains="javascript").exists()
    assert not Post.objects.filter(url__contains='"').exists()


@pytest.fixture
def old_row_alert(ingest, personas):
    """An alert whose post was stored before URLs were checked at ingest."""
    ingest(("threat-1", THREAT))
    alert = personas.school_a.alerts.get()
    Post.objects.filter(id=alert.post_id).update(url=EVIL)
    return alert


def test_it_draws_no_link_from_an_old_javascript_url(client_for, personas, old_row_alert):
    html = client_for(personas.counselor_a).get(reverse("alerts:feed")).content.decode()
    assert f'id="alert-{old_row_alert.id}"' in html
    assert "javascript:" not in html.lower()
    assert "Original post" not in html


def test_it_still_draws_an_http_link(client_for, personas, ingest):
    ingest(("threat-2", THREAT))
    html = client_for(personas.counselor_a).get(reverse("alerts:feed")).content.decode()
    assert 'href="https://social.example/p/threat-2"' in html


def test_it_answers_an_empty_url_for_an_old_row_in_the_api(client_for, personas, old_row_alert):
    client = client_for(personas.counselor_a)
    body = client.get(f"/api/v1/alerts/{old_row_alert.id}/").json()
    assert body["post"]["url"] == ""


def test_it_copies_no_javascript_url_onto_the_case(client_for, personas, old_row_alert):
    case = alert_escalate(alert=old_row_alert, actor=personas.counselor_a)
    escalated = case.events.get(kind="escalated")
    assert escalated.data["url"] == ""
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "shoot everyone" in html and "javascript:" not in html.lower()


def test_the_migration_blanks_old_unsafe_urls_and_their_copies(personas, old_row_alert, ingest):
    ingest(("threat-3", THREAT + " again"))
    case = alert_escalate(alert=old_row_alert, actor=personas.counselor_a)
    event = case.events.get(kind="escalated")
    event.data = {**event.data, "url": EVIL}
    event.save()
    migration = importlib.import_module("alerts.migrations.0006_post_urls_web_only")
    migration.blank_unsafe_urls(apps, None)
    assert Post.objects.get(id=old_row_alert.post_id).url == ""
    assert Post.objects.get(external_id="threat-3").url == "https://social.example/p/threat-3"
    event.refresh_from_db()
    assert event.data["url"] == "" and event.data["text"]
