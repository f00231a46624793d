"""The second reading of new alerts (alerts.services.second_tier): stored at once, read
again by a Celery task before a high alert pages anyone (a critical one pages at once);
unconfirmed ones stay in the feed and page no one; when the second tier cannot run, the
first tier's decision stands, and says so."""

import json
import logging
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import OnCallContact
from alerts.models import Alert, AlertStatus, SchoolAlertSettings, SecondTier
from alerts.services.second_tier import alerts_second_tier_sweep
from cases.models import Notice
from tests.fixtures import THREAT

# A Davidson tweet the first tier alerts on ("medium": a threat in form, nothing else):
# the shipped second tier does not confirm it.
BANTER = "@PacTha_Mac imma shoot that bitch"
# A threat the first tier scores "high" (not critical) and the shipped second tier confirms.
HIGH_THREAT = "I will beat you up at Lincoln High"
# THREAT (tests.fixtures) is critical.
SHIPPED_HEADS = Path(__file__).resolve().parents[2] / "scoring" / "model" / "second_tier.json"
pytestmark = pytest.mark.usefixtures("store_path")


@pytest.fixture
def second_reading(settings, on_call, personas):
    # A source that carries only school A's posts: no school mention needed (BANTER).
    SchoolAlertSettings.objects.create(school=personas.school_a, require_school_mention=False)
    settings.ALERTS_SECOND_TIER = True
    settings.ALERTS_SECOND_TIER_HEADS = ""
    return settings


@pytest.fixture
def doubting_heads(second_reading, tmp_path):
    """The shipped heads with a violence bias no post clears: the second reading confirms
    no violence alert, whatever the text (the mechanism, not the model, under test)."""
    heads = json.loads(SHIPPED_HEADS.read_text(encoding="utf-8"))
    violence = heads["heads"].index("violence")
    heads["bias"][violence] = -50.0
    path = tmp_path / "doubting.json"
    path.write_text(json.dumps(heads), encoding="utf-8")
    second_reading.ALERTS_SECOND_TIER_HEADS = str(path)
    return second_reading


@pytest.fixture
def on_call(personas):
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    return personas


def _pages(alert):
    return Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)


def test_a_confirmed_high_threat_pages_after_its_second_reading(
    second_reading, ingest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ingest(("t1", HIGH_THREAT))
    alert = Alert.objects.get()
    assert alert.severity == "high"
    # Stored at once, pending, nobody paged yet.
    assert alert.second_tier == SecondTier.PENDING and not _pages(alert).exists()
    for callback in queued:
        callback()  # the task queued after commit (eager in tests)
    alert.refresh_from_db()
    assert alert.second_tier == SecondTier.CONFIRMED
    assert alert.second_tier_score >= 0.5 and alert.second_tier_version.startswith("tier2-")
    assert _pages(alert).exists()


def test_an_unconfirmed_alert_stays_in_the_feed_and_pages_no_one(
    second_reading, ingest, django_capture_on_commit_callbacks, client, personas
):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(("b1", BANTER))
    alert = Alert.objects.get(school=personas.school_a)
    assert alert.second_tier == SecondTier.NOT_CONFIRMED and alert.second_tier_score < 0.5
    assert alert.status == AlertStatus.NEW and not _pages(alert).exists()
    client.force_login(personas.counselor_a)
    page = client.get("/alerts/").content.decode()
    assert f'id="alert-{alert.id}"' in page and "Not confirmed" in page
    assert "no one was paged" in page


def test_without_the_second_tier_the_first_tiers_decision_stands_and_says_so(
    second_reading, ingest, django_capture_on_commit_callbacks, tmp_path, caplog
):
    second_reading.ALERTS_SECOND_TIER_HEADS = str(tmp_path / "missing.json")
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        ingest(("t1", THREAT), ("b1", BANTER))
    alerts = list(Alert.objects.filter(school__isnull=False).order_by("id"))
    assert len(alerts) == 2 and [a.second_tier for a in alerts] == [SecondTier.UNAVAILABLE] * 2
    assert all(_pages(a).exists() for a in alerts if a.severity in ("critical", "high"))
    assert "second tier unavailable" in caplog.text
    assert THREAT not in caplog.text and BANTER not in caplog.text


def test_a_lost_review_is_done_by_the_sweep_once(
    second_reading, ingest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ingest(("t1", HIGH_THREAT))  # the task is never queued: the broker was down
    alert = Alert.objects.get()
    assert not _pages(alert).exists()
    assert alerts_second_tier_sweep(now=timezone.now()) == 0  # not overdue yet
    later = timezone.now() + timezone.timedelta(minutes=5)
    assert alerts_second_tier_sweep(now=later) == 1
    alert.refresh_from_db()
    assert alert.second_tier == SecondTier.CONFIRMED
    pages = _pages(alert).count()
    assert pages and alerts_second_tier_sweep(now=later) == 0
    assert _pages(alert).count() == pages


def test_with_the_second_tier_off_alerts_page_at_once_as_before(
    settings, on_call, ingest, django_capture_on_commit_callbacks
):
    settings.ALERTS_SECOND_TIER = False
    with django_capture_on_commit_callbacks(execute=True):
        ingest(("t1", THREAT))
    alert = Alert.objects.get()
    assert alert.second_tier == SecondTier.OFF and _pages(alert).exists()


@pytest.mark.parametrize("second_on", [True, False])
def test_a_high_alert_it_does_not_confirm_pages_no_one(
    second_on, doubting_heads, ingest, django_capture_on_commit_callbacks
):
    doubting_heads.ALERTS_SECOND_TIER = second_on
    with django_capture_on_commit_callbacks(execute=True):
        ingest(("h1", HIGH_THREAT))
    alert = Alert.objects.get()
    assert alert.severity == "high"
    if second_on:
        assert alert.second_tier == SecondTier.NOT_CONFIRMED
        assert not _pages(alert).exists()
    else:  # the same alert, without the second reading, reaches the counselors
        assert alert.second_tier == SecondTier.OFF
        assert _pages(alert).exists()


def test_a_critical_alert_pages_at_once_and_its_second_reading_only_marks_it(
    doubting_heads, ingest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ingest(("c1", THREAT))
    alert = Alert.objects.get()
    # Life-safety first: paged when raised, before any second opinion.
    assert alert.severity == "critical" and alert.second_tier == SecondTier.PENDING
    pages = _pages(alert).count()
    assert pages
    for callback in queued:
        callback()
    alert.refresh_from_db()
    assert alert.second_tier == SecondTier.NOT_CONFIRMED  # marked, not withdrawn
    assert _pages(alert).count() == pages  # and not paged twice
