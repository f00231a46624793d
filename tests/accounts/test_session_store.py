"""Sessions come from the cache and are kept in the database (accounts/session_store.py):
a signed-in page does not query the session table, signing out forgets the cached copy, and
with Redis down the session is read from the database and sign-out still works."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.fixtures import UNREACHABLE_REDIS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _session_queries(client, url: str) -> tuple:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured if '"django_session"' in q["sql"]]


def test_a_signed_in_page_reads_its_session_from_the_cache(client_for, personas):
    client = client_for(personas.counselor_a)
    client.get("/privacy/")  # the first read may fill the cache from the database
    response, session_queries = _session_queries(client, "/privacy/")
    assert response.context["user"] == personas.counselor_a
    assert session_queries == []
    assert Session.objects.count() == 1  # the database stays the record


def test_signing_out_forgets_the_cached_session(client_for, personas):
    client = client_for(personas.counselor_a)
    key = client.session.session_key
    client.get("/privacy/")
    client.post(reverse("accounts:logout"))
    # The old cookie, replayed after sign-out, no longer signs anyone in.
    client.cookies["sessionid"] = key
    response = client.get("/privacy/")
    assert not response.context["user"].is_authenticated
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_outlives_a_redis_outage(client_for, personas, settings, caplog):
    client = client_for(personas.counselor_a)
    key = client.session.session_key
    client.get("/privacy/")
    settings.CACHES = UNREACHABLE_REDIS

    response, session_queries = _session_queries(client, "/privacy/")
    signed_out = client.post(reverse("accounts:logout"))

    assert response.status_code == 200 and response.context["user"] == personas.counselor_a
    assert session_queries, "the session was not read from the database"
    assert signed_out.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    warnings = [r for r in caplog.records if "session cache unavailable" in r.getMessage()]
    assert warnings and all(r.levelno == logging.WARNING for r in warnings)
    assert key not in caplog.text  # the log names the error's class, never the session
