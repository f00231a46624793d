"""What a staff member's phone and browser do in two-factor tests: compute a code, sign in."""

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


def totp_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows right now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def next_totp_code(device: TOTPDevice) -> str:
    """The code of the next 30-second step (a code is accepted once: this one is still new)."""
    step = totp(device.bin_key, step=device.step, t0=device.t0 - device.step, digits=6)
    return f"{step:06d}"


def sign_in_with_password(client, email: str, password: str = TEST_PASSWORD, **extra):
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def verify(client, code: str):
    return client.post(reverse("accounts:otp_verify"), {"token": code})
