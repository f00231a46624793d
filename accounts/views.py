"""Staff sign-in, password reset and the staff home page.

The two-factor pages are accounts/two_factor_views.py; API tokens, accounts/token_views.py.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from . import permissions
from .forms import StaffLoginForm
from .services import user_password_changed
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
