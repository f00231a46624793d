"""Fixed-window counters in Django's cache: per client and across everyone.

A client is known only by accounts.privacy.rotating_client_key (an HMAC of its address under
a key that changes daily); the address itself is never a cache key, stored or logged.

`hits` counts one request against a client limit and a global limit together. On Django's
Redis cache that is one round trip (a Lua script: atomic, and each counter gets its expiry
in the same step it is created); on any other cache, add()/incr() per counter.

The global limit never refuses anyone by itself. A request refused for its client is not
counted globally (one client hammering cannot use up everyone's budget); past the global
rate, a client limit with `limit_under_load` tightens to it (a distributed attack gets fewer
tries per address, a student with a good code still gets in), and callers may mark what
they accept past it (tips are kept, flagged for review).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from accounts.privacy import rotating_client_key

# KEYS: client counter, global counter. ARGV: client TTL, client limit, client limit past
# the global rate, global TTL, global limit. The client is always counted; the global
# counter only when the client was within the limit in force. Returns the client count, the
# global count, and 1 if the request was accepted (0 if refused for its client).
_HITS_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local g = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit = tonumber(ARGV[2])
if g >= tonumber(ARGV[5]) then limit = tonumber(ARGV[3]) end
if n > limit then return {n, g, 0} end
g = redis.call('INCR', KEYS[2])
if g == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
return {n, g, 1}
"""
logger = logging.getLogger(__name__)
_script = None  # a redis-py Script: the SHA of the text, valid on any connection


@dataclass(frozen=True)
class Limit:
    """`limit` requests per `window_seconds`; for a client limit, `limit_under_load` (when
    set) is the stricter limit in force while the global rate is exceeded."""

    scope: str
    limit: int
    window_seconds: int
    limit_under_load: int | None = None

    def in_force(self, *, under_load: bool) -> int:
        if under_load and self.limit_under_load is not None:
            return min(self.limit, self.limit_under_load)
        return self.limit


@dataclass(frozen=True)
class Hits:
    """Whether the request is within its client's limit (the one in force), and whether it is
    within the global rate (when refused for its client: whether the rate was already past)."""

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


def _redis_counts(backend: RedisCache, keys: list[str], args: list) -> tuple[int, int, int]:
    global _script
    client = backend._cache.get_client(keys[0], write=True)
    if _script is None:
        _script = client.register_script(_HITS_SCRIPT)
    # EVALSHA; the script text is sent (once per server) only when the server lacks it.
    client_count, global_count, accepted = _script(keys=keys, args=args, client=client)
    return int(client_count), int(global_count), int(accepted)


def hits(request, client: Limit, everyone: Limit) -> Hits:
    """Count one request of this client and, if it is accepted for its client, one more
    across all clients (module docstring: the rules)."""
    try:
        return _hits(request, client, everyone)
    except Exception:
        # The cache (Redis) is down. A limit must never cost a tip: let the request through,
        # but report the global rate as exceeded so a tip is stored marked for review.
        logger.warning(
            "throttle cache unavailable: request let through", extra={"event": client.scope}
        )
        return Hits(client_ok=True, global_ok=False)


def _hits(request, client: Limit, everyone: Limit) -> Hits:
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
            client.in_force(under_load=False),
            client.in_force(under_load=True),
            _ttl(everyone.window_seconds),
            everyone.limit,
        ]
        _, global_count, accepted = _redis_counts(backend, keys, args)
    else:
        client_count = _count(client_key, client.window_seconds)
        global_count = cache.get(_key(global_key, everyone.window_seconds), 0)
        accepted = client_count <= client.in_force(under_load=global_count >= everyone.limit)
        if accepted:
            global_count = _count(global_key, everyone.window_seconds)
    if not accepted:
        return Hits(client_ok=False, global_ok=global_count < everyone.limit)
    return Hits(client_ok=True, global_ok=global_count <= everyone.limit)


def tip_client_limit() -> Limit:
    return Limit("tip", settings.TIPLINE_TIPS_PER_CLIENT, settings.TIPLINE_TIPS_WINDOW_SECONDS)


def tip_global_limit() -> Limit:
    return Limit("tip", settings.TIPLINE_GLOBAL_TIPS_PER_MINUTE, 60)


def followup_client_limit() -> Limit:
    return Limit(
        "followup",
        settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT,
        settings.TIPLINE_FOLLOWUP_WINDOW_SECONDS,
        limit_under_load=settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD,
    )


def followup_global_limit() -> Limit:
    return Limit("followup", settings.TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE, 60)
