"""Staff sign-in, password reset, the staff home page and /healthz.

The two-factor pages are accounts/two_factor_views.py; API tokens, accounts/token_views.py.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from kombu import Connection

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


@require_GET
def healthz(request):
    """Database and broker reachability as JSON; never secrets or addresses."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    if not settings.CELERY_BROKER_URL:
        checks["broker"] = "not configured: tasks run in-process"
    else:
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "unreachable"
    healthy = checks["database"] == "ok" and checks["broker"] != "unreachable"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )
