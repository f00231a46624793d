"""Staff two-factor: a signed-in user without a verified second factor reaches only the
pages that let them verify (or, with none enrolled yet, enrol) one, or sign out. The API
answers such a session with an error in its own format instead of a redirect."""

import functools

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import is_verified
from django_otp.models import Device

from . import auth_cache, permissions
from .language import preferred_language
from .two_factor_policy import second_factor_enrolled, second_factor_missing

EXEMPT_URL_NAMES = ("accounts:otp_verify", "accounts:logout", "healthz")
# Enrolling is open to a password-only session only while the user has no second factor.
ENROL_URL_NAME = "accounts:otp_setup"
API_PATH_PREFIX = "/api/"


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware and django-otp's OTPMiddleware in one, reading the
    signed-in user, their second factors and their roles from one cache round trip when a
    current snapshot is kept (accounts/auth_cache.py), else from the database exactly as
    those two middlewares do (and then keeping a snapshot). Sets `request.user` lazily, with
    `otp_device` and `is_verified()` as django-otp does."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _signed_in_user(request))


def _signed_in_user(request):
    if hasattr(request, "_cached_user"):
        return request._cached_user
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    extra = []
    if user_id is not None:
        extra = [*permissions.roles_cache_keys(user_id), *auth_cache.prefetch_keys(user_id)]
    user, found = auth_cache.lookup(session, extra)
    if user is None:
        version = auth_cache.version_before_reading(session)
        user = auth.get_user(request)
        _device_verify(request, user)
        if user.is_authenticated and version is not None:
            auth_cache.keep(session, user, version)
    if user.is_authenticated and found:
        permissions.roles_adopt(user, found)
        setattr(user, auth_cache.PREFETCHED_ATTRIBUTE, found)
    user.is_verified = functools.partial(is_verified, user)
    request._cached_user = user
    return user


def _device_verify(request, user) -> None:
    """django-otp's OTPMiddleware: the device named in the session, if it is the user's."""
    user.otp_device = None
    if not user.is_authenticated:
        return
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    if device is not None and device.user_id != user.pk:
        device = None
    if device is None and DEVICE_ID_SESSION_KEY in request.session:
        del request.session[DEVICE_ID_SESSION_KEY]
    user.otp_device = device


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # A user read from a snapshot knows whether they have a second factor (no query).
        known = getattr(user, auth_cache.KNOWN_ENROLLED_ATTRIBUTE, None) if user else None
        if user is not None and second_factor_missing(user, enrolled=known):
            enrolled = second_factor_enrolled(user) if known is None else known
            exempt = {reverse(name) for name in EXEMPT_URL_NAMES}
            if not enrolled:
                exempt.add(reverse(ENROL_URL_NAME))
            static_prefix = "/" + settings.STATIC_URL.lstrip("/")
            if request.path not in exempt and not request.path.startswith(static_prefix):
                if request.path.startswith(API_PATH_PREFIX):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "second_factor_required",
                                "message": _(
                                    "This session has not shown its second factor. Sign in "
                                    "again, or use a personal API token."
                                ),
                                "fields": {},
                            }
                        },
                        status=403,
                    )
                target = "accounts:otp_verify" if enrolled else ENROL_URL_NAME
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class StaffLanguageMiddleware:
    """Pages in a signed-in staff member's own language (User.language), whatever the
    browser or the switcher's cookie says; without a preference, LocaleMiddleware's choice
    (cookie, then Accept-Language) stands. Runs after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = preferred_language(getattr(request, "user", None))
        if chosen and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
