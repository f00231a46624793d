"""TOTP two-factor for staff: enrolment, verification, and the setting that requires it."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_between_attempts(settings):
    # django-otp delays the next try after a wrong code; a test's next try comes at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_it_lets_staff_in_without_a_device_when_not_required(client, personas, settings):
    settings.STAFF_OTP_REQUIRED = False
    client.force_login(personas.counselor_a)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_it_sends_staff_to_enrol_when_required(client, personas, settings):
    settings.STAFF_OTP_REQUIRED = True
    client.force_login(personas.counselor_a)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_setup"))

    setup = client.get(response.url)
    assert setup.status_code == 200
    assert "data:image/svg+xml;base64," in setup.content.decode()
    device = TOTPDevice.objects.get(user=personas.counselor_a, confirmed=False)

    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "did not match" in wrong.content.decode()

    done = client.post(
        reverse("accounts:otp_setup"), {"token": _code(device), "next": "/accounts/home/"}
    )
    # The first app turns two-factor on: its recovery codes are shown once, on this page.
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert 'href="/accounts/home/"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:home")).status_code == 200


def test_it_asks_enrolled_staff_for_a_code_even_when_not_required(client, personas, settings):
    settings.STAFF_OTP_REQUIRED = False
    device = TOTPDevice.objects.create(user=personas.counselor_a, name="phone", confirmed=True)
    client.force_login(personas.counselor_a)
    response = client.get(reverse("accounts:home"))
    assert response.url.startswith(reverse("accounts:otp_verify"))

    wrong = client.post(reverse("accounts:otp_verify"), {"token": "123"})
    assert wrong.status_code == 200
    assert client.get(reverse("accounts:home")).status_code == 302

    ok = client.post(reverse("accounts:otp_verify"), {"token": _code(device)})
    assert ok.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


def test_it_refuses_an_offsite_next_after_verification(client, personas):
    device = TOTPDevice.objects.create(user=personas.counselor_a, name="phone", confirmed=True)
    client.force_login(personas.counselor_a)
    response = client.post(
        reverse("accounts:otp_verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("accounts:home")


def test_it_lets_unverified_staff_sign_out(client, personas, settings):
    settings.STAFF_OTP_REQUIRED = True
    client.force_login(personas.counselor_a)
    assert client.post(reverse("accounts:logout")).status_code == 302
