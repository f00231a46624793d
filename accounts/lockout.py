"""Staff sign-in lockout: per account and client, per account, and what a cache outage costs.

Two counters for every failed sign-in, both in the shared cache:

- **The pair (account, client)**, counted by django-axes: AXES_FAILURE_LIMIT failures lock
  that account *from that client* for AXES_COOLOFF_HOURS. The client is the rotating digest
  of its address (accounts.privacy.rotating_client_key), never the address. Someone typing
  wrong passwords for another person's account locks only themselves out.
- **The account**, counted here: SIGNIN_ACCOUNT_FAILURE_LIMIT failures within
  SIGNIN_ACCOUNT_WINDOW_MINUTES, from anywhere, stop password-only sign-in to the account
  until the window ends, so many clients together cannot guess a password either. The owner
  still gets in by giving the password *and* a second-factor code in one step (the page
  /accounts/login/with-code/, which marks its request with `second_factor_sign_in_mark`);
  the pair limit still applies there.

When the cache cannot be reached, signing in goes on without lockout (it fails open) and each
skipped check writes one warning naming the error class only: no client address, no account.
Staff accounts need a second factor in production, so a password alone still opens nothing.
"""

from __future__ import annotations

import hashlib
import logging

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache, get_client_username
from django.conf import settings
from redis.exceptions import RedisError

from .privacy import rotating_client_key

logger = logging.getLogger(__name__)

# What an unreachable cache raises: redis-py's errors, or the socket's own.
CACHE_ERRORS = (RedisError, OSError)
SECOND_FACTOR_ATTRIBUTE = "sign_in_with_second_factor"
ACCOUNT_KEY_PREFIX = "signin-account-failures:"


def lockout_client_key(request) -> str:
    """django-axes' "client address" for the pair lock: the rotating digest, never the address
    (AXES_CLIENT_IP_CALLABLE)."""
    return rotating_client_key(request)


def second_factor_sign_in_mark(request) -> None:
    """This request signs in with password and code together: the account lock does not apply."""
    setattr(request, SECOND_FACTOR_ATTRIBUTE, True)


def _with_second_factor(request) -> bool:
    return bool(getattr(request, SECOND_FACTOR_ATTRIBUTE, False))


def _account_key(username: str) -> str:
    return ACCOUNT_KEY_PREFIX + hashlib.sha256(username.encode()).hexdigest()


def _account_failures(cache, username: str | None) -> int:
    return cache.get(_account_key(username), 0) if username else 0


def _account_failure_add(cache, username: str) -> int:
    key = _account_key(username)
    # A fixed window from the first failure: later failures do not extend it.
    if cache.add(key, 1, timeout=settings.SIGNIN_ACCOUNT_WINDOW_MINUTES * 60):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=settings.SIGNIN_ACCOUNT_WINDOW_MINUTES * 60)
        return 1


def _account_locked(cache, username: str | None) -> bool:
    return _account_failures(cache, username) >= settings.SIGNIN_ACCOUNT_FAILURE_LIMIT


def account_sign_in_locked(username: str) -> bool:
    """Is password-only sign-in to this account locked right now (False if unknown)?"""
    try:
        return _account_locked(get_cache(), username.strip().lower())
    except CACHE_ERRORS as error:
        _fail_open(error, "check")
        return False


def _fail_open(error: Exception, during: str) -> None:
    logger.warning(
        "sign-in lockout skipped (%s): the cache is unreachable (%s)",
        during,
        type(error).__name__,
    )


class StaffLockoutHandler(AxesCacheHandler):
    """AXES_HANDLER: axes' cache handler for the pair, plus the account limit, failing open."""

    def __init__(self) -> None:
        # No cache bound at start-up: get_cache() on each use follows CACHES as it is now.
        pass

    @property
    def cache(self):
        return get_cache()

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        try:
            if super().is_locked(request, credentials):
                return True
            if _with_second_factor(request):
                return False
            return _account_locked(self.cache, get_client_username(request, credentials))
        except CACHE_ERRORS as error:
            _fail_open(error, "check")
            return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
            username = get_client_username(request, credentials) if request else None
            if not username:
                return
            failures = _account_failure_add(self.cache, username)
            if failures >= settings.SIGNIN_ACCOUNT_FAILURE_LIMIT and not _with_second_factor(
                request
            ):
                # AxesMiddleware answers with the lockout page (which offers the way in with
                # a code) instead of the form's "wrong password".
                request.axes_locked_out = True
                request.axes_credentials = credentials
        except CACHE_ERRORS as error:
            _fail_open(error, "count")

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        try:
            super().user_logged_in(sender, request, user, **kwargs)
        except CACHE_ERRORS as error:
            _fail_open(error, "reset")
