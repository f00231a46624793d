"""Who may do what to a case, through the services: the role matrix (issue item 8)."""

import pytest

from cases.models import CaseStatus, Category, Outcome
from cases.services.merge import case_link, case_merge
from cases.services.workflow import (
    CasePermissionError,
    CaseWorkflowError,
    case_acknowledge,
    case_assign,
    case_note_add,
    case_resolve,
    case_set_priority,
    case_set_tags,
    case_status_change,
    case_watch,
)
from tests.factories import case_factory

pytestmark = pytest.mark.django_db

WORK_ACTIONS = {
    "triage": lambda case, user: case_status_change(
        case=case, status=CaseStatus.TRIAGED, actor=user
    ),
    "resolve": lambda case, user: case_resolve(
        case=case, outcome=Outcome.OTHER, summary="s", actor=user
    ),
    "assign": lambda case, user: case_assign(case=case, assignee=None, actor=user),
    "priority": lambda case, user: case_set_priority(case=case, priority=2, reason="r", actor=user),
    "tags": lambda case, user: case_set_tags(case=case, categories=["fight"], actor=user),
    "note": lambda case, user: case_note_add(case=case, body="n", actor=user),
}
# Who may work a school-A case: counselor A and the district admin; nobody else.
WORKERS = {
    "counselor_a": True,
    "district_admin": True,
    "principal_a": False,
    "counselor_b": False,
    "other_district_admin": False,
}


@pytest.mark.parametrize("action", sorted(WORK_ACTIONS))
@pytest.mark.parametrize("persona", sorted(WORKERS))
def test_it_lets_only_school_workers_work_a_case(personas, persona, action):
    case = case_factory(personas.school_a, category=Category.WEAPON)
    user = getattr(personas, persona)
    if WORKERS[persona]:
        WORK_ACTIONS[action](case, user)
        assert case.events.count() == 3 and case.events.last().actor == user
    else:
        with pytest.raises(CasePermissionError):
            WORK_ACTIONS[action](case, user)
        case.refresh_from_db()
        assert case.version == 1 and case.events.count() == 2  # created, tip added


@pytest.mark.parametrize(
    ("assignee", "allowed"),
    [
        ("counselor_a", True),
        ("district_admin", True),
        ("principal_a", False),
        ("counselor_b", False),
        ("other_district_admin", False),
    ],
)
def test_it_assigns_only_to_staff_who_work_that_school(personas, assignee, allowed):
    case = case_factory(personas.school_a)
    target = getattr(personas, assignee)
    if allowed:
        case_assign(case=case, assignee=target, actor=personas.counselor_a)
        case.refresh_from_db()
        assert case.assignee == target
        event = case.events.get(kind="assigned")
        assert event.data["assignee_id"] == target.id
        assert event.data["changes"]["assignee"] == [None, target.id]
    else:
        with pytest.raises(CaseWorkflowError):
            case_assign(case=case, assignee=target, actor=personas.counselor_a)


def test_it_stops_counselor_a_from_assigning_a_school_b_case(personas):
    case = case_factory(personas.school_b)
    with pytest.raises(CasePermissionError):
        case_assign(case=case, assignee=personas.counselor_a, actor=personas.counselor_a)


@pytest.mark.parametrize(
    ("persona", "category", "allowed"),
    [
        ("principal_a", Category.WEAPON, True),  # principals read their life-safety cases
        ("principal_a", Category.BULLYING, False),  # ...but not routine ones
        ("counselor_a", Category.BULLYING, True),
        ("counselor_b", Category.WEAPON, False),
        ("other_district_admin", Category.WEAPON, False),
    ],
)
def test_it_lets_readers_acknowledge_and_watch(personas, persona, category, allowed):
    case = case_factory(personas.school_a, category=category)
    user = getattr(personas, persona)
    if allowed:
        assert case_acknowledge(case=case, actor=user)
        assert case_watch(case=case, user=user)
    else:
        with pytest.raises(CasePermissionError):
            case_acknowledge(case=case, actor=user)
        with pytest.raises(CasePermissionError):
            case_watch(case=case, user=user)


def test_it_keeps_merge_and_link_within_what_the_actor_works(personas):
    mine, other = case_factory(personas.school_a), case_factory(personas.school_b)
    for user in (personas.counselor_a, personas.counselor_b, personas.principal_a):
        with pytest.raises(CasePermissionError):
            case_link(case=mine, other=other, actor=user)
    second = case_factory(personas.school_a)
    with pytest.raises(CasePermissionError):
        case_merge(duplicate=second, survivor=mine, actor=personas.principal_a)
    with pytest.raises(CaseWorkflowError):
        case_merge(duplicate=other, survivor=mine, actor=personas.district_admin)
