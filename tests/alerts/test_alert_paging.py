"""Critical alerts page someone by the district's policy, whichever way they arrive; the feed
lists the most severe first."""

import pytest
from django.core import mail

from accounts.models import CriticalAlertAction, DistrictPolicy, OnCallContact
from alerts.models import Alert, AlertStatus
from alerts.selectors import FeedFilters, alerts_feed
from alerts.services import source_push_token_issue
from cases.models import Notice, Priority
from tests.fixtures import THREAT
from tipline.sms import backends

URL = "/api/v1/alerts/posts/"
pytestmark = pytest.mark.usefixtures("store_path")


@pytest.fixture
def on_call(personas):
    backends.outbox.clear()
    for position, (user, number) in enumerate(
        [(personas.counselor_a, "+13035550101"), (personas.principal_a, "+13035550102")], 1
    ):
        user.phone_number = number
        user.save()
        OnCallContact.objects.create(school=personas.school_a, user=user, position=position)
    return personas


def push(client, source, *texts):
    token = source_push_token_issue(source=source)
    posts = [{"external_id": f"x{n}", "text": text} for n, text in enumerate(texts)]
    response = client.post(
        URL,
        {"posts": posts},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.json()


def test_a_pushed_critical_alert_pages_the_on_call_list(
    client, on_call, push_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        push(client, push_source, THREAT, "lunch was fine")
    alert = Alert.objects.get()
    assert alert.severity == "critical" and alert.status == AlertStatus.NEW
    pages = Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)
    assert sorted(pages.values_list("recipient__email", "via", "status")) == [
        ("alice@example.org", "email", "sent"),
        ("alice@example.org", "sms", "sent"),
        ("paul@example.org", "email", "sent"),
        ("paul@example.org", "sms", "sent"),
    ]
    link = f"/alerts/{alert.id}/"
    for text in [m.body for m in mail.outbox] + [m.body for m in backends.outbox]:
        assert link in text and "shoot" not in text.lower()


def test_a_district_may_open_a_life_safety_case_at_once(
    client, on_call, push_source, django_capture_on_commit_callbacks
):
    DistrictPolicy.objects.create(
        district=on_call.school_a.district,
        critical_alert_action=CriticalAlertAction.OPEN_CASE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        push(client, push_source, THREAT)
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ESCALATED
    assert alert.case.priority == Priority.LIFE_SAFETY
    assert Notice.objects.filter(case=alert.case, reason=Notice.Reason.CALLDOWN).exists()


def test_an_alert_below_critical_pages_nobody(client, on_call, push_source):
    push(client, push_source, "I will fight Lincoln High kids after school")
    assert not Notice.objects.filter(reason=Notice.Reason.ALERT).exists()


def test_the_feed_lists_critical_above_newer_medium(client, on_call, push_source):
    push(client, push_source, THREAT)
    push_source_alert = Alert.objects.get()
    Alert.objects.create(
        post=push_source_alert.post,
        source=push_source,
        school=on_call.school_a,
        score=0.55,
        severity="medium",
        top_category="bullying",
        group_key="later",
    )
    feed = alerts_feed(user=on_call.counselor_a, filters=FeedFilters())
    assert [a.severity for a in feed] == ["critical", "medium"]
