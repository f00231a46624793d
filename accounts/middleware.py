"""Staff two-factor: a signed-in user without a verified second factor reaches only the
pages that let them verify (or enrol) one, or sign out."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

EXEMPT_URL_NAMES = ("accounts:otp_verify", "accounts:otp_setup", "accounts:logout", "healthz")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            has_device = user_has_device(user, confirmed=True)
            if has_device or settings.STAFF_OTP_REQUIRED:
                exempt = {reverse(name) for name in EXEMPT_URL_NAMES}
                static_prefix = "/" + settings.STATIC_URL.lstrip("/")
                if request.path not in exempt and not request.path.startswith(static_prefix):
                    target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
                    return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
