import pytest

from alerts.models import Alert, AlertStatus
from alerts.services import (
    AlertAlreadyReviewed,
    alert_attach,
    alert_dismiss,
    alert_escalate,
    alerts_bulk_dismiss,
)
from cases.models import CaseEvent, Category, Channel, Priority, PrioritySource
from cases.services.cases import PriorityDecision, case_open
from tests.fixtures import THREAT


def test_dismiss_stores_the_reason_and_reviewer(threat_alert, personas):
    alert_dismiss(alert=threat_alert, reason="not_our_school", actor=personas.counselor_a)
    threat_alert.refresh_from_db()
    assert threat_alert.status == AlertStatus.DISMISSED
    assert threat_alert.dismissal_reason == "not_our_school"
    assert threat_alert.reviewed_by == personas.counselor_a and threat_alert.reviewed_at


def test_dismiss_needs_a_known_reason(threat_alert, personas):
    with pytest.raises(ValueError):
        alert_dismiss(alert=threat_alert, reason="meh", actor=personas.counselor_a)


def test_escalate_opens_a_social_case_that_holds_the_alert_itself(threat_alert, personas):
    threat_alert.severity = "critical"
    case = alert_escalate(alert=threat_alert, actor=personas.counselor_a)
    threat_alert.refresh_from_db()
    assert threat_alert.status == AlertStatus.ESCALATED and threat_alert.case == case
    assert case.school == personas.school_a and case.channel == Channel.SOCIAL
    assert case.category == Category.THREAT
    assert case.priority == Priority.LIFE_SAFETY and case.priority_source == PrioritySource.SCORER
    assert list(case.alerts.all()) == [threat_alert]
    # The audit line holds ids only: the post is read from its own row, never copied.
    event = case.events.get(kind=CaseEvent.Kind.ALERT_ADDED)
    assert event.data == {"alert_id": threat_alert.id, "opened": True}
    assert event.actor == personas.counselor_a
    assert THREAT not in str(list(case.events.values_list("data", flat=True)))


def test_a_high_alert_opens_an_urgent_case(threat_alert, personas):
    Alert.objects.filter(id=threat_alert.id).update(severity="high")
    threat_alert.refresh_from_db()
    assert (
        alert_escalate(alert=threat_alert, actor=personas.counselor_a).priority == Priority.URGENT
    )


def test_an_alert_is_reviewed_only_once(threat_alert, personas):
    stale = Alert.objects.get(id=threat_alert.id)
    alert_dismiss(alert=threat_alert, reason="duplicate", actor=personas.counselor_a)
    with pytest.raises(AlertAlreadyReviewed):
        alert_escalate(alert=stale, actor=personas.district_admin)
    with pytest.raises(AlertAlreadyReviewed):
        alert_dismiss(alert=stale, reason="duplicate", actor=personas.district_admin)


def test_attach_adds_the_post_to_an_existing_case(threat_alert, personas):
    case = case_open(
        school=personas.school_a,
        channel=Channel.WEB,
        category=Category.THREAT,
        decision=PriorityDecision(Priority.URGENT, PrioritySource.DEFAULT, ""),
    )
    assert alert_attach(alert=threat_alert, case=case, actor=personas.counselor_a) == case
    threat_alert.refresh_from_db()
    assert threat_alert.case == case and threat_alert.status == AlertStatus.ESCALATED
    event = case.events.get(kind=CaseEvent.Kind.ALERT_ADDED)
    assert event.data == {"alert_id": threat_alert.id, "opened": False}


def test_bulk_dismiss_touches_only_new_alerts_of_the_queryset(ingest, personas):
    ingest(("a", THREAT), ("b", "I'm going to shoot everyone at Roosevelt Middle tomorrow"))
    ingest(("c", "gonna stab everyone at Lincoln High on Friday"))
    first = Alert.objects.order_by("id").first()
    alert_escalate(alert=first, actor=personas.district_admin)
    count = alerts_bulk_dismiss(
        alerts=Alert.objects.filter(school=personas.school_a),
        reason="false_positive",
        actor=personas.counselor_a,
    )
    assert count == Alert.objects.filter(school=personas.school_a).count() - 1
    assert Alert.objects.filter(school=personas.school_b, status=AlertStatus.NEW).count() == 1
