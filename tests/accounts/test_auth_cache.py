"""Kept sign-ins (accounts/auth_cache.py): a warm signed-in page reads neither the user nor
the second-factor device from the database, and every change that could alter either takes
effect on the very next request: a deactivated account, a changed password, a removed or
re-enrolled device, a device enrolled by an UPDATE, a changed role. With Redis down the
database decides, never a 500 and never a way in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import auth_cache
from accounts.district_admin import staff_active_set, staff_roles_set
from accounts.models import User
from accounts.two_factor import totp_device_confirm, totp_device_pending, two_factor_reset
from tests.accounts.otp import sign_in_with_password, totp_code, verify
from tests.factories import TEST_PASSWORD
from tests.fixtures import UNREACHABLE_REDIS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept(fresh_cache, settings):
    settings.AUTH_CACHE_SECONDS = 60
    settings.ROLES_CACHE_SECONDS = 60
    settings.STAFF_OTP_REQUIRED = True


def _verified(client, user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in_with_password(client, user.email)
    assert verify(client, totp_code(device)).status_code == 302
    return device


def _auth_queries(client, url="/privacy/") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in captured
        if '"accounts_user"' in q["sql"] or "device" in q["sql"] or "membership" in q["sql"]
    ]


def _warm(client) -> None:
    client.get("/privacy/")
    assert _auth_queries(client) == []  # from here on the sign-in comes from the cache


def _status(client, url="/staff/cases/") -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get("Location", "")


def test_a_warm_page_reads_neither_the_user_nor_the_device(client, personas):
    _verified(client, personas.counselor_a)
    client.get("/privacy/")
    assert _auth_queries(client) == []
    assert _status(client) == (200, "")


def test_a_deactivated_account_is_signed_out_on_the_next_request(client, personas):
    _verified(client, personas.counselor_a)
    _warm(client)
    staff_active_set(
        district=personas.school_a.district,
        actor=personas.district_admin,
        user=personas.counselor_a,
        active=False,
    )  # a conditional UPDATE: no signal
    status, location = _status(client)
    assert status == 302 and location.startswith("/accounts/login/")


def test_an_account_deactivated_by_saving_it_is_signed_out(client, personas):
    _verified(client, personas.counselor_a)
    _warm(client)
    user = User.objects.get(pk=personas.counselor_a.pk)
    user.is_active = False
    user.save()
    assert _status(client)[1].startswith("/accounts/login/")


def test_a_changed_password_signs_other_sessions_out(client, personas):
    _verified(client, personas.counselor_a)
    _warm(client)
    user = User.objects.get(pk=personas.counselor_a.pk)
    user.set_password("another long passphrase 42")
    user.save()
    assert _status(client)[1].startswith("/accounts/login/")


def test_a_removed_device_unverifies_the_sessions_it_verified(client, personas):
    device = _verified(client, personas.counselor_a)
    _warm(client)
    device.delete()
    status, location = _status(client)
    assert status == 302 and location.startswith("/accounts/2fa/")


def test_a_reset_and_re_enrolled_second_factor_asks_for_a_new_code(client, personas):
    _verified(client, personas.counselor_a)
    _warm(client)
    two_factor_reset(user=personas.counselor_a, actor=personas.district_admin)
    TOTPDevice.objects.create(user=personas.counselor_a, name="new phone", confirmed=True)
    status, location = _status(client)
    assert status == 302 and location.startswith("/accounts/2fa/verify/")


def test_a_device_enrolled_elsewhere_asks_this_password_only_session_for_a_code(
    client, personas, settings
):
    settings.STAFF_OTP_REQUIRED = False  # no second factor yet: the password is enough
    sign_in_with_password(client, personas.counselor_a.email)
    _warm(client)
    assert _status(client) == (200, "")
    device = totp_device_pending(user=personas.counselor_a, verified_by=None)
    totp_device_confirm(device=device, token=totp_code(device), verified_by=None)
    status, location = _status(client)
    assert status == 302 and location.startswith("/accounts/2fa/verify/")


def test_a_changed_role_applies_on_the_next_request(client, personas):
    _verified(client, personas.counselor_a)
    _warm(client)
    assert _status(client, "/alerts/") == (200, "")
    staff_roles_set(
        district=personas.school_a.district,
        actor=personas.district_admin,
        user=personas.counselor_a,
        district_admin=False,
        school_roles={personas.school_a.id: "principal"},
    )
    assert _status(client, "/alerts/")[0] == 403  # principals do not triage alerts


def test_with_redis_down_the_database_decides(client, personas, settings, caplog):
    _verified(client, personas.counselor_a)
    _warm(client)
    settings.CACHES = UNREACHABLE_REDIS
    assert _status(client) == (200, "")
    assert "auth cache unavailable (ConnectionError)" in caplog.text
    User.objects.filter(pk=personas.counselor_a.pk).update(is_active=False)
    assert _status(client)[1].startswith("/accounts/login/")


def test_a_user_from_the_cache_never_saves_an_empty_password(client, personas):
    _verified(client, personas.counselor_a)
    client.get("/privacy/")
    user, _found = auth_cache.lookup(client.session, [])
    assert user is not None and "password" in user.get_deferred_fields()
    user.full_name = "Alice Renamed"
    user.save()
    assert User.objects.get(pk=user.pk).check_password(TEST_PASSWORD)
