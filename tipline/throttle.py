"""Fixed-window counters in Django's cache: per client and across everyone.

A client is known only by accounts.privacy.rotating_client_key (an HMAC of its address under
a key that changes daily); the address itself is never a cache key, stored or logged.

`hits` counts one request against a client limit and a global limit together. On Django's
Redis cache that is one round trip (a Lua script: atomic, and each counter gets its expiry
in the same step it is created); on any other cache, add()/incr() per counter.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from accounts.privacy import rotating_client_key

# KEYS: client counter, global counter. ARGV: client TTL, client limit, global TTL, and
# whether a request refused for its client still counts globally ("1") or not ("0").
# Returns both counts; the global one is 0 when it was not counted.
_HITS_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) and ARGV[4] == '0' then return {n, 0} end
local g = redis.call('INCR', KEYS[2])
if g == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
return {n, g}
"""
logger = logging.getLogger(__name__)
_script = None  # a redis-py Script: the SHA of the text, valid on any connection


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class Hits:
    """Whether the request is within the client's limit and within the global rate."""

    client_ok: bool
    global_ok: bool


def _key(key: str, window_seconds: int) -> str:
    bucket = int(time.time() // window_seconds)
    return f"tipline:throttle:{key}:{bucket}"


def _ttl(window_seconds: int) -> int:
    return window_seconds + 5


def _count(key: str, window_seconds: int) -> int:
    """Add one to the counter of the current window and return the new count."""
    full_key = _key(key, window_seconds)
    # add() is atomic on every backend; incr() after it is atomic on Redis and locmem.
    if cache.add(full_key, 1, timeout=_ttl(window_seconds)):
        return 1
    try:
        return cache.incr(full_key)
    except ValueError:
        cache.set(full_key, 1, timeout=_ttl(window_seconds))
        return 1


def _redis_counts(backend: RedisCache, keys: list[str], args: list) -> tuple[int, int]:
    global _script
    client = backend._cache.get_client(keys[0], write=True)
    if _script is None:
        _script = client.register_script(_HITS_SCRIPT)
    # EVALSHA; the script text is sent (once per server) only when the server lacks it.
    client_count, global_count = _script(keys=keys, args=args, client=client)
    return int(client_count), int(global_count)


def hits(request, client: Limit, everyone: Limit, *, count_refused: bool) -> Hits:
    """Count one request of this client and, across all clients, one more.

    With `count_refused` False, a request over its client's limit is not counted globally
    (a refused tip is not a tip); `global_ok` is then reported True.
    """
    try:
        return _hits(request, client, everyone, count_refused=count_refused)
    except Exception:
        # The cache (Redis) is down. A limit must never cost a tip: let the request through,
        # but report the global rate as exceeded so a tip is stored marked for review.
        logger.warning(
            "throttle cache unavailable: request let through", extra={"event": client.scope}
        )
        return Hits(client_ok=True, global_ok=False)


def _hits(request, client: Limit, everyone: Limit, *, count_refused: bool) -> Hits:
    client_key = f"{client.scope}:client:{rotating_client_key(request)}"
    global_key = f"{everyone.scope}:global"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        keys = [
            backend.make_and_validate_key(_key(client_key, client.window_seconds)),
            backend.make_and_validate_key(_key(global_key, everyone.window_seconds)),
        ]
        args = [
            _ttl(client.window_seconds),
            client.limit,
            _ttl(everyone.window_seconds),
            "1" if count_refused else "0",
        ]
        client_count, global_count = _redis_counts(backend, keys, args)
    else:
        client_count = _count(client_key, client.window_seconds)
        counted = count_refused or client_count <= client.limit
        global_count = _count(global_key, everyone.window_seconds) if counted else 0
    return Hits(client_ok=client_count <= client.limit, global_ok=global_count <= everyone.limit)


def tip_client_limit() -> Limit:
    return Limit("tip", settings.TIPLINE_TIPS_PER_CLIENT, settings.TIPLINE_TIPS_WINDOW_SECONDS)


def tip_global_limit() -> Limit:
    return Limit("tip", settings.TIPLINE_GLOBAL_TIPS_PER_MINUTE, 60)


def followup_client_limit() -> Limit:
    return Limit(
        "followup",
        settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT,
        settings.TIPLINE_FOLLOWUP_WINDOW_SECONDS,
    )


def followup_global_limit() -> Limit:
    return Limit("followup", settings.TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE, 60)
