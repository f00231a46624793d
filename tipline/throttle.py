"""Fixed-window counters in Django's cache: per client and across everyone.

A client is known only by accounts.privacy.rotating_client_key (an HMAC of its address under
a key that changes daily); the address itself is never a cache key, stored or logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from accounts.privacy import rotating_client_key


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window_seconds: int


def _count(key: str, window_seconds: int) -> int:
    """Add one to the counter of the current window and return the new count."""
    bucket = int(time.time() // window_seconds)
    full_key = f"tipline:throttle:{key}:{bucket}"
    # add() is atomic on every backend; incr() after it is atomic on Redis and locmem.
    if cache.add(full_key, 1, timeout=window_seconds + 5):
        return 1
    try:
        return cache.incr(full_key)
    except ValueError:
        cache.set(full_key, 1, timeout=window_seconds + 5)
        return 1


def client_hit(request, limit: Limit) -> bool:
    """Count one request of this client; True while it is within the limit."""
    client = rotating_client_key(request)
    return _count(f"{limit.scope}:client:{client}", limit.window_seconds) <= limit.limit


def global_hit(limit: Limit) -> bool:
    """Count one request across all clients; True while the global rate is not passed."""
    return _count(f"{limit.scope}:global", limit.window_seconds) <= limit.limit


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
