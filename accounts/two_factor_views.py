"""Staff two-factor pages: verify, set up (or replace) an authenticator, recovery codes, and
signing in with password and code together past an account lockout.

Recovery codes are shown in the response that made them, once: never stored, never put in a
redirect, a message or a cache (the pages are never_cache).
"""

import base64
import io

import qrcode
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from . import lockout
from .forms import AuthenticatorSetupForm, SignInCodeForm, StaffLoginWithCodeForm
from .models import AccountEvent
from .services import account_event_record
from .two_factor import (
    TwoFactorError,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_code_match,
    totp_device_confirm,
    totp_device_pending,
)
from .two_factor_policy import may_change_second_factor, second_factor_enrolled

SETUP_DEVICE_SESSION_KEY = "otp_setup_device_id"


def _safe_next(request, default: str = "accounts:home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _verify_first(request, then: str):
    messages.info(
        request,
        _("Enter a code from your authenticator app, or a recovery code, to continue."),
    )
    return redirect(f"{reverse('accounts:otp_verify')}?next={reverse(then)}")


@never_cache
@login_required
def otp_verify(request):
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_code_match(user=request.user, code=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            _(
                "That code did not match. App codes change every 30 seconds; recovery "
                "codes work once."
            ),
        )
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app (QR code, then one code from it). With one enrolled already,
    only a verified session gets here: to add a second app or replace the first."""
    user = request.user
    if not may_change_second_factor(user):
        return _verify_first(request, then="accounts:otp_setup")
    replacing = second_factor_enrolled(user)
    try:
        device = totp_device_pending(
            user=user,
            verified_by=user.otp_device,
            device_id=request.session.get(SETUP_DEVICE_SESSION_KEY),
        )
    except TwoFactorError:
        return _verify_first(request, then="accounts:otp_setup")
    request.session[SETUP_DEVICE_SESSION_KEY] = device.id
    form = AuthenticatorSetupForm(request.POST or None, replacing=replacing)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(
                device=device,
                token=form.cleaned_data["token"],
                verified_by=user.otp_device,
                keep_existing=form.cleaned_data.get("keep_existing", False),
            )
        except TwoFactorError as error:
            form.add_error("token", str(error))
        else:
            request.session.pop(SETUP_DEVICE_SESSION_KEY, None)
            otp_login(request, device)
            if codes:
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "first": True, "next": _safe_next(request, "")},
                )
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "replacing": replacing,
            "qr_code": device_qr_code(device),
            "secret": device_secret(device),
            "next": _safe_next(request, ""),
        },
        status=400 if request.method == "POST" else 200,
    )


def device_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def device_qr_code(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; make new ones (shown once) from a verified session."""
    user = request.user
    if not second_factor_enrolled(user):
        return redirect("accounts:otp_setup")
    if request.method == "POST":
        try:
            codes = recovery_codes_regenerate(user=user, verified_by=user.otp_device)
        except TwoFactorError:
            return _verify_first(request, then="accounts:recovery_codes")
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes_left": recovery_codes_left(user=user), "codes": None},
    )


@method_decorator(never_cache, name="dispatch")
class StaffLoginWithCodeView(auth_views.LoginView):
    """Email, password and code in one step (accounts.lockout): works while password-only
    sign-in to the account is locked; the per-client limit still applies."""

    template_name = "accounts/login_with_code.html"
    authentication_form = StaffLoginWithCodeForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        lockout.second_factor_sign_in_mark(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        username = form.cleaned_data["username"]
        device = second_factor_code_match(user=user, code=form.cleaned_data["token"])
        if device is None:
            # Counted like a wrong password, and answered the same way.
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            form.add_error(None, form.error_messages["invalid_login"])
            return self.form_invalid(form)
        locked = lockout.account_sign_in_locked(username)
        auth_login(self.request, user)
        otp_login(self.request, device)
        if locked:
            account_event_record(
                user=user, kind=AccountEvent.Kind.SIGNED_IN_PAST_LOCKOUT, actor=user
            )
        return redirect(self.get_success_url())
