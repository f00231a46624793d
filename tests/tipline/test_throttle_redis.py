"""The throttles on Django's Redis cache, as in production: one round trip (a Lua script)
counts the client and the global rate, with the same rules as on any other cache."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory

from tipline import throttle
from tipline.models import Tip
from tipline.throttle import Limit

from .web_helpers import submit_tip

REDIS_URL = os.environ.get("TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/0")

pytestmark = pytest.mark.django_db


def _redis_or_skip() -> redis.Redis:
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return server


@pytest.fixture
def redis_cache(settings, tmp_path):
    """Django's RedisCache under a key prefix of its own (the database may be shared, so
    only this test's keys are removed afterwards, never the whole database)."""
    server = _redis_or_skip()
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield server
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


def _request(address: str = "192.0.2.10"):
    return RequestFactory().post("/s/x/", REMOTE_ADDR=address)


def _raw_key(request, limit: Limit, who: str) -> str:
    name = f"{limit.scope}:client:{throttle.rotating_client_key(request)}"
    if who == "global":
        name = f"{limit.scope}:global"
    return caches["default"].make_and_validate_key(throttle._key(name, limit.window_seconds))


def test_it_counts_the_client_and_everyone_in_one_script(redis_cache):
    client_limit, global_limit = Limit("t1", 2, 600), Limit("t1", 3, 60)
    request = _request()
    results = [throttle.hits(request, client_limit, global_limit) for _ in range(3)]
    assert [hit.client_ok for hit in results] == [True, True, False]
    # The refused request was not counted globally.
    cache = caches["default"]
    assert cache.get(throttle._key(f"t1:client:{throttle.rotating_client_key(request)}", 600)) == 3
    assert cache.get(throttle._key("t1:global", 60)) == 2
    other = throttle.hits(_request("192.0.2.11"), client_limit, global_limit)
    assert other.client_ok and other.global_ok
    late = throttle.hits(_request("192.0.2.12"), client_limit, global_limit)
    assert late.client_ok and not late.global_ok


def test_it_tightens_the_client_limit_past_the_global_rate_in_the_script(redis_cache):
    client_limit, global_limit = Limit("t2", 5, 600, limit_under_load=1), Limit("t2", 2, 60)
    for address in ("192.0.2.1", "192.0.2.2"):
        assert throttle.hits(_request(address), client_limit, global_limit).client_ok
    newcomer = _request("192.0.2.3")
    first, second = (throttle.hits(newcomer, client_limit, global_limit) for _ in range(2))
    assert first.client_ok and not first.global_ok
    assert not second.client_ok and not second.global_ok
    # Only accepted requests were counted across everyone.
    assert caches["default"].get(throttle._key("t2:global", 60)) == 3


def test_it_gives_every_counter_an_expiry(redis_cache):
    client_limit, global_limit = Limit("t3", 5, 600), Limit("t3", 5, 60)
    request = _request()
    throttle.hits(request, client_limit, global_limit)
    assert 0 < redis_cache.ttl(_raw_key(request, client_limit, "client")) <= 605
    assert 0 < redis_cache.ttl(_raw_key(request, global_limit, "global")) <= 65


def test_it_limits_tips_through_the_view_on_redis(client, personas, settings, redis_cache):
    settings.TIPLINE_TIPS_PER_CLIENT = 2
    settings.TIPLINE_GLOBAL_TIPS_PER_MINUTE = 3
    assert submit_tip(client).status_code == 200
    assert submit_tip(client).status_code == 200
    assert submit_tip(client).status_code == 429
    assert submit_tip(client, REMOTE_ADDR="198.51.100.7").status_code == 200
    # The fourth tip counted is past the global rate: kept, marked for review.
    assert submit_tip(client, REMOTE_ADDR="198.51.100.8").status_code == 200
    assert list(Tip.objects.order_by("id").values_list("needs_review", flat=True)) == [
        False,
        False,
        False,
        True,
    ]
