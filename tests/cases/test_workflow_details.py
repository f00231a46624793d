"""Issue 16, item 2: acknowledging takes the case, a raise restarts the SLA clock from the
raise, and events read as sentences in the reader's language."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from cases import sla_arithmetic as sla
from cases.event_sentences import EventSentences
from cases.models import CaseEvent, Category, Priority
from cases.services.escalation import cases_overdue
from cases.services.workflow import case_acknowledge, case_assign, case_set_priority
from tests.factories import MembershipFactory, case_factory

pytestmark = pytest.mark.django_db


def _sentences(case) -> list[str]:
    events = list(case.events.select_related("actor"))
    words = EventSentences(events)
    return [words.sentence(event) for event in events]


def test_it_assigns_an_unassigned_case_to_the_counselor_who_acknowledges(personas):
    case = case_factory(personas.school_a, category=Category.WEAPON)
    version = case.version
    assert case_acknowledge(case=case, actor=personas.counselor_a) is True
    case.refresh_from_db()
    assert case.assignee == personas.counselor_a and case.version == version + 1
    assigned = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert assigned.actor == personas.counselor_a
    assert assigned.data["changes"] == {"assignee": [None, personas.counselor_a.id]}
    assert assigned.data["via"] == "acknowledge"
    assert "Alice Counselor took the case by acknowledging it" in _sentences(case)


def test_it_keeps_the_assignee_of_an_assigned_case(personas, django_user_model):
    case = case_factory(personas.school_a, category=Category.WEAPON)
    case_assign(case=case, assignee=personas.counselor_a, actor=personas.counselor_a)
    other = django_user_model.objects.create_user(email="carl@example.org", full_name="Carl")
    MembershipFactory(user=other, school=personas.school_a, role="counselor")
    case_acknowledge(case=case, actor=other)
    case.refresh_from_db()
    assert case.assignee == personas.counselor_a
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 1


def test_it_does_not_assign_to_a_principal_who_acknowledges(personas):
    case = case_factory(personas.school_a, category=Category.WEAPON)
    assert case_acknowledge(case=case, actor=personas.principal_a) is True
    case.refresh_from_db()
    assert case.acknowledged_at is not None and case.assignee is None
    assert not case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


def test_it_counts_a_raise_to_life_safety_from_the_raise(personas):
    opened = timezone.now() - timedelta(hours=3)
    case = case_factory(personas.school_a, created_at=opened)
    before = timezone.now()
    case_set_priority(
        case=case,
        priority=Priority.LIFE_SAFETY,
        reason="named a weapon",
        actor=personas.counselor_a,
    )
    after = timezone.now()
    case.refresh_from_db()
    assert case.created_at == opened  # the opened time stays, for reporting
    assert before + timedelta(minutes=5) <= case.acknowledge_due_at <= after + timedelta(minutes=5)
    assert before + timedelta(hours=4) <= case.first_response_due_at <= after + timedelta(hours=4)
    assert not cases_overdue().filter(id=case.id).exists()
    assert cases_overdue(now=after + timedelta(minutes=6)).filter(id=case.id).exists()


def test_it_counts_a_lowered_priority_from_the_opening(personas):
    opened = timezone.now() - timedelta(hours=1)
    case = case_factory(personas.school_a, category=Category.WEAPON, created_at=opened)
    case_set_priority(
        case=case, priority=Priority.URGENT, reason="no weapon", actor=personas.counselor_a
    )
    case.refresh_from_db()
    assert case.acknowledge_due_at is None
    assert case.first_response_due_at == opened + timedelta(hours=4)


def test_it_starts_the_clock_at_a_raise_and_nowhere_else():
    opened = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    raised = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    kwargs = {"opened_at": opened, "changed_at": raised}
    assert (
        sla.clock_start(**kwargs, old_priority=sla.ROUTINE, new_priority=sla.LIFE_SAFETY) == raised
    )
    assert sla.clock_start(**kwargs, old_priority=sla.ROUTINE, new_priority=sla.URGENT) == raised
    assert sla.clock_start(**kwargs, old_priority=sla.URGENT, new_priority=sla.ROUTINE) == opened
    assert sla.clock_start(**kwargs, old_priority=sla.URGENT, new_priority=sla.URGENT) == opened
    with pytest.raises(ValueError):
        sla.clock_start(
            opened_at=opened.replace(tzinfo=None), changed_at=raised, old_priority=3, new_priority=1
        )


def test_it_words_events_as_sentences_in_the_readers_language(personas):
    case = case_factory(personas.school_a)
    case_assign(case=case, assignee=personas.counselor_a, actor=personas.district_admin)
    case_set_priority(case=case, priority=Priority.LIFE_SAFETY, reason="x", actor=None)
    english = _sentences(case)
    assert "Dana Admin assigned the case to Alice Counselor" in english
    assert "Priority raised from Routine to Life safety" in english
    assert not any("{" in sentence for sentence in english)
    with translation.override("es"):
        spanish = _sentences(case)
    assert "Dana Admin asignó el caso a Alice Counselor" in spanish
    assert any(sentence.startswith("Prioridad subida de ") for sentence in spanish)
