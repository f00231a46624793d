import pytest

from alerts.models import Alert, Post, Source, SourceKind
from alerts.services import source_push_token_issue
from tests.fixtures import THREAT

URL = "/api/v1/alerts/posts/"
pytestmark = pytest.mark.usefixtures("store_path")


@pytest.fixture
def token(push_source):
    return source_push_token_issue(source=push_source)


def push(client, token, body):
    return client.post(
        URL, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def item(n, text="lunch was fine", **extra):
    return {"external_id": f"x{n}", "text": text, **extra}


def test_it_stores_scores_and_alerts_a_batch(client, token, push_source):
    body = {
        "posts": [
            item(
                1,
                THREAT,
                author="@kid",
                url="https://social.example/1",
                posted_at="2026-03-02T08:15:00Z",
            ),
            item(2),
        ]
    }
    response = push(client, token, body)
    assert response.status_code == 200, response.json()
    assert response.json() | {"errors": []} == {
        "received": 2,
        "stored": 2,
        "duplicates": 0,
        "alerts": 1,
        "grouped": 0,
        "rejected": 0,
        "errors": [],
    }
    post = Post.objects.get(external_id="x1")
    assert post.source == push_source and post.author_handle == "@kid"
    assert post.posted_at.isoformat() == "2026-03-02T08:15:00+00:00"
    assert Alert.objects.get().post == post


def test_it_is_idempotent_on_source_and_external_id(client, token):
    body = {"posts": [item(1, THREAT), item(1, THREAT)]}
    first = push(client, token, body).json()
    second = push(client, token, body).json()
    assert (first["stored"], first["duplicates"]) == (1, 1)
    assert (second["stored"], second["duplicates"], second["alerts"]) == (0, 2, 0)
    assert Post.objects.count() == 1 and Alert.objects.count() == 1


def test_each_invalid_item_gets_its_own_clear_error(client, token):
    body = {
        "posts": [
            item(1),
            {"text": "no id"},
            {"external_id": "x3", "text": "   "},
            item(4, url="javascript:alert(1)"),
            item(5, posted_at="yesterday"),
            "not an object",
            {"external_id": "x7", "text": 12},
        ]
    }
    response = push(client, token, body)
    assert response.status_code == 200
    data = response.json()
    assert (data["stored"], data["rejected"]) == (1, 6)
    errors = {e["index"]: e["errors"] for e in data["errors"]}
    assert errors[1] == {"external_id": ["This field is required."]}
    assert errors[2] == {"text": ["This field is required."]}
    assert errors[3] == {"url": ["Must be an http or https URL."]}
    assert "ISO 8601" in errors[4]["posted_at"][0]
    assert errors[5] == {"non_field_errors": ["Each post must be a JSON object."]}
    assert errors[6] == {"text": ["Must be a string."]}
    assert data["errors"][0]["external_id"] is None


def test_it_answers_400_when_nothing_is_valid(client, token):
    response = push(client, token, {"posts": [{"text": "x"}]})
    assert response.status_code == 400 and response.json()["rejected"] == 1
    assert push(client, token, {"items": []}).status_code == 400
    assert push(client, token, {"posts": []}).json()["detail"] == "The posts list is empty."


def test_it_accepts_1000_posts_and_refuses_1001(client, token):
    response = push(client, token, {"posts": [item(n) for n in range(1000)]})
    assert response.status_code == 200 and response.json()["stored"] == 1000
    response = push(client, token, {"posts": [item(n) for n in range(1001)]})
    assert response.status_code == 400
    assert response.json()["detail"] == "At most 1000 posts per request."


def test_it_refuses_missing_wrong_and_disabled_tokens(client, token, push_source):
    body = {"posts": [item(1)]}
    assert client.post(URL, body, content_type="application/json").status_code == 401
    assert push(client, "not-the-token", body).status_code == 401
    Source.objects.filter(id=push_source.id).update(enabled=False)
    assert push(client, token, body).status_code == 401
    assert Post.objects.count() == 0


def test_only_the_digest_of_the_token_is_stored(token, push_source):
    push_source.refresh_from_db()
    assert token not in push_source.push_token_digest and len(push_source.push_token_digest) == 64


def test_a_polled_source_cannot_have_a_push_token(personas):
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.RSS, name="Feed"
    )
    with pytest.raises(ValueError):
        source_push_token_issue(source=source)


def test_a_resent_batch_with_copies_and_errors_is_answered_the_same_way(client, token):
    body = {"posts": [item(1, THREAT), {"text": "no id"}, item(1, "again"), item(2, THREAT)]}
    first = push(client, token, body).json()
    assert (first["stored"], first["duplicates"], first["rejected"]) == (2, 1, 1)
    assert (first["alerts"], first["grouped"]) == (1, 1)
    second = push(client, token, body).json()
    assert (second["stored"], second["duplicates"], second["alerts"], second["grouped"]) == (
        0,
        3,
        0,
        0,
    )
    assert (
        second["errors"]
        == first["errors"]
        == [
            {
                "index": 1,
                "external_id": None,
                "errors": {"external_id": ["This field is required."]},
            }
        ]
    )
    assert Post.objects.count() == 2 and Alert.objects.get().group_size == 2


def test_a_full_batch_of_copies_raises_one_alert(client, token, personas):
    data = push(client, token, {"posts": [item(n, THREAT) for n in range(1000)]}).json()
    assert (data["stored"], data["alerts"], data["grouped"]) == (1000, 1, 999)
    alert = Alert.objects.get()
    assert (alert.school, alert.group_size) == (personas.school_a, 1000)
    assert alert.post.external_id == "x0"


def test_it_checks_links_and_refuses_nul_characters(client, token):
    links = [
        ("https://social.example/p/1?a=b#c", True),
        ("HTTP://Social.Example:8080/p", True),
        ("https://user@social.example/p", True),
        ("https://[2001:db8::1]/p", True),
        ("https://bücher.example/p", True),
        ("https:///no-host", False),
        ("https://social.example/a b", False),
        ("ftp://social.example/p", False),
        ("//social.example/p", False),
    ]
    posts = [item(n, url=url) for n, (url, _) in enumerate(links)]
    posts.append(item(99, "a NUL \x00 here"))
    data = push(client, token, {"posts": posts}).json()
    rejected = {e["index"]: e["errors"] for e in data["errors"]}
    assert {n for n, (_, ok) in enumerate(links) if not ok} | {len(links)} == set(rejected)
    assert rejected[len(links)] == {"text": ["Must not contain NUL characters."]}
    assert data["stored"] == sum(ok for _, ok in links)
