"""Kept roles (ROLES_CACHE_SECONDS): a signed-in page reads a user's roles from the cache, and
every change that could alter them applies at once: a membership removed, a district admin's
membership removed, a school made inactive. With Redis down, roles come from the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import DistrictMembership, Membership
from tests.fixtures import UNREACHABLE_REDIS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept_roles(fresh_cache, settings):
    settings.ROLES_CACHE_SECONDS = 60


def _roles_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/privacy/").status_code == 200
    return [q["sql"] for q in captured if "accounts_membership" in q["sql"]]


def _can_open_queue(client) -> bool:
    return client.get("/staff/cases/").status_code == 200


def test_a_signed_in_page_reads_the_roles_from_the_cache(client_for, personas):
    client = client_for(personas.counselor_a)
    assert _roles_queries(client)  # the first page reads them
    assert _roles_queries(client) == []  # the next one does not


def test_a_removed_membership_applies_at_once(client_for, personas):
    client = client_for(personas.counselor_a)
    assert _can_open_queue(client)
    Membership.objects.filter(user=personas.counselor_a).delete()
    assert not _can_open_queue(client)


def test_a_removed_district_admin_applies_at_once(client_for, personas):
    client = client_for(personas.district_admin)
    assert _can_open_queue(client)
    DistrictMembership.objects.filter(user=personas.district_admin).delete()
    assert not _can_open_queue(client)


def test_an_inactive_school_applies_at_once(client_for, personas):
    client = client_for(personas.counselor_a)
    assert _can_open_queue(client)
    school = personas.school_a
    school.is_active = False
    school.save()
    assert not _can_open_queue(client)


def test_roles_come_from_the_database_while_redis_is_down(client_for, personas, settings, caplog):
    client = client_for(personas.counselor_a)
    assert _can_open_queue(client)
    settings.CACHES = UNREACHABLE_REDIS
    assert _roles_queries(client)
    Membership.objects.filter(user=personas.counselor_a).delete()
    assert not _can_open_queue(client)
    assert "roles cache unavailable" in caplog.text
