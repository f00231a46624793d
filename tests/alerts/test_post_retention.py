"""Post text does not outlive the cases it fed, nor the district's retention period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, Post
from alerts.services.retention import posts_purge_expired
from alerts.services.triage import alert_escalate
from cases.models import Outcome
from cases.services.retention import retention_purge_expired
from cases.services.workflow import case_close
from tests.fixtures import THREAT

pytestmark = pytest.mark.django_db


def _age_posts(days: int) -> None:
    Post.objects.update(received_at=timezone.now() - timedelta(days=days))


def test_it_erases_an_escalated_post_once_with_its_purged_case(threat_alert, personas):
    case = alert_escalate(alert=threat_alert, actor=personas.counselor_a)
    case_close(case=case, outcome=Outcome.UNFOUNDED, summary="checked", actor=personas.counselor_a)
    type(case).objects.filter(id=case.id).update(closed_at=timezone.now() - timedelta(days=400))

    assert posts_purge_expired() == 0  # the case is still kept: so is its post
    assert retention_purge_expired() == 1
    # The case holds no copy of the post to erase: its timeline reads the alert's own row.
    assert THREAT not in str(list(case.events.values_list("data", flat=True)))

    assert posts_purge_expired() == 1
    post = Post.objects.get()
    assert (post.text, post.author_handle, post.url) == ("", "", "")
    alert = Alert.objects.get()
    assert alert.matches == [] and alert.status == "escalated" and alert.score > 0
    assert alert.case_id == case.id
    assert posts_purge_expired() == 0


def test_it_erases_old_posts_but_keeps_recent_ones(threat_alert):
    assert posts_purge_expired() == 0
    _age_posts(days=366)
    assert posts_purge_expired() == 1
    assert Post.objects.get().text == ""


def test_it_keeps_an_old_post_whose_case_is_still_kept(threat_alert, personas):
    alert_escalate(alert=threat_alert, actor=personas.counselor_a)
    _age_posts(days=366)
    assert posts_purge_expired() == 0
    assert Post.objects.get().text
