"""Recovery codes: made at enrolment and shown once, stored hashed, single use, regenerated
only from a verified session (audited and emailed)."""

import hashlib
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccountEvent, RecoveryCode, RecoveryCodeDevice
from accounts.two_factor import (
    TwoFactorError,
    recovery_codes_regenerate,
    second_factor_code_match,
)
from tests.factories import TOTPDeviceFactory

from .otp import sign_in_with_password, totp_code, verify

pytestmark = pytest.mark.django_db

CODES_PAGE = reverse("accounts:recovery_codes")


@pytest.fixture(autouse=True)
def _no_throttle_between_attempts(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_RECOVERY_THROTTLE_FACTOR = 0


def _enrol(client, user_email: str, django_capture_on_commit_callbacks):
    sign_in_with_password(client, user_email)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("accounts:otp_setup"), {"token": totp_code(device)})
    return page, device


def test_it_shows_ten_codes_once_at_enrolment_and_keeps_only_digests(
    client, personas, django_capture_on_commit_callbacks
):
    page, _device = _enrol(client, "alice@example.org", django_capture_on_commit_callbacks)

    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    html = page.content.decode()
    assert all(code in html for code in codes)
    assert page["Cache-Control"].startswith("max-age=0")
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    # Nowhere else: not in the next page, the session, the audit trail or the email.
    later = client.get(CODES_PAGE).content.decode()
    assert not any(code in later for code in codes)
    assert "10 unused recovery codes" in later
    session = str(dict(client.session))
    event = AccountEvent.objects.get(user=personas.counselor_a)
    assert event.kind == AccountEvent.Kind.TWO_FACTOR_ENABLED
    for code in codes:
        assert code not in session and code not in str(event.data)
        assert code not in mail.outbox[0].body


def test_it_regenerates_codes_from_a_verified_session_only(
    client, personas, django_capture_on_commit_callbacks
):
    device = TOTPDeviceFactory(user=personas.counselor_a)
    old = recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)
    sign_in_with_password(client, "alice@example.org")

    refused = client.post(CODES_PAGE)
    assert refused.status_code == 302
    assert refused.url.startswith(reverse("accounts:otp_verify"))
    assert second_factor_code_match(user=personas.counselor_a, code=old[0]) is not None

    verify(client, totp_code(device))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(CODES_PAGE)
    new = page.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert second_factor_code_match(user=personas.counselor_a, code=old[1]) is None
    assert second_factor_code_match(user=personas.counselor_a, code=new[0]) is not None
    made = AccountEvent.objects.filter(kind=AccountEvent.Kind.RECOVERY_CODES_CREATED)
    assert made.count() == 2 and made.first().actor == personas.counselor_a
    notice = next(m for m in mail.outbox if "New recovery codes" in m.subject)
    assert notice.to == ["alice@example.org"]
    assert not any(code in notice.body for code in new)


def test_it_refuses_the_service_an_unverified_or_foreign_device(personas):
    device = TOTPDeviceFactory(user=personas.counselor_a)
    bobs = TOTPDeviceFactory(user=personas.counselor_b)
    for verified_by in (None, bobs):
        with pytest.raises(TwoFactorError):
            recovery_codes_regenerate(user=personas.counselor_a, verified_by=verified_by)
    assert not RecoveryCodeDevice.objects.filter(user=personas.counselor_a).exists()
    assert len(recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)) == 10


def test_it_slows_down_wrong_recovery_codes(personas, settings):
    settings.OTP_RECOVERY_THROTTLE_FACTOR = 60
    device = TOTPDeviceFactory(user=personas.counselor_a)
    codes = recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)
    assert second_factor_code_match(user=personas.counselor_a, code="aaaa-bbbb-cccc-dddd") is None
    # Right after a wrong guess even a right code waits: guessing is throttled.
    assert second_factor_code_match(user=personas.counselor_a, code=codes[0]) is None
    RecoveryCodeDevice.objects.filter(user=personas.counselor_a).update(throttling_failure_count=0)
    assert second_factor_code_match(user=personas.counselor_a, code=codes[0]) is not None


@pytest.mark.django_db(transaction=True)
def test_it_accepts_one_code_once_under_concurrent_use(personas, settings):
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL's concurrent transactions (DATABASE_URL)")
    settings.OTP_RECOVERY_THROTTLE_FACTOR = 0
    device = TOTPDeviceFactory(user=personas.counselor_a)
    code = recovery_codes_regenerate(user=personas.counselor_a, verified_by=device)[0]
    barrier = threading.Barrier(4)
    accepted = []

    def use() -> None:
        barrier.wait()
        try:
            accepted.append(second_factor_code_match(user=personas.counselor_a, code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(device is not None for device in accepted) == 1
