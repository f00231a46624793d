"""Staff two-factor: a signed-in user without a verified second factor reaches only the
pages that let them verify (or, with none enrolled yet, enrol) one, or sign out. The API
answers such a session with an error in its own format instead of a redirect."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .language import preferred_language
from .two_factor_policy import second_factor_enrolled, second_factor_missing

EXEMPT_URL_NAMES = ("accounts:otp_verify", "accounts:logout", "healthz")
# Enrolling is open to a password-only session only while the user has no second factor.
ENROL_URL_NAME = "accounts:otp_setup"
API_PATH_PREFIX = "/api/"


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and second_factor_missing(user):
            enrolled = second_factor_enrolled(user)
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
