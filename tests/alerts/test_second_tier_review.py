"""The second reading of new alerts (alerts.services.second_tier): stored at once, read
again by a Celery task before anyone is paged; unconfirmed ones stay in the feed and page
no one; when the second tier cannot run, the first tier's decision stands, and says so."""

import logging

import pytest
from django.utils import timezone

from accounts.models import OnCallContact
from alerts.models import Alert, AlertStatus, SchoolAlertSettings, SecondTier
from alerts.services.second_tier import alerts_second_tier_sweep
from cases.models import Notice
from tests.fixtures import THREAT

# A Davidson tweet the first tier alerts on ("medium": a threat in form, about a feeling),
# set at school A: the second tier does not confirm it.
BANTER = "If anxiety was a person I'd kill that bitch so fast. Lincoln High finals week"
# A Davidson tweet the first tier scores "high" (a threat in form, nothing else): the
# second tier sets it aside.
HIGH_BANTER = "@PacTha_Mac imma shoot that bitch"
pytestmark = pytest.mark.usefixtures("store_path")


@pytest.fixture
def second_reading(settings, on_call):
    settings.ALERTS_SECOND_TIER = True
    settings.ALERTS_SECOND_TIER_HEADS = ""
    return settings


@pytest.fixture
def on_call(personas):
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    return personas


def _pages(alert):
    return Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)


def test_a_confirmed_threat_pages_after_its_second_reading(
    second_reading, ingest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ingest(("t1", THREAT))
    alert = Alert.objects.get()
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
    alert = Alert.objects.get()
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
    alerts = list(Alert.objects.order_by("id"))
    assert [a.second_tier for a in alerts] == [SecondTier.UNAVAILABLE] * 2
    assert all(_pages(a).exists() for a in alerts if a.severity in ("critical", "high"))
    assert "second tier unavailable" in caplog.text
    assert THREAT not in caplog.text and BANTER not in caplog.text


def test_a_lost_review_is_done_by_the_sweep_once(
    second_reading, ingest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ingest(("t1", THREAT))  # the task is never queued: the broker was down
    alert = Alert.objects.get()
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
    second_on, second_reading, ingest, personas, django_capture_on_commit_callbacks
):
    # A source that carries only this school's posts: no school mention needed.
    SchoolAlertSettings.objects.create(school=personas.school_a, require_school_mention=False)
    second_reading.ALERTS_SECOND_TIER = second_on
    with django_capture_on_commit_callbacks(execute=True):
        ingest(("h1", HIGH_BANTER))
    alert = Alert.objects.get(school=personas.school_a)
    assert alert.severity == "high"
    if second_on:
        assert alert.second_tier == SecondTier.NOT_CONFIRMED
        assert not _pages(alert).exists()
    else:  # the same alert, without the second reading, reaches the counselors
        assert alert.second_tier == SecondTier.OFF
        assert _pages(alert).exists()
