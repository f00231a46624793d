"""Who is signed in, kept across requests: the user and their second factors without a query.

Every signed-in request used to read the user's row and the device that verified the session
(django-otp's middleware), two queries before any page's own work. `CachedAuthentication-
Middleware` (accounts/middleware.py) reads instead, in one cache round trip, a *snapshot*:

- the user's row without the password hash (the password stays a deferred field: reading it,
  or saving the user, goes to the database as for any deferred field);
- the session-auth hash the row gives (an HMAC of the password hash under SECRET_KEY, the
  value every session of the user already holds), so a changed password fails the check;
- the persistent ids of the user's *confirmed* devices (authenticator apps, recovery codes):
  never a secret, a key, a counter or a code;
- the authentication backend that loaded the row;

and, in the same round trip, the user's kept roles (accounts.permissions).

A snapshot is trusted only while nothing it says may have changed: it is tagged with the
user's *auth version*, a random token kept beside it, and every change that could alter it
replaces the token (`auth_forget`): the user's row saved, updated through `User.objects` or
deleted (deactivation, a new password, a new language), any second-factor device saved or
deleted (enrolment, replacement, reset, a code used), and the services that confirm devices
with a conditional UPDATE. The token is replaced at once and again after the transaction
commits, so a request that read the database before the change cannot file its old
snapshot under the new token. Anything unexpected (no snapshot, another token, another hash,
a device that is not among the confirmed ones, another backend) takes Django's and django-otp's
own path through the database, which then files a fresh snapshot.

With the cache down every request takes that path (a warning names the error class only).
What a cache cannot promise: a change made while Redis was *unreachable* (not emptied)
cannot replace the token there, so when the same Redis comes back, an entry from before may
be believed until it expires (AUTH_CACHE_SECONDS). To narrow that, a process that failed to
reach the cache trusts no snapshot for AUTH_CACHE_SECONDS after.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY

logger = logging.getLogger(__name__)

# Set on a user built from a snapshot: whether they have a confirmed second factor.
KNOWN_ENROLLED_ATTRIBUTE = "_tipline_second_factor_enrolled"
# Set on every signed-in user of a request that asked the cache: what it answered for the
# keys of `prefetch_also` (a key absent from it is absent from the cache).
PREFETCHED_ATTRIBUTE = "_tipline_cache_prefetched"
_prefetchers: dict[str, object] = {}


def prefetch_also(name: str, keys_for) -> None:
    """Have the signed-in user's cache round trip also read `keys_for(user_id)` (a higher
    layer's per-user entries, e.g. the navigation's badge counts: config/navigation.py), so a
    page pays one round trip for all of them. Registered once per name."""
    _prefetchers[name] = keys_for


def prefetch_keys(user_id) -> list[str]:
    return [key for keys_for in _prefetchers.values() for key in keys_for(user_id)]


_last_failure: float | None = None  # time.monotonic() of the last failed cache call


def entry_key(user_id) -> str:
    return f"auth:{user_id}"


def version_key(user_id) -> str:
    return f"auth-version:{user_id}"


def _seconds() -> int:
    return getattr(settings, "AUTH_CACHE_SECONDS", 0)


def _failed(error: Exception, what: str) -> None:
    global _last_failure
    _last_failure = time.monotonic()
    logger.warning("auth cache unavailable (%s): %s", type(error).__name__, what)


def _trusting() -> bool:
    return _last_failure is None or time.monotonic() - _last_failure > _seconds()


def failures_forget() -> None:
    """Trust snapshots again at once in this process (tests; a shell after an outage)."""
    global _last_failure
    _last_failure = None


@dataclass(frozen=True)
class Snapshot:
    backend: str
    values: tuple
    session_hash: str
    devices: frozenset[str]


class KnownDevice:
    """The device that verified this session, as a snapshot knows it: its persistent id, its
    owner, confirmed. Anything else (its key, its throttling) loads the row on first use."""

    confirmed = True

    def __init__(self, persistent_id: str, user_id: int):
        self.persistent_id = persistent_id
        self.user_id = user_id

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        from django_otp.models import Device

        row = self.__dict__.get("_row")
        if row is None:
            row = self.__dict__["_row"] = Device.from_persistent_id(self.persistent_id)
        if row is None:
            raise AttributeError(name)
        return getattr(row, name)

    def __repr__(self) -> str:
        return f"<KnownDevice {self.persistent_id}>"


def _snapshot_fields() -> list[str]:
    # get_user_model, not an import: accounts.models calls auth_forget (no import cycle).
    User = get_user_model()
    return [field.attname for field in User._meta.concrete_fields if field.attname != "password"]


def auth_forget(user_id: int | None) -> None:
    """Stop trusting what is kept about this user's sign-in, now and after the current
    transaction commits. Called for every change to the user's row or second factors."""
    if user_id is None:
        return
    _bump(user_id)
    transaction.on_commit(lambda: _bump(user_id))


def _bump(user_id: int) -> None:
    try:
        cache.set(version_key(user_id), secrets.token_hex(8), None)
    except Exception as error:
        _failed(error, "not forgotten")


def lookup(session, extra_keys: list[str]) -> tuple[object, dict]:
    """The signed-in user and their verifying device from the cache, or (None, found) when
    the database must decide. `found` holds what the cache returned for `extra_keys` too (the
    roles, read in the same round trip)."""
    user_id = session.get(SESSION_KEY)
    if user_id is None or not _seconds() or not _trusting():
        return None, {}
    keys = [entry_key(user_id), version_key(user_id), *extra_keys]
    try:
        found = cache.get_many(keys)
    except Exception as error:
        _failed(error, "read from the database")
        return None, {}
    entry = found.get(keys[0])
    version = found.get(keys[1])
    if entry is None or version is None or entry[0] != version:
        return None, found
    snapshot: Snapshot = entry[1]
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        session.get(BACKEND_SESSION_KEY) != snapshot.backend
        or snapshot.backend not in settings.AUTHENTICATION_BACKENDS
        or not session_hash
        or not constant_time_compare(session_hash, snapshot.session_hash)
    ):
        return None, found
    user = get_user_model().from_db(DEFAULT_DB_ALIAS, _snapshot_fields(), snapshot.values)
    if str(user.pk) != str(user_id) or not user.is_active:
        return None, found
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = None
    if persistent_id:
        if persistent_id not in snapshot.devices:
            return None, found  # django-otp decides (and forgets a stale id)
        device = KnownDevice(persistent_id, user.pk)
    user.otp_device = device
    setattr(user, KNOWN_ENROLLED_ATTRIBUTE, bool(snapshot.devices))
    return user, found


def version_before_reading(session) -> str | None:
    """The user's auth version, read (or started) BEFORE the database is: a snapshot is filed
    under it, so a change committed meanwhile (which replaces it) makes the snapshot useless."""
    user_id = session.get(SESSION_KEY)
    if user_id is None or not _seconds() or not _trusting():
        return None
    key = version_key(user_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, secrets.token_hex(8), None)
            version = cache.get(key)
    except Exception as error:
        _failed(error, "not kept")
        return None
    return version


def keep(session, user, version: str | None) -> None:
    """File the snapshot of a user the database just vouched for (Django's get_user and
    django-otp's device check)."""
    if version is None or not user.is_authenticated or not user.is_active:
        return
    from django_otp import devices_for_user

    backend = session.get(BACKEND_SESSION_KEY)
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return
    devices = frozenset(device.persistent_id for device in devices_for_user(user, confirmed=True))
    fields = _snapshot_fields()
    snapshot = Snapshot(
        backend=backend,
        values=tuple(getattr(user, name) for name in fields),
        session_hash=user.get_session_auth_hash(),
        devices=devices,
    )
    try:
        cache.set(entry_key(user.pk), (version, snapshot), _seconds())
    except Exception as error:
        _failed(error, "not kept")
