"""High alerts reach the school's counselors: by email in school hours, with a link and no
post text; outside hours they wait for the morning digest."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from accounts.models import Membership, OnCallContact, Role
from alerts.models import Alert
from alerts.services import PostInput, posts_ingest
from cases.models import Notice
from cases.services.calldown import digest_send
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("store_path")
# Lincoln High runs 07:30-16:00 America/Denver (UTC-6 in May), Monday to Friday.
SATURDAY_NIGHT = datetime(2026, 5, 16, 4, 0, tzinfo=UTC)  # Friday 22:00 local
MONDAY_MORNING = datetime(2026, 5, 18, 13, 45, tzinfo=UTC)  # 07:45 local
MONDAY_NOON = datetime(2026, 5, 18, 18, 0, tzinfo=UTC)  # 12:00 local
HIGH = "I want to hurt someone at Lincoln High"


@pytest.fixture
def counselors(personas):
    """Two counselors at Lincoln High; its principal is on call (and not a counselor)."""
    second = UserFactory(email="carol@example.org", full_name="Carol Counselor")
    Membership.objects.create(user=second, school=personas.school_a, role=Role.COUNSELOR)
    OnCallContact.objects.create(school=personas.school_a, user=personas.principal_a, position=1)
    return personas


def _ingest(source, now, *texts):
    posts = [
        PostInput(external_id=f"p{n}", text=text, author_handle="@someone", url="")
        for n, text in enumerate(texts)
    ]
    posts_ingest(source=source, posts=posts, now=now)


def test_a_high_alert_in_school_hours_emails_each_counselor_a_link(
    counselors, push_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(push_source, MONDAY_NOON, HIGH, "lunch was fine")
    alert = Alert.objects.get()
    assert alert.severity == "high" and alert.school == counselors.school_a
    rows = Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)
    assert sorted(rows.values_list("recipient__email", "via", "status")) == [
        ("alice@example.org", "email", "sent"),
        ("carol@example.org", "email", "sent"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]
    for message in mail.outbox:
        assert f"/alerts/{alert.id}/" in message.body
        assert "hurt" not in (message.subject + message.body).lower()


def test_a_high_alert_after_hours_waits_for_the_morning_digest(
    counselors, push_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(push_source, SATURDAY_NIGHT, HIGH)
    alert = Alert.objects.get()
    held = Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)
    assert sorted(held.values_list("recipient__email", "status")) == [
        ("alice@example.org", "held"),
        ("carol@example.org", "held"),
    ]
    assert mail.outbox == []

    assert digest_send(now=MONDAY_MORNING) == 2  # Alice and Carol; Roosevelt had nothing
    assert digest_send(now=MONDAY_MORNING) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]
    digest = mail.outbox[0]
    assert digest.subject == (
        "Tip line: 0 new case(s) and 1 high alert(s) at Lincoln High overnight"
    )
    assert "/alerts/" in digest.body and "hurt" not in digest.body.lower()


def test_a_critical_alert_still_pages_the_on_call_list_at_night(
    counselors, push_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(push_source, SATURDAY_NIGHT, "I'm going to shoot everyone at Lincoln High")
    alert = Alert.objects.get()
    assert alert.severity == "critical"
    rows = Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)
    assert set(rows.values_list("recipient__email", "status")) == {("paul@example.org", "sent")}
