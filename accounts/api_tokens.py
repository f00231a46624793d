"""Personal API tokens: create (shown once), authenticate, revoke; and per-token throttling.

A token reads `tl_<prefix>_<secret>`: the prefix (8 random characters) is stored in the
clear to find the row and to tell tokens apart on the tokens page; the whole token is stored
only as its SHA-256, which is enough for a 256-bit random secret (no slow hash needed: there
is nothing to guess). The token itself is returned once, by `api_token_create`, and is never
stored or logged.

A token acts as its owner with the owner's current roles (accounts.permissions decides every
access), so it grants nothing the owner could not do in the browser, and an owner who is
deactivated or loses a role loses it through their tokens at once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from .lockout import CACHE_ERRORS
from .models import ApiToken, RevokedBecause, User
from .two_factor_policy import second_factor_enrolled, second_factor_missing

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "tl_"  # noqa: S105 - the visible start of every token, not a secret
PREFIX_LENGTH = 8
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
# last_used_at is written at most this often per token: one UPDATE per request would make
# every read a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)
MAX_NAME_LENGTH = 100

BAD_TOKEN = _("Invalid, expired or revoked API token.")
ENROL_FIRST = _(
    "Two-factor sign-in is required for this account: set it up at /accounts/2fa/setup/, "
    "then create a new token."
)
ERROR_NAME = _("Give the token a name.")
ERROR_EXPIRY = _("The expiry must be in the future.")


class ApiTokenError(ValueError):
    pass


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _parse(token: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    prefix, _sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if len(prefix) != PREFIX_LENGTH or not secret:
        return None
    return prefix


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`. Returns the row and the token, which is never shown again."""
    name = (name or "").strip()[:MAX_NAME_LENGTH]
    if not name:
        raise ApiTokenError(ERROR_NAME)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenError(ERROR_EXPIRY)
    while True:
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(token), expires_at=expires_at
    )
    return row, token


def api_token_revoke(*, token: ApiToken, actor: User) -> bool:
    """Revoke one of the actor's own tokens; True when this call revoked it."""
    if token.user_id != actor.id:
        raise ApiTokenError("Only the owner may revoke a token.")
    now = timezone.now()
    revoked = ApiToken.objects.filter(id=token.id, revoked_at__isnull=True).update(
        revoked_at=now, revoked_because=RevokedBecause.OWNER
    )
    if revoked:
        token.revoked_at = now
        token.revoked_because = RevokedBecause.OWNER
    return bool(revoked)


def api_tokens_revoke_all(*, user: User, because: RevokedBecause) -> int:
    """Revoke every token of `user` still in force (a password or second-factor change: a
    token made before it must not outlive it). Returns how many were revoked."""
    now = timezone.now()
    in_force = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    return ApiToken.objects.filter(in_force, user=user, revoked_at__isnull=True).update(
        revoked_at=now, revoked_because=because
    )


def api_tokens_of(*, user: User):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_authenticate(token: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token row (with its active owner) for `token`, or None; records the use."""
    prefix = _parse(token)
    if prefix is None:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.digest, token_digest(token)):
        return None
    now = now or timezone.now()
    if not row.is_usable(now) or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(id=row.id).update(last_used_at=now)
        row.last_used_at = now
    return row


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer tl_…`; request.user is the owner, request.auth the ApiToken.

    Requests without the header fall through to session authentication (the browser, where
    CSRF is enforced). A header with a bad token is refused outright, never treated as
    anonymous.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(BAD_TOKEN) from None
        row = api_token_authenticate(raw)
        if row is None:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        # The pages send such a user to enrol before anything else; so does the API. (Tokens
        # made before the first enrolment are revoked by it: accounts.two_factor.)
        if settings.STAFF_OTP_REQUIRED and not second_factor_enrolled(row.user):
            raise exceptions.AuthenticationFailed(ENROL_FIRST)
        return (row.user, row)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser's session, with CSRF, counted only once it has shown its second factor
    where the staff pages would ask for one (accounts.two_factor_policy). A session signed in
    with the password alone is anonymous to the API."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and second_factor_missing(result[0]):
            return None
        return result


class TokenScopedRateThrottle(ScopedRateThrottle):
    """Rates per view scope (`throttle_scope`), counted per token for token requests and per
    user for browser sessions, so one integration cannot use up its owner's other tokens.

    Rates are read from settings on every request (not frozen at import like DRF's own), so
    deployments and tests can change REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].
    """

    def get_rate(self):
        rates = api_settings.user_settings.get("DEFAULT_THROTTLE_RATES", {})
        try:
            return rates[self.scope]
        except KeyError:
            raise exceptions.ImproperlyConfigured(
                f"No rate set for the throttle scope {self.scope!r}."
            ) from None

    def allow_request(self, request, view) -> bool:
        """Counts in the cache; with the cache unreachable the request goes through (a staff
        member reading a life-safety case must not get 500 because Redis is down)."""
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning(
                "API rate limit skipped: the cache is unreachable (%s)", type(error).__name__
            )
            return True

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            # Anonymous requests fail authentication before doing any work; they are counted
            # together rather than by client address, which we never keep.
            ident = "anonymous"
        return self.cache_format % {"scope": self.scope, "ident": ident}
