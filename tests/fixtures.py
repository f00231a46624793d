"""Fixtures more than one test folder uses, registered for the whole suite by tests/conftest.py
(`pytest_plugins`), so no test imports a fixture. None of them is autouse here: each folder's
conftest.py turns on the ones its tests rely on."""

import time

import pytest
from django.core.cache import cache

from accounts.models import PhoneNumber
from alerts.models import Source, SourceKind
from alerts.services import PostInput, posts_ingest
from tipline.sms import backends

from .tipline.sms_support import DISTRICT_NUMBER, SCHOOL_A_NUMBER, SCHOOL_B_NUMBER

THREAT = "I'm going to shoot everyone at Lincoln High tomorrow at lunch"
HYPERBOLE = "this Lincoln High chem test is killing me 😂"
# CACHES for "Redis is down": a Redis cache on a port nothing listens on, failing fast.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    }
}


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test: ids are reused from test to test, so
    nothing kept for one user (sessions, roles, sign-ins) reaches another. Ask for it before
    any settings change, so that it is torn down after them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_env(settings, tmp_path, fresh_cache):
    """Files into a temporary MEDIA_ROOT; throttle counters start from zero."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sms_fresh_state():
    """Flood counters and seen MessageSids live in the cache, sent texts in the locmem
    outbox: each test starts clean."""
    cache.clear()
    backends.outbox.clear()
    yield
    cache.clear()
    backends.outbox.clear()


@pytest.fixture
def numbers(personas):
    """School A and B numbers, and a district-wide number that asks which school."""
    district = personas.school_a.district
    PhoneNumber.objects.create(number=SCHOOL_A_NUMBER, district=district, school=personas.school_a)
    PhoneNumber.objects.create(number=SCHOOL_B_NUMBER, district=district, school=personas.school_b)
    PhoneNumber.objects.create(number=DISTRICT_NUMBER, district=district, school=None)
    return personas


@pytest.fixture
def push_source(personas):
    """A push source serving schools A and B, which know their own words."""
    personas.school_a.alert_terms = "Lincoln High\nLHS\n@lincolnlions"
    personas.school_a.save()
    personas.school_b.alert_terms = "Roosevelt Middle\nRMS"
    personas.school_b.save()
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    source.schools.set([personas.school_a, personas.school_b])
    return source


@pytest.fixture
def ingest(push_source):
    def run(*items, source=None):
        posts = [
            PostInput(
                external_id=str(external_id),
                text=text,
                author_handle="@someone",
                url=f"https://social.example/p/{external_id}",
            )
            for external_id, text in items
        ]
        return posts_ingest(source=source or push_source, posts=posts)

    return run


@pytest.fixture
def threat_alert(ingest, personas):
    ingest(("threat-1", THREAT))
    return personas.school_a.alerts.get()


@pytest.fixture
def worker_outbox(monkeypatch, tmp_path):
    """Where a real worker's staff SMS and emails land, readable from the test's process: a
    journal file (tests.cases.calldown_journal) and a mail directory. Request it before
    `celery_worker_process`: the worker inherits the environment set here."""
    journal, mail_dir = tmp_path / "sms.journal", tmp_path / "mail"
    journal.touch()
    mail_dir.mkdir()
    monkeypatch.setenv("CALLDOWN_JOURNAL", str(journal))
    monkeypatch.setenv("CALLDOWN_GATE", str(tmp_path / "no-gate"))
    monkeypatch.setenv("WORKER_TEST_SMS_BACKEND", "tests.cases.calldown_journal.JournalBackend")
    monkeypatch.setenv(
        "WORKER_TEST_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
    )
    monkeypatch.setenv("WORKER_TEST_EMAIL_FILE_PATH", str(mail_dir))
    return {"journal": journal, "mail": mail_dir}


def wait_until(predicate, timeout: float = 45.0) -> bool:
    """Poll `predicate` (a database or file condition another process makes true)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
