"""The staff sign-in paths of issue 12 under the no-leak and hostile-input rules: lockouts,
signing in with a code, recovery codes and security notices keep no client address or user
agent anywhere, put no secret in an email or a log, and answer hostile bodies without a 5xx.
"""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from accounts.two_factor import recovery_codes_regenerate
from tests.accounts.otp import totp_code
from tests.factories import TEST_PASSWORD, TOTPDeviceFactory

from .test_no_leaks import HEADERS, _database_text, _found, captured_logs  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SIGN_IN_POSTS = [
    "/accounts/login/",
    "/accounts/login/with-code/",
    "/accounts/2fa/verify/",
    "/accounts/2fa/setup/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/password/reset/",
]
HOSTILE_BODIES = [
    (b"username=\xff\xfe&password=\xc3\x28&token=\xff", "application/x-www-form-urlencoded"),
    (b"username=a%00b&password=x&token=12%0034", "application/x-www-form-urlencoded"),
    (b'{"username": "x", "token": "1"}', "application/json"),
    (b"token=" + b"9" * 100_000, "application/x-www-form-urlencoded"),
    (
        b'--XX\r\nContent-Disposition: form-data; name="token"\r\n\r\nno end',
        "multipart/form-data; boundary=XX",
    ),
]


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_RECOVERY_THROTTLE_FACTOR = 0
    cache.clear()
    yield
    cache.clear()


@override_settings(DEBUG=False, LOG_LEVEL="DEBUG")
def test_it_keeps_no_address_agent_or_secret_through_lockouts_and_codes(
    personas,
    settings,
    captured_logs,  # noqa: F811
    capsys,
):
    device = TOTPDeviceFactory(user=personas.counselor_a)
    codes = recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)
    login, with_code = reverse("accounts:login"), reverse("accounts:login_with_code")
    # Wrong passwords from the probe's client (locking that client out), then from many
    # others, past the account-wide limit.
    prober = Client(**HEADERS)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        prober.post(login, {"username": "alice@example.org", "password": "wrong"})
    crowd = Client(HTTP_USER_AGENT=HEADERS["HTTP_USER_AGENT"])
    for attempt in range(settings.SIGNIN_ACCOUNT_FAILURE_LIMIT):
        crowd.post(
            login,
            {"username": "alice@example.org", "password": "wrong"},
            REMOTE_ADDR=f"192.0.2.{attempt + 1}",
        )
    # The owner, on another network that carries the same probe headers, gets in with codes.
    owner = Client(**{**HEADERS, "REMOTE_ADDR": "198.51.100.7"})
    locked = owner.post(login, {"username": "alice@example.org", "password": TEST_PASSWORD})
    assert locked.status_code == 429
    for secret in (codes[0], totp_code(device)):
        owner.post(
            with_code,
            {"username": "alice@example.org", "password": TEST_PASSWORD, "token": secret},
        )
        assert owner.get(reverse("accounts:home")).status_code == 200
        owner.post(reverse("accounts:logout"))
    printed = capsys.readouterr()

    assert _found(_database_text()) == [], "found in the database"
    logs = captured_logs.getvalue()
    assert logs, "the capture works"
    assert _found(logs) == [], "found in the log output"
    assert _found(printed.out + printed.err) == [], "found on stdout/stderr"
    assert len(mail.outbox) >= 3, "the notices went out (recovery code, sign-ins past lockout)"
    for secret in (*codes, device.key, TEST_PASSWORD):
        assert secret not in logs
        assert all(secret not in message.body for message in mail.outbox)


@pytest.mark.parametrize("body,content_type", HOSTILE_BODIES)
def test_it_answers_hostile_sign_in_bodies_without_a_5xx(personas, body, content_type):
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(personas.counselor_a)
    TOTPDeviceFactory(user=personas.counselor_a)
    for client in (anonymous, signed_in):
        for path in SIGN_IN_POSTS:
            response = client.generic("POST", path, body, content_type=content_type)
            assert response.status_code < 500, f"{path}: {response.status_code}"
