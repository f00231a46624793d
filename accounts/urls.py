from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import token_views, two_factor_views, views
from .forms import StaffPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path(
        "login/with-code/",
        two_factor_views.StaffLoginWithCodeView.as_view(),
        name="login_with_code",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("2fa/verify/", two_factor_views.otp_verify, name="otp_verify"),
    path("2fa/setup/", two_factor_views.otp_setup, name="otp_setup"),
    path("2fa/recovery-codes/", two_factor_views.recovery_codes, name="recovery_codes"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.StaffPasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
