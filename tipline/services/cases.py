"""The case core: opening cases, adding tips and messages, and the audit trail.

Keyword-only, typed, atomic. Anything that must happen outside the database (emails, SMS)
is queued with transaction.on_commit, so nothing is sent for a write that rolled back, and a
tip that was stored stays stored whatever the broker does afterwards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import School

from ..models import (
    LIFE_SAFETY_CATEGORIES,
    Case,
    CaseEvent,
    CaseTag,
    Category,
    Channel,
    DangerNow,
    DeliveryStatus,
    Message,
    MessageDirection,
    Priority,
    PrioritySource,
    Reporter,
    Tip,
)

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
        label = Category(category).label
        return PriorityDecision(
            Priority.LIFE_SAFETY, PrioritySource.CATEGORY_RULE, f"Category: {label}"
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


def case_reference_new() -> str:
    while True:
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if not Case.objects.filter(reference=reference).exists():
            return reference


def case_event_record(*, case: Case, kind: str, actor=None, **data) -> CaseEvent:
    """Append to the case's timeline and audit trail. Events are never edited or deleted."""
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, data=data)


def case_surviving(case: Case) -> Case:
    """Follow merges to the case that now holds this one's tips and messages."""
    seen = set()
    while case.merged_into_id is not None and case.id not in seen:
        seen.add(case.id)
        case = case.merged_into
    return case


@transaction.atomic
def case_open(
    *,
    school: School,
    channel: str,
    category: str,
    decision: PriorityDecision,
    actor=None,
    needs_review: bool = False,
) -> Case:
    case = Case.objects.create(
        school=school,
        reference=case_reference_new(),
        channel=channel,
        category=category,
        priority=decision.priority,
        priority_source=decision.source,
        priority_reason=decision.reason,
        needs_review=needs_review,
    )
    CaseTag.objects.create(case=case, category=category)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        actor=actor,
        channel=channel,
        priority=int(decision.priority),
        priority_source=str(decision.source),
    )
    return case


@transaction.atomic
def tip_create(
    *,
    school: School,
    channel: str,
    category: str,
    body: str,
    reporter: Reporter | None = None,
    case: Case | None = None,
    danger_now: str = "",
    who_involved: str = "",
    location: str = "",
    when_happened: str = "",
    contact_details: str = "",
    language: str = "en",
    provider_sid: str | None = None,
    needs_review: bool = False,
    actor=None,
) -> Tip:
    """Store a tip and open its case (or add it to `case`), in one transaction."""
    decision = priority_for_tip(category=category, danger_now=danger_now)
    if case is None:
        case = case_open(
            school=school,
            channel=channel,
            category=category,
            decision=decision,
            actor=actor,
            needs_review=needs_review,
        )
    tip = Tip.objects.create(
        case=case,
        reporter=reporter,
        school=school,
        channel=channel,
        category=category,
        body=body,
        danger_now=danger_now,
        who_involved=who_involved,
        location=location,
        when_happened=when_happened,
        contact_details=contact_details,
        language=language,
        provider_sid=provider_sid,
        needs_review=needs_review,
    )
    case_event_record(
        case=case, kind=CaseEvent.Kind.TIP_ADDED, actor=actor, tip_id=tip.id, channel=channel
    )
    return tip


@transaction.atomic
def message_from_reporter(
    *,
    case: Case,
    reporter: Reporter,
    body: str,
    channel: str,
    provider_sid: str | None = None,
    flagged: bool = False,
) -> Message:
    case = case_surviving(case)
    message = Message.objects.create(
        case=case,
        reporter=reporter,
        direction=MessageDirection.FROM_REPORTER,
        channel=channel,
        body=body,
        provider_sid=provider_sid,
        flagged=flagged,
    )
    Reporter.objects.filter(id=reporter.id).update(last_contact_at=timezone.now())
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.MESSAGE_RECEIVED,
        message_id=message.id,
        channel=channel,
        flagged=flagged,
    )
    return message


@transaction.atomic
def message_to_reporter(*, case: Case, reporter: Reporter, body: str, author) -> Message:
    """A staff message to one tipster, sent by the tipster's own channel.

    Web tipsters read it at /followup/ with their receipt code; SMS messages are stored as
    PENDING and sent by a task after commit (the SMS module registers the sender).
    """
    case = case_surviving(case)
    is_sms = reporter.channel == Channel.SMS
    message = Message.objects.create(
        case=case,
        reporter=reporter,
        direction=MessageDirection.TO_REPORTER,
        channel=reporter.channel,
        body=body,
        author=author,
        delivery_status=DeliveryStatus.PENDING if is_sms else DeliveryStatus.NONE,
    )
    now = timezone.now()
    Case.objects.filter(id=case.id, first_response_at__isnull=True).update(first_response_at=now)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.MESSAGE_SENT,
        actor=author,
        message_id=message.id,
        channel=reporter.channel,
    )
    if is_sms:
        from ..tasks import dispatch_outbound_sms

        transaction.on_commit(lambda: dispatch_outbound_sms(message.id))
    return message
