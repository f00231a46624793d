"""Keyed digests and rotating throttle keys: how we recognise without identifying.

No client address or user agent is stored or logged (DESIGN.md). Where we must count a
client's requests we use an HMAC of its address under a key that changes every day, so the
digest cannot be reversed or linked across days.
"""

import hashlib
import hmac
import ipaddress
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# One IPv6 subscriber holds a whole /64 (a phone, a home): counted as one client, so it cannot
# pick a fresh bucket for every request.
IPV6_CLIENT_PREFIX = 64


def keyed_digest(value: str, *, purpose: str) -> str:
    """A stable HMAC-SHA256 hex digest of `value`, separated by purpose (receipt, phone...)."""
    key = f"{settings.PRIVACY_HMAC_KEY}|{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def rotating_client_key(request, *, now: datetime | None = None) -> str:
    """A digest of the client address that is only stable within one UTC day.

    The only reader of the client address in the project. The address is read (through
    trusted proxies only, see `_client_address`), hashed and forgotten in the same expression.
    """
    day = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
    key = f"{settings.SECRET_KEY}|throttle|{day}".encode()
    return hmac.new(key, _client_address(request.META).encode(), hashlib.sha256).hexdigest()[:32]


def _client_address(meta) -> str:
    """The client's address, as far as the proxies we trust vouch for it.

    Hops are X-Forwarded-For's entries, left to right, then REMOTE_ADDR (the peer that
    connected to us). Each proxy appends the address it received the request from, so only the
    right end of the list is trustworthy: whatever a client puts at the left is ignored.
    - No TRUSTED_PROXIES or TRUSTED_PROXY_COUNT: REMOTE_ADDR, X-Forwarded-For ignored.
    - TRUSTED_PROXY_COUNT=n: the entry n hops from the right; REMOTE_ADDR when there are
      fewer hops (the request did not come through the proxies).
    - TRUSTED_PROXIES: the right-most hop outside them (REMOTE_ADDR itself when the peer is
      not a trusted proxy); the left-most hop if every one is a trusted proxy.
    """
    remote = meta.get("REMOTE_ADDR", "")
    count, proxies = settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES
    if not count and not proxies:
        return _bucket(remote)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()] + [remote]
    if count:
        return _bucket(hops[-(count + 1)] if len(hops) > count else remote)
    networks = _networks(tuple(proxies))
    for hop in reversed(hops):
        address = _address(hop)
        if address is None or not any(address in network for network in networks):
            return _bucket(hop)
    return _bucket(hops[0])


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # The settings already refused anything that is not an address or network.
    return tuple(ipaddress.ip_network(entry) for entry in entries)


def _address(hop: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`hop` as an address ("[v6]:port" and "v4:port" accepted), or None if it is not one."""
    if hop.startswith("[") and "]" in hop:
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        hop = hop.partition(":")[0]
    try:
        address = ipaddress.ip_address(hop)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _bucket(hop: str) -> str:
    """What is hashed for one client: its IPv4 address, or its IPv6 /64."""
    address = _address(hop)
    if address is None:
        return hop[:100]
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


def client_str_without_address(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes writes in its log lines: the account, never address or user agent."""
    return f"{{username: {username!r}, path: {path_info!r}}}"


def lockout_username(request, credentials: dict | None) -> str | None:
    """django-axes counts failures per account: the same account whatever the letter case."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None
