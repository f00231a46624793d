"""Keyed digests and rotating throttle keys: how we recognise without identifying.

No client address or user agent is stored or logged (DESIGN.md). Where we must count a
client's requests we use an HMAC of its address under a key that changes every day, so the
digest cannot be reversed or linked across days.
"""

import hashlib
import hmac
from datetime import UTC, datetime

from django.conf import settings


def keyed_digest(value: str, *, purpose: str) -> str:
    """A stable HMAC-SHA256 hex digest of `value`, separated by purpose (receipt, phone...)."""
    key = f"{settings.PRIVACY_HMAC_KEY}|{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def rotating_client_key(request, *, now: datetime | None = None) -> str:
    """A digest of the client address that is only stable within one UTC day.

    The address is read, hashed and forgotten in the same expression.
    """
    day = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
    key = f"{settings.SECRET_KEY}|throttle|{day}".encode()
    address = request.META.get("REMOTE_ADDR", "")
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def client_str_without_address(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes writes in its log lines: the account, never address or user agent."""
    return f"{{username: {username!r}, path: {path_info!r}}}"


def lockout_username(request, credentials: dict | None) -> str | None:
    """django-axes counts failures per account: the same account whatever the letter case."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None
