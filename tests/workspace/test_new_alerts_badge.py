"""The navigation's "new alerts" badge: in scope only, and bounded."""

import pytest

from alerts import selectors
from alerts.models import Alert, AlertStatus, Post

pytestmark = pytest.mark.django_db


def alert_make(source, school, number: int, status=AlertStatus.NEW, reason="") -> Alert:
    post = Post.objects.create(
        source=source, external_id=f"b{number}", text="t", fingerprint=f"{number:040d}"
    )
    return Alert.objects.create(
        post=post, source=source, school=school, score=0.7, severity="high",
        top_category="violence", status=status, dismissal_reason=reason,
        group_key=f"{number:040d}",
    )  # fmt: skip


def test_it_counts_new_alerts_at_the_users_schools_only(push_source, personas):
    for number in range(3):
        alert_make(push_source, personas.school_a, number)
    alert_make(push_source, personas.school_a, 10, AlertStatus.DISMISSED, "false_positive")
    alert_make(push_source, personas.school_a, 11, AlertStatus.ESCALATED)
    alert_make(push_source, personas.school_b, 20)
    assert selectors.alerts_new_count_for(user=personas.counselor_a) == 3
    assert selectors.alerts_new_count_for(user=personas.counselor_b) == 1
    assert selectors.alerts_new_count_for(user=personas.district_admin) == 4
    assert selectors.alerts_new_count_for(user=personas.principal_a) == 0


def test_it_stops_counting_at_the_limit(push_source, personas, monkeypatch):
    for number in range(4):
        alert_make(push_source, personas.school_a, number)
    monkeypatch.setattr(selectors, "NEW_ALERTS_BADGE_LIMIT", 3)
    assert selectors.alerts_new_count_for(user=personas.counselor_a) == 3
    monkeypatch.setattr(selectors, "NEW_ALERTS_BADGE_LIMIT", 5)
    assert selectors.alerts_new_count_for(user=personas.counselor_a) == 4
