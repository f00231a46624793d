"""Merging duplicate cases and linking related ones.

Merge contract: everything the duplicate holds (tips, messages, attachments, internal notes,
tags, links) moves to the survivor; the duplicate is CLOSED with outcome DUPLICATE and
`merged_into` the survivor, and cases merged into it earlier now point at the survivor.
Tipsters keep their follow-up: web follow-up finds its case through its tips and SMS threads
through `case_surviving`, both of which now lead to the survivor. The survivor takes the
more serious priority of the two. Both cases' versions are checked and bumped, so a merge
on a stale page fails with StaleCaseError.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNote,
    CaseStatus,
    CaseTag,
    Outcome,
    Priority,
    PrioritySource,
)
from cases.services.escalation import case_due_times
from tipline.models import Attachment, Message, Tip

from .cases import case_event_record
from .workflow import CaseWorkflowError, StaleCaseError, require_work

ERROR_SAME = "A case cannot be merged into itself."
ERROR_SCHOOL = "Only cases of the same school can be merged."
ERROR_CLOSED = "Only open cases can be merged."


def _locked(case_ids: list[int]) -> dict[int, Case]:
    # Lock in id order, so two merges of the same pair cannot deadlock.
    rows = Case.objects.select_for_update().filter(id__in=sorted(case_ids)).order_by("id")
    return {case.id: case for case in rows}


@transaction.atomic
def case_merge(
    *,
    duplicate: Case,
    survivor: Case,
    actor,
    duplicate_version: int | None = None,
    survivor_version: int | None = None,
) -> Case:
    """Merge `duplicate` into `survivor`; returns the survivor, refreshed."""
    if duplicate.id == survivor.id:
        raise CaseWorkflowError(ERROR_SAME)
    require_work(actor, duplicate)
    require_work(actor, survivor)
    if duplicate.school_id != survivor.school_id:
        raise CaseWorkflowError(ERROR_SCHOOL)
    expected = {
        duplicate.id: duplicate.version if duplicate_version is None else duplicate_version,
        survivor.id: survivor.version if survivor_version is None else survivor_version,
    }
    locked = _locked([duplicate.id, survivor.id])
    for case_id, version in expected.items():
        if locked[case_id].version != version:
            raise StaleCaseError()
    duplicate, survivor = locked[duplicate.id], locked[survivor.id]
    if duplicate.status not in OPEN_STATUSES or survivor.status not in OPEN_STATUSES:
        raise CaseWorkflowError(ERROR_CLOSED)

    moved = {
        "tips": Tip.objects.filter(case=duplicate).update(case=survivor),
        "messages": Message.objects.filter(case=duplicate).update(case=survivor),
        "attachments": Attachment.objects.filter(case=duplicate).update(case=survivor),
        "notes": CaseNote.objects.filter(case=duplicate).update(case=survivor),
    }
    have = set(survivor.tags.values_list("category", flat=True))
    CaseTag.objects.bulk_create(
        [
            CaseTag(case=survivor, category=category)
            for category in duplicate.tags.values_list("category", flat=True)
            if category not in have
        ]
    )
    for related in duplicate.related_cases.exclude(id=survivor.id):
        survivor.related_cases.add(related)
    duplicate.related_cases.clear()
    Case.objects.filter(merged_into=duplicate).update(merged_into=survivor)

    now = timezone.now()
    survivor_changes: dict = {}
    if duplicate.priority < survivor.priority:
        due = case_due_times(case=survivor, priority=duplicate.priority)
        survivor_changes.update(
            priority=duplicate.priority,
            priority_source=PrioritySource.COUNSELOR,
            priority_reason=f"Merged with case {duplicate.reference}"[:200],
            acknowledge_due_at=due.acknowledge_due_at,
            first_response_due_at=due.first_response_due_at,
        )
    if duplicate.acknowledged_at and not survivor.acknowledged_at:
        survivor_changes["acknowledged_at"] = duplicate.acknowledged_at
    if duplicate.first_response_at and not survivor.first_response_at:
        survivor_changes["first_response_at"] = duplicate.first_response_at
    Case.objects.filter(id=survivor.id).update(
        **survivor_changes, version=F("version") + 1, updated_at=now
    )
    Case.objects.filter(id=duplicate.id).update(
        status=CaseStatus.CLOSED,
        outcome=Outcome.DUPLICATE,
        outcome_summary=f"Merged into case {survivor.reference}",
        merged_into=survivor,
        resolved_at=now,
        closed_at=now,
        version=F("version") + 1,
        updated_at=now,
    )
    case_event_record(
        case=survivor,
        kind=CaseEvent.Kind.MERGED,
        actor=actor,
        merged_case_id=duplicate.id,
        merged_reference=duplicate.reference,
        moved=moved,
    )
    case_event_record(
        case=duplicate,
        kind=CaseEvent.Kind.MERGED,
        actor=actor,
        merged_into_id=survivor.id,
        changes={"status": [duplicate.status, CaseStatus.CLOSED]},
    )
    survivor.refresh_from_db()
    if survivor.priority == Priority.LIFE_SAFETY and survivor.acknowledged_at is None:
        from .calldown import calldown_start_later

        calldown_start_later(case_id=survivor.id)
    return survivor


@transaction.atomic
def case_link(*, case: Case, other: Case, actor) -> bool:
    """Mark two cases as related (both directions); True when newly linked."""
    if case.id == other.id:
        raise CaseWorkflowError(ERROR_SAME)
    require_work(actor, case)
    require_work(actor, other)
    if case.related_cases.filter(id=other.id).exists():
        return False
    case.related_cases.add(other)
    for one, two in ((case, other), (other, case)):
        case_event_record(case=one, kind=CaseEvent.Kind.LINKED, actor=actor, linked_case_id=two.id)
    return True


@transaction.atomic
def case_unlink(*, case: Case, other: Case, actor) -> bool:
    require_work(actor, case)
    require_work(actor, other)
    if not case.related_cases.filter(id=other.id).exists():
        return False
    case.related_cases.remove(other)
    for one, two in ((case, other), (other, case)):
        case_event_record(
            case=one, kind=CaseEvent.Kind.LINKED, actor=actor, unlinked_case_id=two.id
        )
    return True
