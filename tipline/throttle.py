"""Fixed-window counters in Django's cache: per client and across everyone.

A client is known only by accounts.privacy.rotating_client_key (an HMAC of its address under
a key that changes daily); the address itself is never a cache key, stored or logged.

`hits` counts one request against a client limit and a global limit together. On Django's
Redis cache that is one round trip (a Lua script: atomic, and each counter gets its expiry
in the same step it is created); on any other cache, add()/incr() per counter.

When the shared cache is down (Redis stopped), every counter falls back to this process's
own memory, with a log line: the same rules, only per web process (a client can get up to
one allowance per process), so a Redis outage neither lets floods through unchecked nor
turns anyone away who would have been let in.

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
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
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
# Counters of this process alone, used only while the shared cache is unreachable. Keys are
# the same digests as in the shared cache; the oldest are dropped past MAX_ENTRIES.
_process_counters = LocMemCache(
    "tipline-throttle-fallback", {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 20_000}}
)


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
    # False while the shared cache is down and the counts are this process's alone.
    shared: bool = True


def _key(key: str, window_seconds: int) -> str:
    bucket = int(time.time() // window_seconds)
    return f"tipline:throttle:{key}:{bucket}"


def _ttl(window_seconds: int) -> int:
    return window_seconds + 5


def _count(backend: BaseCache, key: str, window_seconds: int) -> int:
    """Add one to the counter of the current window and return the new count."""
    full_key = _key(key, window_seconds)
    # add() is atomic on every backend; incr() after it is atomic on Redis and locmem.
    if backend.add(full_key, 1, timeout=_ttl(window_seconds)):
        return 1
    try:
        return backend.incr(full_key)
    except ValueError:
        backend.set(full_key, 1, timeout=_ttl(window_seconds))
        return 1


def window_count(key: str, window_seconds: int) -> int:
    """Count one event under `key` in the current fixed window and return the count so far;
    in this process's memory while the shared cache is down."""
    try:
        return _count(caches["default"], key, window_seconds)
    except Exception:
        _log_fallback(key.partition(":")[0])
        return _count(_process_counters, key, window_seconds)


def _log_fallback(scope: str) -> None:
    logger.warning("throttle cache unavailable: counting in this process", extra={"event": scope})


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
    client_key = f"{client.scope}:client:{rotating_client_key(request)}"
    try:
        return _hits(caches["default"], client_key, client, everyone)
    except Exception:
        # The cache (Redis) is down: the same rules on this process's counters.
        _log_fallback(client.scope)
        return _hits(_process_counters, client_key, client, everyone)


def _hits(backend: BaseCache, client_key: str, client: Limit, everyone: Limit) -> Hits:
    global_key = f"{everyone.scope}:global"
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
        client_count = _count(backend, client_key, client.window_seconds)
        global_count = backend.get(_key(global_key, everyone.window_seconds), 0)
        accepted = client_count <= client.in_force(under_load=global_count >= everyone.limit)
        if accepted:
            global_count = _count(backend, global_key, everyone.window_seconds)
    shared = backend is not _process_counters
    if not accepted:
        return Hits(client_ok=False, global_ok=global_count < everyone.limit, shared=shared)
    return Hits(client_ok=True, global_ok=global_count <= everyone.limit, shared=shared)


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
