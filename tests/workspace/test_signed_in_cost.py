"""Being signed in costs little: what every staff page pays before its own work.

A signed-in request reads the session (from the cache: accounts/session_store.py), then in one
more cache round trip the signed-in user with their second factors (accounts/auth_cache.py)
and their roles (accounts.permissions); the navigation's badge counts come from the cache
after the first page. Warm, a signed-in page runs no query at all.
"""

import re

import pytest
from django.core.cache import cache
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
    assert sum("COUNT(" in sql.upper() for sql in first) == 2  # the cases and the alerts badge
    assert not any("COUNT(" in sql.upper() for sql in second)
    html = client.get("/privacy/").content.decode()
    assert 'aria-label="1 open cases unassigned or life-safety"' in html


def test_it_counts_in_the_database_when_caching_is_off(client_for, personas, settings):
    settings.NAVIGATION_COUNT_SECONDS = 0
    client = client_for(personas.counselor_a)
    client.get("/privacy/")  # the signed-in user is kept from here on
    second, third = _queries(client, "/privacy/"), _queries(client, "/privacy/")
    assert sum("COUNT(" in sql.upper() for sql in third) == 2
    assert len(second) == len(third)
    case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    html = client.get("/privacy/").content.decode()
    assert 'aria-label="1 open cases unassigned or life-safety"' in html


def _tables(client) -> list[str]:
    found = [re.match(r'SELECT ("\w+")', sql) for sql in _queries(client, "/privacy/")]
    return [match[1] if match else "(a count)" for match in found]


def test_a_signed_in_page_runs_no_query_once_warm(client_for, personas, settings):
    settings.NAVIGATION_COUNT_SECONDS = 10
    settings.ROLES_CACHE_SECONDS = 60
    cache.clear()  # ids are reused from test to test: no roles kept from another one
    client = client_for(personas.district_admin)
    # The first page reads the user, whether they have a second factor (one query per kind
    # of device: this persona has none), the roles and the badges, and keeps them.
    assert _tables(client)[:3] == [
        '"accounts_user"',
        '"otp_totp_totpdevice"',
        '"accounts_recoverycodedevice"',
    ]
    assert _tables(client) == []


def test_without_kept_sign_ins_a_page_reads_the_user_and_second_factor(
    client_for, personas, settings
):
    settings.NAVIGATION_COUNT_SECONDS = 10
    settings.AUTH_CACHE_SECONDS = 0
    client = client_for(personas.district_admin)
    client.get("/privacy/")
    # The user, whether the user has a second factor (two kinds of device), the roles (the
    # test settings keep none).
    assert _tables(client) == [
        '"accounts_user"',
        '"otp_totp_totpdevice"',
        '"accounts_recoverycodedevice"',
        '"accounts_school"',
    ]


def test_the_user_roles_and_badges_come_in_one_cache_round_trip(
    client_for, personas, settings, monkeypatch
):
    settings.NAVIGATION_COUNT_SECONDS = 10
    settings.ROLES_CACHE_SECONDS = 60
    cache.clear()
    client = client_for(personas.counselor_a)
    client.get("/privacy/")
    reads = []
    real_get, real_get_many = cache.get, cache.get_many
    monkeypatch.setattr(cache, "get", lambda *a, **k: reads.append(a[0]) or real_get(*a, **k))
    monkeypatch.setattr(
        cache, "get_many", lambda keys, **k: reads.append(list(keys)) or real_get_many(keys, **k)
    )
    html = client.get("/privacy/").content.decode()
    assert 'aria-label="Main"' in html and "Sign out" in html
    # The session's own read, then one for everything else the signed-in page needs.
    batches = [read for read in reads if isinstance(read, list)]
    assert len(batches) == 1, reads
    assert any(key.startswith("nav-count:") for key in batches[0])
    assert any(key.startswith("roles:") for key in batches[0])
    assert any(key.startswith("auth:") for key in batches[0])


def test_the_header_drawn_in_python_escapes_the_name_and_marks_the_page(client_for, personas):
    user = personas.counselor_a
    user.full_name = '<b>Alice</b> & "Co"'
    user.save()
    html = client_for(user).get("/alerts/").content.decode()
    assert "&lt;b&gt;Alice&lt;/b&gt; &amp; &quot;Co&quot;" in html
    assert "<b>Alice</b>" not in html
    assert 'href="/alerts/" aria-current="page">Alerts' in html
    assert 'class="nav-link" href="/staff/cases/">Cases' in html
    assert 'name="csrfmiddlewaretoken" value="' in html.split('id="staff-nav"')[1]


def test_the_queues_filter_menus_come_in_the_signed_in_round_trip(
    client_for, personas, settings, monkeypatch
):
    settings.NAVIGATION_COUNT_SECONDS = 10
    settings.ROLES_CACHE_SECONDS = 60
    cache.clear()
    client = client_for(personas.counselor_a)
    client.get("/staff/cases/")  # keeps the menus
    reads = []
    real_get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys, **k: reads.append(list(keys)) or real_get_many(keys, **k)
    )
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/staff/cases/").content.decode()
    assert f">{personas.school_a.name}</option>" in html
    assert len(reads) == 1, reads  # the user, roles, badges and the queue's menus, together
    assert f"queue-menus:{personas.counselor_a.pk}" in reads[0]
    assert not any('"accounts_school"' in query["sql"] for query in captured)
