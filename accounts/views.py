"""Staff sign-in, password reset, the staff home page, the staff member's own settings (their
language) and the language switcher's endpoint.

The two-factor pages are accounts/two_factor_views.py; API tokens, accounts/token_views.py.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import permissions
from .forms import LanguagePreferenceForm, StaffLoginForm
from .language import SUPPORTED
from .services import user_language_set, user_password_changed
from .two_factor import recovery_codes_left
from .two_factor_policy import second_factor_enrolled


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


class StaffPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset form; a new password also revokes the user's API tokens, is audited
    and emailed (accounts.services.user_password_changed)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(user=form.user, actor=form.user, via="reset link")
        return response


class InvitationAcceptView(StaffPasswordResetConfirmView):
    """The invitation's one-time link (accounts.district_admin.staff_invite): the new staff
    member chooses a password, then signs in and meets the usual second-factor enrolment.
    Django's reset token: it stops working once a password is set."""

    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("Your password is set. Sign in with your email address and it.")
        )
        return response


@login_required
def home(request):
    user = request.user
    roles = permissions.roles_by_school(user)
    schools = permissions.schools_for(user, permissions.Action.VIEW_SUMMARY)
    rows = [{"school": school, "role": roles[school.id]} for school in schools]
    enrolled = second_factor_enrolled(user)
    return render(
        request,
        "accounts/home.html",
        {
            "school_roles": rows,
            "second_factor_enrolled": enrolled,
            "recovery_codes_left": recovery_codes_left(user=user) if enrolled else None,
            "account_events": user.account_events.all()[:5],
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The staff member's own settings: the language of their pages, emails and SMS."""
    form = LanguagePreferenceForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        user_language_set(user=request.user, language=language)
        response = redirect("accounts:profile")
        if language:
            # The confirmation, and the switcher's cookie, in the language just chosen.
            with translation.override(language):
                messages.success(request, _("Your language is saved."))
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        else:
            messages.success(request, _("Your language is saved."))
        return response
    return render(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
def language_set(request):
    """The switcher (a POST of `language` and `next`): Django's set_language, which sets the
    language cookie and goes back to `next`; for a signed-in staff member it also becomes
    their saved preference, so that the choice holds on their next page and in what is sent
    to them."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in SUPPORTED and language != user.language:
        user_language_set(user=user, language=language)
    return response
