"""Being signed in costs little: what every staff page pays before its own work.

A signed-in request reads the session (from the cache: accounts/session_store.py), the user,
the second-factor device and the user's roles (one query); the navigation's badge counts
come from the cache after the first page.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import permissions
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured]


def test_it_reads_roles_in_one_query_for_every_role(personas, django_assert_num_queries):
    for user in (personas.counselor_a, personas.principal_a, personas.district_admin):
        permissions.forget_roles(user)
        with django_assert_num_queries(1):
            roles = permissions.roles_by_school(user)
        assert roles, user
    assert set(permissions.roles_by_school(personas.district_admin)) == {
        personas.school_a.id,
        personas.school_b.id,
    }
    assert permissions.role_at(personas.counselor_a, personas.school_a) == "counselor"
    assert permissions.role_at(personas.principal_a, personas.school_a) == "principal"


def test_it_counts_the_navigation_badges_once_then_reads_them_from_the_cache(
    client_for, personas, settings
):
    settings.NAVIGATION_COUNT_SECONDS = 10
    case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    client = client_for(personas.counselor_a)
    first = _queries(client, "/privacy/")
    second = _queries(client, "/privacy/")
    assert len(second) == len(first) - 2  # the cases badge and the alerts badge
    assert not any("COUNT(" in sql.upper() for sql in second)
    html = client.get("/privacy/").content.decode()
    assert 'aria-label="1 open cases unassigned or life-safety"' in html


def test_it_counts_in_the_database_when_caching_is_off(client_for, personas, settings):
    settings.NAVIGATION_COUNT_SECONDS = 0
    client = client_for(personas.counselor_a)
    assert len(_queries(client, "/privacy/")) == len(_queries(client, "/privacy/"))
    case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    html = client.get("/privacy/").content.decode()
    assert 'aria-label="1 open cases unassigned or life-safety"' in html


def test_a_signed_in_page_pays_four_queries_once_warm(client_for, personas, settings):
    settings.NAVIGATION_COUNT_SECONDS = 10
    client = client_for(personas.district_admin)
    client.get("/privacy/")
    tables = [re.match(r'SELECT ("\w+")', sql)[1] for sql in _queries(client, "/privacy/")]
    # The user, whether the user has a second factor (one query per kind of device: this
    # persona has none, so the check cannot stop early), the roles; the session came from the
    # cache.
    assert tables == [
        '"accounts_user"',
        '"otp_totp_totpdevice"',
        '"accounts_recoverycodedevice"',
        '"accounts_school"',
    ]
