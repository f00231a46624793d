"""A post with a broken character (a lone surrogate from a feed that cut an emoji's pair, a
NUL from a connector) is stored and scored, never lost with the rest of its batch."""

import json

import pytest

from alerts.connectors.base import FetchedPost
from alerts.models import Alert, Post
from alerts.services import source_push_token_issue
from tests.fixtures import THREAT

URL = "/api/v1/alerts/posts/"


@pytest.fixture
def token(push_source):
    return source_push_token_issue(source=push_source)


def test_a_fetched_post_is_made_storable():
    post = FetchedPost("id\ud83d", "bad \ud800 and \x00 here \U0001f600", "@a\udc00", "")
    assert post.external_id == "id\ufffd"
    assert post.text == "bad \ufffd and \ufffd here \U0001f600"
    assert post.author_handle == "@a\ufffd"
    assert post.text.encode("utf-8")  # encodable now
    plain = FetchedPost("x1", "plain words")
    assert plain.text == "plain words"


@pytest.mark.usefixtures("store_path")
def test_lone_surrogates_in_a_pushed_batch_lose_nothing(client, token):
    # JSON allows lone surrogates as escapes; the body is written by hand to keep them.
    body = json.dumps(
        {
            "posts": [
                {"external_id": "s1", "text": THREAT + " \ud83d"},
                {"external_id": "s2", "text": "lunch was fine \udc00", "author": "@k\ud800"},
            ]
        }
    )
    assert "\\ud83d" in body  # json.dumps escapes it, as a feed would send it
    response = client.post(
        URL, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 2
    texts = {p.external_id: p.text for p in Post.objects.all()}
    assert texts == {"s1": THREAT + " \ufffd", "s2": "lunch was fine \ufffd"}
    assert Alert.objects.get().post.external_id == "s1"
