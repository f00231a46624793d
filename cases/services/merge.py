"""Merging duplicate cases and linking related ones.

Merge contract: every row whose foreign key points at the duplicate moves to the survivor,
whatever app it belongs to (tips, messages, attachments, internal notes, tags, watchers,
social-post alerts, cases merged into it earlier, and any model added later): the rows are
found through Case._meta.related_objects, so this module never names them. Rows the survivor
already has an equal of (a tag, a watcher) are dropped instead of doubled. Two kinds stay:
the duplicate's timeline and audit trail (CaseEvent), and the record of the notices staff
were sent about it (Notice), which are history of the duplicate itself; and its shares with
partners (CaseShare), which were made for that case only. Links to related
cases move too. The duplicate is CLOSED with outcome DUPLICATE and `merged_into` the survivor.
Tipsters keep their follow-up: web follow-up finds its case through its tips and SMS threads
through `case_surviving`, both of which now lead to the survivor. The survivor takes the
more serious priority of the two. Both cases' versions are checked and bumped, so a merge
on a stale page fails with StaleCaseError.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseShare,
    CaseStatus,
    Notice,
    Outcome,
    Priority,
    PrioritySource,
)

from .calldown import calldown_start_later
from .escalation import case_due_times
from .events import case_event_record
from .workflow import CaseWorkflowError, StaleCaseError, require_work

ERROR_SAME = gettext_lazy("A case cannot be merged into itself.")
ERROR_SCHOOL = gettext_lazy("Only cases of the same school can be merged.")
ERROR_CLOSED = gettext_lazy("Only open cases can be merged.")
# History of the case it happened on: never moved by a merge.
# A share with a partner stays too: the partner was given that case as it was, and moving the
# share would show them the survivor's tips, which nobody chose to share with them.
STAYS_WITH_ITS_CASE = frozenset({CaseEvent, Notice, CaseShare})


def case_foreign_keys() -> list[models.ForeignKey]:
    """Every foreign key, in any installed app, that points at a Case."""
    return [
        relation.field
        for relation in Case._meta.related_objects
        if relation.one_to_many and relation.field.concrete
    ]


def _unique_field_sets(model, key: str) -> list[tuple[tuple[str, ...], Q | None]]:
    """The other fields of each uniqueness rule of `model` that includes `key`."""
    rules = [(tuple(fields), None) for fields in model._meta.unique_together]
    rules += [
        (tuple(constraint.fields), constraint.condition)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    return [
        (tuple(name for name in fields if name != key), condition)
        for fields, condition in rules
        if key in fields and len(fields) > 1
    ]


def _rows_move(field: models.ForeignKey, duplicate: Case, survivor: Case) -> int:
    """Point `field` at the survivor on every row that points at the duplicate; rows the
    survivor already has an equal of (by a uniqueness rule) are deleted instead."""
    model, key = field.model, field.name
    rows = model._base_manager.filter(**{key: duplicate})
    for others, condition in _unique_field_sets(model, key):
        twin = model._base_manager.filter(**{key: survivor}, **{n: OuterRef(n) for n in others})
        candidates = rows
        if condition is not None:
            twin, candidates = twin.filter(condition), rows.filter(condition)
        candidates.filter(Exists(twin)).delete()
    return rows.update(**{key: survivor})


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
        field.remote_field.get_accessor_name(): _rows_move(field, duplicate, survivor)
        for field in case_foreign_keys()
        if field.model not in STAYS_WITH_ITS_CASE
    }
    for related in duplicate.related_cases.exclude(id=survivor.id):
        survivor.related_cases.add(related)
    duplicate.related_cases.clear()

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
