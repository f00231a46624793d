"""The lifecycle map, outcomes, reopening, stale versions and the events every edit leaves."""

import pytest

from tipline.models import CaseEvent, CaseNote, CaseStatus, Category, Outcome, Priority
from tipline.services import workflow
from tipline.services.workflow import (
    ALLOWED_MOVES,
    CaseWorkflowError,
    StaleCaseError,
    case_acknowledge,
    case_close,
    case_note_add,
    case_reopen,
    case_resolve,
    case_set_priority,
    case_set_tags,
    case_status_change,
    case_watch,
)

from .workflow_helpers import open_case

pytestmark = pytest.mark.django_db


def test_it_has_one_map_covering_every_status():
    assert set(ALLOWED_MOVES) == set(CaseStatus.values)
    for old, targets in ALLOWED_MOVES.items():
        assert old not in targets


def test_it_walks_a_case_from_new_to_closed(personas):
    alice = personas.counselor_a
    case = open_case(personas.school_a)
    case_status_change(case=case, status=CaseStatus.TRIAGED, actor=alice)
    case_status_change(case=case, status=CaseStatus.IN_PROGRESS, actor=alice)
    case_resolve(case=case, outcome=Outcome.SAFETY_PLAN, summary="Plan agreed.", actor=alice)
    case_close(case=case, actor=alice)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == Outcome.SAFETY_PLAN
    assert case.outcome_summary == "Plan agreed."
    assert case.resolved_at and case.closed_at and case.version == 5
    moves = [e.data["changes"]["status"] for e in case.events.filter(kind="status_changed")]
    assert moves == [
        ["new", "triaged"],
        ["triaged", "in_progress"],
        ["in_progress", "resolved"],
        ["resolved", "closed"],
    ]


def test_it_refuses_a_move_outside_the_map(personas):
    case = open_case(personas.school_a)
    case_close(case=case, outcome=Outcome.UNFOUNDED, summary="Nothing.", actor=personas.counselor_a)
    with pytest.raises(CaseWorkflowError):
        case_status_change(case=case, status=CaseStatus.NEW, actor=personas.counselor_a)


@pytest.mark.parametrize(
    ("outcome", "summary"), [("", "Done."), ("made_up", "Done."), (Outcome.OTHER, "   ")]
)
def test_it_needs_an_outcome_and_a_summary_to_resolve(personas, outcome, summary):
    case = open_case(personas.school_a)
    with pytest.raises(CaseWorkflowError):
        case_resolve(case=case, outcome=outcome, summary=summary, actor=personas.counselor_a)
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.version == 1


def test_it_will_not_close_an_open_case_without_an_outcome(personas):
    case = open_case(personas.school_a)
    with pytest.raises(CaseWorkflowError):
        case_close(case=case, actor=personas.counselor_a)


def test_it_reopens_only_with_a_reason(personas):
    alice = personas.counselor_a
    case = open_case(personas.school_a)
    case_resolve(case=case, outcome=Outcome.UNFOUNDED, summary="No.", actor=alice)
    with pytest.raises(CaseWorkflowError):
        case_reopen(case=case, actor=alice, reason=" ")
    case_reopen(case=case, actor=alice, reason="The tipster wrote again.")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.outcome == "" and not case.resolved_at
    event = case.events.filter(kind="status_changed").last()
    assert event.data["reopened"] and event.staff_reason == "The tipster wrote again."
    assert "reason" not in event.data
    assert event.data["changes"]["outcome_summary"] == ["…", "…"]


def test_it_refuses_a_stale_version_and_keeps_the_first_edit(personas):
    alice, dana = personas.counselor_a, personas.district_admin
    case = open_case(personas.school_a)
    page_version = case.version
    case_status_change(case=case, status=CaseStatus.TRIAGED, actor=dana)
    stale_copy = type(case).objects.get(id=case.id)
    stale_copy.version = page_version
    stale_copy.status = CaseStatus.NEW
    with pytest.raises(StaleCaseError, match="Someone else changed this case"):
        case_resolve(
            case=stale_copy,
            outcome=Outcome.OTHER,
            summary="x",
            actor=alice,
            expected_version=page_version,
        )
    with pytest.raises(StaleCaseError):
        workflow.case_assign(case=case, assignee=alice, actor=alice, expected_version=page_version)
    case.refresh_from_db()
    assert case.status == CaseStatus.TRIAGED and case.assignee is None and case.version == 2


def test_it_sets_priority_with_who_and_why_and_moves_the_clock(personas):
    case = open_case(personas.school_a)
    before = case.first_response_due_at
    case_set_priority(
        case=case, priority=Priority.URGENT, reason="Names a date", actor=personas.counselor_a
    )
    case.refresh_from_db()
    assert case.priority == Priority.URGENT and case.priority_source == "counselor"
    assert case.priority_reason == "Names a date"
    assert case.first_response_due_at != before
    event = case.events.get(kind=CaseEvent.Kind.PRIORITY_CHANGED)
    assert event.actor == personas.counselor_a and event.data["changes"]["priority"] == [3, 2]
    with pytest.raises(CaseWorkflowError):
        case_set_priority(case=case, priority=3, reason="", actor=personas.counselor_a)


def test_it_replaces_tags_and_records_the_difference(personas):
    case = open_case(personas.school_a, category=Category.BULLYING)
    case_set_tags(
        case=case, categories=[Category.FIGHT, Category.SUBSTANCES], actor=personas.counselor_a
    )
    assert set(case.tags.values_list("category", flat=True)) == {"fight", "substances"}
    event = case.events.get(kind=CaseEvent.Kind.TAGS_CHANGED)
    assert event.data["added"] == ["fight", "substances"] and event.data["removed"] == ["bullying"]
    with pytest.raises(CaseWorkflowError):
        case_set_tags(case=case, categories=[], actor=personas.counselor_a)


def test_it_records_one_acknowledgement(personas):
    case = open_case(personas.school_a, category=Category.WEAPON)
    assert case_acknowledge(case=case, actor=personas.principal_a) is True
    assert case_acknowledge(case=case, actor=personas.counselor_a) is False
    case.refresh_from_db()
    assert case.acknowledged_at is not None
    events = case.events.filter(kind=CaseEvent.Kind.ACKNOWLEDGED)
    assert [(e.actor, e.data["first"]) for e in events] == [
        (personas.principal_a, True),
        (personas.counselor_a, False),
    ]


def test_it_adds_internal_notes_and_watchers(personas):
    case = open_case(personas.school_a)
    note = case_note_add(case=case, actor=personas.counselor_a, body=" Called home. ")
    assert CaseNote.objects.get(id=note.id).body == "Called home."
    assert case.events.filter(kind=CaseEvent.Kind.NOTE_ADDED, data__note_id=note.id).exists()
    with pytest.raises(CaseWorkflowError):
        case_note_add(case=case, actor=personas.counselor_a, body="  ")
    assert case_watch(case=case, user=personas.counselor_a) is True
    assert case_watch(case=case, user=personas.counselor_a) is False
    assert list(case.watchers.values_list("user", flat=True)) == [personas.counselor_a.id]
