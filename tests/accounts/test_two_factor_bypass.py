"""Issue 12, finding 1: the password alone must not enrol a second factor.

The attack as reproduced: an account with a confirmed authenticator; sign in with the
password (staff pages send to /accounts/2fa/verify/), open /accounts/2fa/setup/, read the new
secret, post a code for it: staff pages and /api/v1/cases/ answered 200, and the attacker's
device stayed enrolled beside the owner's.
"""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.request import Request
from rest_framework.test import APIClient

from accounts.api_tokens import VerifiedSessionAuthentication, api_token_create
from accounts.models import AccountEvent
from accounts.two_factor import recovery_codes_regenerate
from tests.factories import TOTPDeviceFactory

from .otp import sign_in_with_password, totp_code, verify

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:otp_setup")
HOME = reverse("accounts:home")
CASES_API = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def _no_throttle_between_attempts(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_RECOVERY_THROTTLE_FACTOR = 0


def test_it_refuses_setup_to_a_session_signed_in_with_the_password_only(client, personas):
    owner_device = TOTPDeviceFactory(user=personas.counselor_a)
    sign_in_with_password(client, "alice@example.org")

    # The attacker's script: open setup, take the secret it made, confirm a code for it.
    setup = client.get(SETUP)
    made = TOTPDevice.objects.filter(user=personas.counselor_a, confirmed=False).first()
    if made is not None:
        client.post(SETUP, {"token": totp_code(made)})

    assert setup.status_code == 302
    assert setup.url.startswith(reverse("accounts:otp_verify"))
    assert made is None, "a new secret was made for a password-only session"
    assert list(TOTPDevice.objects.filter(user=personas.counselor_a)) == [owner_device]
    assert client.get(HOME).url.startswith(reverse("accounts:otp_verify"))
    api = client.get(CASES_API)
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
    assert not AccountEvent.objects.exists()


def test_it_refuses_a_setup_post_from_a_password_only_session(client, personas):
    TOTPDeviceFactory(user=personas.counselor_a)
    # A pending device of the user's own (e.g. an abandoned setup) does not help either.
    pending = TOTPDevice.objects.create(user=personas.counselor_a, name="x", confirmed=False)
    sign_in_with_password(client, "alice@example.org")
    session = client.session
    session["otp_setup_device_id"] = pending.id
    session.save()

    response = client.post(SETUP, {"token": totp_code(pending), "keep_existing": "on"})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert not pending.confirmed
    assert client.get(HOME).status_code == 302


def test_it_lets_a_verified_session_replace_the_authenticator(
    client, personas, django_capture_on_commit_callbacks
):
    old = TOTPDeviceFactory(user=personas.counselor_a)
    sign_in_with_password(client, "alice@example.org")
    assert verify(client, totp_code(old)).status_code == 302

    page = client.get(SETUP)
    assert page.status_code == 200
    assert "keep_existing" in page.content.decode()
    new = TOTPDevice.objects.get(user=personas.counselor_a, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(SETUP, {"token": totp_code(new)})

    assert done.status_code == 302
    assert list(TOTPDevice.objects.filter(user=personas.counselor_a)) == [new]
    new.refresh_from_db()
    assert new.confirmed
    # The session is verified by the new app: the old one is gone.
    assert client.get(HOME).status_code == 200
    event = AccountEvent.objects.get(user=personas.counselor_a)
    assert event.kind == AccountEvent.Kind.DEVICE_REPLACED
    assert event.actor == personas.counselor_a
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    notice = mail.outbox[0]
    assert "replaced" in notice.subject
    # Nothing in the email would let its reader sign in.
    for secret in (new.key, old.key, totp_code(new)):
        assert secret not in notice.body and secret not in notice.subject


def test_it_lets_a_verified_session_add_a_second_authenticator(
    client, personas, django_capture_on_commit_callbacks
):
    first = TOTPDeviceFactory(user=personas.counselor_a)
    sign_in_with_password(client, "alice@example.org")
    verify(client, totp_code(first))
    client.get(SETUP)
    second = TOTPDevice.objects.get(user=personas.counselor_a, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETUP, {"token": totp_code(second), "keep_existing": "on"})

    assert set(TOTPDevice.objects.filter(user=personas.counselor_a, confirmed=True)) == {
        first,
        second,
    }
    assert AccountEvent.objects.get().kind == AccountEvent.Kind.DEVICE_ADDED
    assert "added" in mail.outbox[0].subject


def test_it_signs_in_with_a_recovery_code_once_only(client, personas):
    device = TOTPDeviceFactory(user=personas.counselor_a)
    codes = recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)

    sign_in_with_password(client, "alice@example.org")
    assert verify(client, codes[0].upper().replace("-", " ")).status_code == 302
    assert client.get(HOME).status_code == 200
    # The lost-phone case: a recovery-code session may replace the authenticator.
    assert client.get(SETUP).status_code == 200

    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, "alice@example.org")
    again = verify(client, codes[0])
    assert again.status_code == 200
    assert "did not match" in again.content.decode()
    assert client.get(HOME).status_code == 302
    assert verify(client, codes[1]).status_code == 302
    used = AccountEvent.objects.filter(kind=AccountEvent.Kind.RECOVERY_CODE_USED)
    assert [event.data["codes_left"] for event in used.order_by("id")] == [9, 8]


def test_it_asks_the_api_for_the_second_factor_a_page_would_ask_for(client, personas):
    device = TOTPDeviceFactory(user=personas.counselor_a)
    sign_in_with_password(client, "alice@example.org")
    assert client.get(CASES_API).status_code == 403
    verify(client, totp_code(device))
    assert client.get(CASES_API).status_code == 200


def test_it_refuses_a_session_the_middleware_would_not_see(rf, personas):
    # The API's own session authentication, without the staff middleware in front of it.
    device = TOTPDeviceFactory(user=personas.counselor_a)
    request = rf.get(CASES_API)
    request.user = personas.counselor_a
    request.user.otp_device = None
    request._dont_enforce_csrf_checks = True
    assert VerifiedSessionAuthentication().authenticate(Request(request)) is None
    request.user.otp_device = device
    assert VerifiedSessionAuthentication().authenticate(Request(request)) == (request.user, None)


def test_it_refuses_tokens_of_staff_who_must_enrol_first(personas, settings):
    _row, token = api_token_create(user=personas.counselor_a, name="made before 2FA")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(CASES_API).status_code == 200

    settings.STAFF_OTP_REQUIRED = True
    refused = api.get(CASES_API)

    assert refused.status_code == 401
    assert "Two-factor sign-in is required" in refused.json()["error"]["message"]
