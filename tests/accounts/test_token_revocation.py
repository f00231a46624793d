"""Issue 12, finding 13: API tokens must not survive a password change or a two-factor reset.

Reproduced: a token made before the owner reset their password (or before an administrator
reset their two-factor sign-in) still answered 200 at /api/v1/cases/ afterwards.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from accounts.models import AccountEvent, ApiToken, RecoveryCodeDevice, RevokedBecause
from accounts.two_factor import recovery_codes_regenerate
from tests.factories import TOTPDeviceFactory

from .otp import sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

CASES_API = "/api/v1/cases/"
NEW_PASSWORD = "a new long passphrase 42"


def _bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_it_revokes_tokens_when_the_password_is_reset(
    client, personas, django_capture_on_commit_callbacks
):
    _row, token = api_token_create(user=personas.counselor_a, name="SIS sync")
    _other_row, other_token = api_token_create(user=personas.counselor_b, name="Bob's")
    assert _bearer(token).get(CASES_API).status_code == 200

    client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    form = client.get(link.group(1), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            follow=True,
        )

    assert "API tokens, they were revoked" in done.content.decode()
    assert _bearer(token).get(CASES_API).status_code == 401
    assert _bearer(other_token).get(CASES_API).status_code == 200
    row = ApiToken.objects.get(user=personas.counselor_a)
    assert row.revoked_because == RevokedBecause.PASSWORD_CHANGED
    event = AccountEvent.objects.get(user=personas.counselor_a)
    assert event.kind == AccountEvent.Kind.PASSWORD_CHANGED
    assert event.data == {"via": "reset link", "tokens_revoked": 1}
    notice = mail.outbox[-1]
    assert notice.to == ["alice@example.org"] and "password was changed" in notice.subject
    assert "API token was revoked" in notice.body
    assert NEW_PASSWORD not in notice.body and token not in notice.body


def test_it_says_on_the_tokens_page_why_a_token_stopped(
    client, personas, django_capture_on_commit_callbacks
):
    api_token_create(user=personas.counselor_a, name="SIS sync")
    client.force_login(personas.principal_a)
    personas.principal_a.is_staff = personas.principal_a.is_superuser = True
    personas.principal_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:auth_user_password_change", args=[personas.counselor_a.id]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
    assert ApiToken.objects.get().revoked_because == RevokedBecause.PASSWORD_CHANGED
    event = AccountEvent.objects.get(user=personas.counselor_a)
    assert event.actor == personas.principal_a and event.data["via"] == "admin site"
    assert "administrator" in mail.outbox[0].body

    personas.counselor_a.refresh_from_db()  # the new password's hash signs the session
    client.force_login(personas.counselor_a)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "revoked when your password changed" in page


def test_it_leaves_tokens_alone_when_the_admin_only_edits_the_user(client, personas):
    _row, token = api_token_create(user=personas.counselor_a, name="SIS sync")
    admin = personas.principal_a
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    # A refused password form (mismatch) changes nothing.
    client.post(
        reverse("admin:auth_user_password_change", args=[personas.counselor_a.id]),
        {"password1": NEW_PASSWORD, "password2": "something else", "usable_password": "true"},
    )
    assert _bearer(token).get(CASES_API).status_code == 200
    assert not AccountEvent.objects.exists()


def test_it_revokes_tokens_and_factors_on_an_admin_two_factor_reset(
    client, personas, django_capture_on_commit_callbacks
):
    device = TOTPDeviceFactory(user=personas.counselor_a)
    recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)
    _row, token = api_token_create(user=personas.counselor_a, name="SIS sync")
    assert _bearer(token).get(CASES_API).status_code == 200
    admin = personas.district_admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [personas.counselor_a.id]},
        )

    assert _bearer(token).get(CASES_API).status_code == 401
    assert not TOTPDevice.objects.filter(user=personas.counselor_a).exists()
    assert not RecoveryCodeDevice.objects.filter(user=personas.counselor_a).exists()
    row = ApiToken.objects.get(user=personas.counselor_a)
    assert row.revoked_because == RevokedBecause.TWO_FACTOR_CHANGED
    reset = AccountEvent.objects.filter(kind=AccountEvent.Kind.TWO_FACTOR_RESET).get()
    assert reset.actor == admin and reset.data["tokens_revoked"] == 1
    assert any("reset" in message.subject for message in mail.outbox)


def test_it_revokes_password_only_tokens_at_the_first_enrolment(
    client, personas, django_capture_on_commit_callbacks
):
    # Made while the account had no second factor: the password alone made it.
    _row, token = api_token_create(user=personas.counselor_a, name="before 2FA")
    sign_in_with_password(client, "alice@example.org")
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=personas.counselor_a, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:otp_setup"), {"token": totp_code(device)})

    assert _bearer(token).get(CASES_API).status_code == 401
    assert ApiToken.objects.get().revoked_because == RevokedBecause.TWO_FACTOR_CHANGED
    assert "API token was revoked" in mail.outbox[0].body
    # A token made now, from the verified session, works.
    fresh = client.post(reverse("accounts:tokens"), {"name": "after 2FA"}).context["new_token"]
    assert _bearer(fresh).get(CASES_API).status_code == 200


def test_it_keeps_tokens_when_a_verified_owner_replaces_the_app(
    client, personas, django_capture_on_commit_callbacks
):
    old = TOTPDeviceFactory(user=personas.counselor_a)
    _row, token = api_token_create(user=personas.counselor_a, name="sync")
    sign_in_with_password(client, "alice@example.org")
    client.post(reverse("accounts:otp_verify"), {"token": totp_code(old)})
    client.get(reverse("accounts:otp_setup"))
    new = TOTPDevice.objects.get(user=personas.counselor_a, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:otp_setup"), {"token": totp_code(new)})
    assert _bearer(token).get(CASES_API).status_code == 200
