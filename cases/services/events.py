"""The case timeline's writer, and following merges: what every other service builds on."""

from __future__ import annotations

from cases.models import Case, CaseEvent


def case_event_record(
    *, case: Case, kind: str, actor=None, staff_reason: str = "", **data
) -> CaseEvent:
    """Append to the case's timeline and audit trail. Events are never deleted; retention
    erases only their `staff_reason`.

    `data` must hold ids, codes and field names only; a staff member's own words for the
    change go in `staff_reason` (encrypted)."""
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, data=data, staff_reason=staff_reason
    )


def case_surviving(case: Case) -> Case:
    """Follow merges to the case that now holds this one's tips and messages."""
    seen = set()
    while case.merged_into_id is not None and case.id not in seen:
        seen.add(case.id)
        case = case.merged_into
    return case
