"""The case core: opening cases, priorities, references, and the timeline's events.

Keyword-only, typed, atomic. Anything that must happen outside the database (emails, SMS)
is queued with transaction.on_commit, so nothing is sent for a write that rolled back, and a
tip that was stored stays stored whatever the broker does afterwards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from accounts.models import School
from cases.models import (
    LIFE_SAFETY_CATEGORIES,
    Case,
    CaseEvent,
    CaseTag,
    DangerNow,
    Priority,
    PrioritySource,
)

from ..priority_reasons import category_rule_reason
from .calldown import calldown_start_later
from .escalation import case_due_times

# No 0/O, 1/I/L: references are read aloud and typed from SMS.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    source: PrioritySource
    reason: str


def priority_for_tip(*, category: str, danger_now: str = "") -> PriorityDecision:
    """Life-safety by category rule (self-harm, threat, weapon) or by "in danger now = yes"."""
    if category in LIFE_SAFETY_CATEGORIES:
        # In English whatever the tipster's language: the page says it in the reader's
        # (cases.priority_reasons).
        return PriorityDecision(
            Priority.LIFE_SAFETY, PrioritySource.CATEGORY_RULE, category_rule_reason(category)
        )
    if danger_now == DangerNow.YES:
        return PriorityDecision(
            Priority.LIFE_SAFETY,
            PrioritySource.DANGER_ANSWER,
            "Tipster answered that someone is in danger right now",
        )
    if danger_now == DangerNow.NOT_SURE:
        return PriorityDecision(
            Priority.URGENT, PrioritySource.DANGER_ANSWER, "Tipster was not sure about danger"
        )
    return PriorityDecision(Priority.ROUTINE, PrioritySource.DEFAULT, "")


def case_reference_random() -> str:
    """A random reference, not checked against existing cases (see case_reference_new)."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def case_reference_new() -> str:
    """A reference no case holds yet: one query per try.

    A caller that owns its transaction can skip the query: pass `reference=
    case_reference_random()` to case_open/tip_create and run the transaction again when
    `case_reference_taken` says the IntegrityError was that reference (web_tip_submit does).
    """
    while True:
        reference = case_reference_random()
        if not Case.objects.filter(reference=reference).exists():
            return reference


def case_reference_taken(reference: str) -> bool:
    """After an IntegrityError (and its rollback): was it because `reference` is in use?"""
    return Case.objects.filter(reference=reference).exists()


# The writers below are atomic when called alone; inside a caller's transaction they join it
# without a savepoint (a savepoint costs two statements, and nothing of a half-written tip or
# case may survive anyway: an error rolls back the caller's whole transaction).
@transaction.atomic(savepoint=False)
def case_open(
    *,
    school: School,
    channel: str,
    category: str,
    decision: PriorityDecision,
    actor=None,
    needs_review: bool = False,
    reference: str | None = None,
    events: list[CaseEvent] | None = None,
) -> Case:
    """Open a case. `reference`: see case_reference_new (default: a checked fresh one).

    `events`: when given, the CREATED event is appended to it unsaved, and the caller saves
    it with its own (tip_create does, in one insert); otherwise it is saved here.
    """
    case = Case(
        school=school,
        reference=reference or case_reference_new(),
        channel=channel,
        category=category,
        priority=decision.priority,
        priority_source=decision.source,
        priority_reason=decision.reason,
        needs_review=needs_review,
    )
    # SLA clocks start now (created_at): the due times go in with the row.
    due = case_due_times(case=case)
    case.acknowledge_due_at = due.acknowledge_due_at
    case.first_response_due_at = due.first_response_due_at
    case.save(force_insert=True)
    CaseTag.objects.create(case=case, category=category)
    created = CaseEvent(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        actor=actor,
        data={
            "channel": channel,
            "priority": int(decision.priority),
            "priority_source": str(decision.source),
        },
    )
    if events is None:
        created.save(force_insert=True)
    else:
        events.append(created)
    # A life-safety case starts its call-down once committed.
    if case.is_life_safety:
        calldown_start_later(case_id=case.id)
    return case
