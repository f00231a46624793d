"""Fixtures for the API tests: token-authenticated clients for each persona, and cases."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from alerts.models import Alert
from cases.models import Case
from tests.factories import case_factory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient sending a fresh personal token of that user."""

    def make(user) -> APIClient:
        _row, token = api_token_create(user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def case_a(personas) -> Case:
    return case_factory(personas.school_a, alias="Fox")


@pytest.fixture
def case_b(personas) -> Case:
    return case_factory(personas.school_b, alias="Owl")


def make_alert(source, school, *, key="one", text="a threat at Lincoln High") -> Alert:
    """An alert row as ingest would leave it (made directly: the scorer is not under test)."""
    from alerts.models import Post

    post = Post.objects.create(
        source=source, external_id=key, text=text, fingerprint=key, score=0.9, severity="high"
    )
    return Alert.objects.create(
        post=post,
        source=source,
        school=school,
        score=0.9,
        severity="high",
        top_category="violence",
        categories={"violence": 0.9},
        matches=[{"phrase": "threat", "start": 2, "end": 8}],
        school_matches=["Lincoln High"],
        group_key=key,
    )


@pytest.fixture
def source(personas):
    from alerts.models import Source, SourceKind

    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    source.schools.set([personas.school_a, personas.school_b])
    return source


@pytest.fixture
def alert_a(source, personas):
    return make_alert(source, personas.school_a)
