"""Alert-test fixtures: recorded payloads, a fake HTTP seam, sources and alerts."""

from pathlib import Path

import httpx
import pytest

from alerts.models import Source, SourceKind
from alerts.services import PostInput, posts_ingest

PAYLOADS = Path(__file__).parent / "payloads"

THREAT = "I'm going to shoot everyone at Lincoln High tomorrow at lunch"
HYPERBOLE = "this Lincoln High chem test is killing me 😂"


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


class FakeHTTP:
    """An httpx.Client whose transport answers from a script and records every request."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.client = httpx.Client(transport=httpx.MockTransport(self._handle))

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.responses:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def json_response(name: str, status: int = 200, headers=None) -> httpx.Response:
    return httpx.Response(
        status,
        content=payload(name),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@pytest.fixture
def push_source(personas):
    """A push source serving schools A and B, which know their own words."""
    personas.school_a.alert_terms = "Lincoln High\nLHS\n@lincolnlions"
    personas.school_a.save()
    personas.school_b.alert_terms = "Roosevelt Middle\nRMS"
    personas.school_b.save()
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    source.schools.set([personas.school_a, personas.school_b])
    return source


@pytest.fixture
def ingest(push_source):
    def run(*items, source=None):
        posts = [
            PostInput(
                external_id=str(external_id),
                text=text,
                author_handle="@someone",
                url=f"https://social.example/p/{external_id}",
            )
            for external_id, text in items
        ]
        return posts_ingest(source=source or push_source, posts=posts)

    return run


@pytest.fixture
def threat_alert(ingest, personas):
    ingest(("threat-1", THREAT))
    return personas.school_a.alerts.get()
