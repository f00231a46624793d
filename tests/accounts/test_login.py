"""Staff login by email, logout, lockout after repeated failures, password reset."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_lockout_counters():
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_it_logs_staff_in_by_email_whatever_the_case(client, personas):
    response = _login(client, "ALICE@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("tipline:home")
    home = client.get(reverse("accounts:home"))
    assert "Lincoln High" in home.content.decode()


def test_it_rejects_a_wrong_password_with_a_clear_message(client, personas):
    response = _login(client, "alice@example.org", "nope")
    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower()


def test_it_locks_an_account_after_repeated_failures(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "alice@example.org", "wrong")
    locked = _login(client, "alice@example.org", TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Another account is not affected: lockout is by account, not by client address.
    assert _login(client, "bob@example.org", TEST_PASSWORD).status_code == 302


def test_it_logs_out_on_post(client, personas):
    client.force_login(personas.counselor_a)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_it_keeps_anonymous_users_out_of_staff_pages(client, personas):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_resets_a_password_by_email(client, personas):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )
    assert response.status_code == 302
    assert _login(client, "alice@example.org", "a new long passphrase 42").status_code == 302


def test_it_says_the_same_thing_for_an_unknown_reset_address(client, personas):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_links_staff_to_their_account_settings(client, personas):
    client.force_login(personas.counselor_a)
    page = client.get(reverse("accounts:home")).content.decode()
    assert reverse("accounts:tokens") in page
    assert reverse("accounts:otp_setup") in page
