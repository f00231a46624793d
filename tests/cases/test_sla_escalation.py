"""Due times stored on open, moved with priority, flagged when missed and escalated once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import DistrictPolicy
from cases.models import Case, CaseEvent, Category, Notice
from cases.selectors import cases_visible_to
from cases.services.escalation import cases_overdue, sla_sweep
from cases.services.workflow import case_acknowledge
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


def test_it_stores_due_times_from_the_district_policy(personas):
    DistrictPolicy.objects.create(
        district=personas.school_a.district,
        life_safety_acknowledge_minutes=2,
        urgent_first_response_minutes=60,
    )
    case = case_factory(personas.school_a, category=Category.WEAPON)
    assert case.acknowledge_due_at - case.created_at == timedelta(minutes=2)
    assert case.first_response_due_at - case.created_at == timedelta(minutes=60)
    urgent = case_factory(personas.school_a, danger_now="not_sure")
    assert urgent.acknowledge_due_at is None
    assert urgent.first_response_due_at - urgent.created_at == timedelta(minutes=60)


def test_it_escalates_a_missed_routine_case_to_the_principal_once(personas):
    case = case_factory(personas.school_a)
    principal = personas.principal_a
    assert not cases_visible_to(user=principal).filter(id=case.id).exists()
    late = case.first_response_due_at + timedelta(minutes=1)
    assert sla_sweep(now=case.first_response_due_at - timedelta(minutes=1)) == 0
    assert sla_sweep(now=late) == 1
    assert sla_sweep(now=late + timedelta(hours=1)) == 0
    case.refresh_from_db()
    assert case.first_response_missed_at == late
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert event.data == {
        "to_user_id": principal.id,
        "reason": "sla_missed",
        "deadline": "first_response",
    }
    assert cases_visible_to(user=principal).filter(id=case.id).exists()
    assert [m.to for m in mail.outbox] == [[principal.email]]
    body = mail.outbox[0].body
    assert "tip text" not in body and f"/cases/{case.id}/" in body
    notice = Notice.objects.get(reason=Notice.Reason.ESCALATION)
    assert notice.status == Notice.Status.SENT and notice.recipient == principal


def test_it_escalates_a_missed_acknowledgement_separately(personas):
    case = case_factory(personas.school_a, category=Category.SELF_HARM)
    now = case.acknowledge_due_at + timedelta(seconds=1)
    assert sla_sweep(now=now) == 1
    assert Case.objects.get(id=case.id).acknowledge_missed_at == now
    assert case.events.get(kind=CaseEvent.Kind.ESCALATED).data["deadline"] == "acknowledge"


def test_it_does_not_flag_a_met_deadline(personas):
    case = case_factory(personas.school_a, category=Category.SELF_HARM)
    case_acknowledge(case=case, actor=personas.counselor_a)
    now = case.acknowledge_due_at + timedelta(seconds=1)
    assert not cases_overdue(now=now).filter(id=case.id).exists()
    assert sla_sweep(now=now) == 0


def test_it_goes_to_the_district_admins_when_a_school_has_no_principal(personas):
    case = case_factory(personas.school_b)
    sla_sweep(now=case.first_response_due_at + timedelta(minutes=1))
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert event.data["to_user_id"] == personas.district_admin.id


def test_it_lists_overdue_cases_for_the_queue(personas):
    late = case_factory(personas.school_a)
    Case.objects.filter(id=late.id).update(
        first_response_due_at=timezone.now() - timedelta(minutes=1)
    )
    case_factory(personas.school_a)
    assert list(cases_overdue()) == [Case.objects.get(id=late.id)]
