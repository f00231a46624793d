"""Merging duplicates and linking related cases; tipsters' follow-up keeps working."""

import pytest

from cases.models import Case, CaseEvent, CaseNote, CaseStatus, Category, Outcome, Priority
from cases.services.merge import case_link, case_merge, case_unlink
from cases.services.workflow import CaseWorkflowError, StaleCaseError, case_note_add
from tests.factories import case_factory
from tipline.models import Attachment, Message
from tipline.services.tips import message_from_reporter
from tipline.services.web import reporter_case

pytestmark = pytest.mark.django_db


def _reported(school, alias, **kwargs):
    case = case_factory(school, alias=alias, **kwargs)
    return case.tips.get().reporter, case


def test_it_moves_everything_to_the_survivor_and_closes_the_duplicate(personas):
    alice = personas.counselor_a
    first_reporter, survivor = _reported(personas.school_a, "r1", category=Category.BULLYING)
    second_reporter, duplicate = _reported(personas.school_a, "r2", category=Category.FIGHT)
    message_from_reporter(case=duplicate, reporter=second_reporter, body="more", channel="web")
    case_note_add(case=duplicate, actor=alice, body="note")
    Attachment.objects.create(
        case=duplicate, storage_name="x.bin", content_type="image/png", size=1
    )
    case_merge(duplicate=duplicate, survivor=survivor, actor=alice)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.CLOSED and duplicate.outcome == Outcome.DUPLICATE
    assert duplicate.merged_into == survivor and duplicate.version == 2
    for model in (Message, CaseNote, Attachment):
        assert not model.objects.filter(case=duplicate).exists()
    assert survivor.tips.count() == 2
    assert set(survivor.tags.values_list("category", flat=True)) == {"bullying", "fight"}
    moved = survivor.events.get(kind=CaseEvent.Kind.MERGED).data["moved"]
    assert moved == {
        "tips": 1,
        "messages": 1,
        "attachments": 1,
        "notes": 1,
        "tags": 1,  # its "fight" (the survivor had only "bullying")
        "watchers": 0,
        "alerts": 0,
        "merged_cases": 0,
    }
    # Both tipsters' follow-up now lands on the survivor.
    assert reporter_case(second_reporter) == survivor
    assert reporter_case(first_reporter) == survivor
    later = message_from_reporter(
        case=duplicate, reporter=second_reporter, body="again", channel="web"
    )
    assert later.case == survivor


def test_it_keeps_the_more_serious_priority(personas):
    survivor = case_factory(personas.school_a)
    duplicate = case_factory(personas.school_a, category=Category.WEAPON)
    survivor = case_merge(duplicate=duplicate, survivor=survivor, actor=personas.counselor_a)
    assert survivor.priority == Priority.LIFE_SAFETY and survivor.acknowledge_due_at
    assert survivor.priority_reason == f"Merged with case {duplicate.reference}"


def test_it_repoints_earlier_merges_to_the_new_survivor(personas):
    a, b, c = (case_factory(personas.school_a) for _ in range(3))
    case_merge(duplicate=a, survivor=b, actor=personas.counselor_a)
    b.refresh_from_db()
    case_merge(duplicate=b, survivor=c, actor=personas.counselor_a)
    assert Case.objects.get(id=a.id).merged_into_id == c.id


def test_it_refuses_stale_closed_and_self_merges(personas):
    survivor, duplicate = case_factory(personas.school_a), case_factory(personas.school_a)
    with pytest.raises(CaseWorkflowError):
        case_merge(duplicate=survivor, survivor=survivor, actor=personas.counselor_a)
    with pytest.raises(StaleCaseError):
        case_merge(
            duplicate=duplicate, survivor=survivor, actor=personas.counselor_a, survivor_version=7
        )
    case_merge(duplicate=duplicate, survivor=survivor, actor=personas.counselor_a)
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    with pytest.raises(CaseWorkflowError):
        case_merge(duplicate=duplicate, survivor=survivor, actor=personas.counselor_a)


def test_it_links_and_unlinks_related_cases_both_ways(personas):
    one, two = case_factory(personas.school_a), case_factory(personas.school_b)
    dana = personas.district_admin
    assert case_link(case=one, other=two, actor=dana) is True
    assert case_link(case=two, other=one, actor=dana) is False
    assert list(two.related_cases.all()) == [one]
    assert one.events.filter(kind="linked", data__linked_case_id=two.id).exists()
    assert case_unlink(case=two, other=one, actor=dana) is True
    assert not one.related_cases.exists()
