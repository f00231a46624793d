"""Throttling per token, by scope, with the error body and Retry-After."""

import pytest
from django.core.cache import cache

from accounts.api_tokens import api_token_create

from .test_tokens import bearer


@pytest.fixture
def tight_rates(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"api_read": "3/minute", "api_write": "2/minute"}
    settings.REST_FRAMEWORK = rest
    cache.clear()


def test_it_throttles_each_token_on_its_own(personas, tight_rates):
    _row, first = api_token_create(user=personas.counselor_a, name="one")
    _row, second = api_token_create(user=personas.counselor_a, name="two")
    api = bearer(first)
    assert [api.get("/api/v1/cases/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/cases/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # The owner's other token has its own allowance.
    assert bearer(second).get("/api/v1/cases/").status_code == 200


def test_it_counts_writes_apart_from_reads(personas, tight_rates, case_a):
    _row, token = api_token_create(user=personas.counselor_a, name="one")
    api = bearer(token)
    url = f"/api/v1/cases/{case_a.id}/notes/"
    statuses = [api.post(url, {"body": "n"}, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert api.get("/api/v1/cases/").status_code == 200


def test_it_serves_the_api_with_the_cache_down(personas, settings, caplog):
    _row, token = api_token_create(user=personas.counselor_a, name="one")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: connection refused
        }
    }
    response = bearer(token).get("/api/v1/cases/")
    assert response.status_code == 200
    assert "API rate limit skipped" in caplog.text
