"""Alert-test fixtures: recorded payloads, a fake HTTP seam, sources and alerts."""

from pathlib import Path

import httpx
import pytest
from django.db import connection

PAYLOADS = Path(__file__).parent / "payloads"


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


@pytest.fixture(params=["copy", "orm"])
def store_path(request, settings):
    """PostgreSQL's COPY and upsert path, or the portable ORM one (all SQLite has)."""
    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("the COPY path needs PostgreSQL (set DATABASE_URL)")
    settings.ALERTS_INGEST_COPY = request.param == "copy"
    return request.param
