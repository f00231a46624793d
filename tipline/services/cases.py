"""The case core: opening cases, adding tips and messages, and the audit trail.

Keyword-only, typed, atomic. Anything that must happen outside the database (emails, SMS)
is queued with transaction.on_commit, so nothing is sent for a write that rolled back, and a
tip that was stored stays stored whatever the broker does afterwards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

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
from ..queueing import queue_after_commit

# No 0/O, 1/I/L: references are read aloud and typed from SMS.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
ERROR_OPTED_OUT = (
    "{alias} opted out of texts ({when}): your message was not sent. They get texts again "
    "only after they text START (or COMENZAR). Add an internal note if you need to record it."
)


class ReplyRefusedError(ValidationError):
    """The reply cannot go to the tipster by their channel; nothing was stored or sent."""


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


def case_event_record(
    *, case: Case, kind: str, actor=None, staff_reason: str = "", **data
) -> CaseEvent:
    """Append to the case's timeline and audit trail. Events are never deleted; retention
    erases only their `staff_reason` and social-post copies.

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
    from .calldown import calldown_start_later
    from .sla import case_due_times

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


@transaction.atomic(savepoint=False)
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
    reference: str | None = None,
) -> Tip:
    """Store a tip and open its case (or add it to `case`), in one transaction.

    `reference` is the new case's (see case_reference_new); ignored when `case` is given.
    """
    decision = priority_for_tip(category=category, danger_now=danger_now)
    events: list[CaseEvent] = []
    if case is None:
        case = case_open(
            school=school,
            channel=channel,
            category=category,
            decision=decision,
            actor=actor,
            needs_review=needs_review,
            reference=reference,
            events=events,
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
    events.append(
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.TIP_ADDED,
            actor=actor,
            data={"tip_id": tip.id, "channel": channel},
        )
    )
    CaseEvent.objects.bulk_create(events)
    return tip


@transaction.atomic(savepoint=False)
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

    Web tipsters read it at /followup/ with their receipt code: it is their first response
    at once. SMS messages are stored as PENDING and sent by a task after commit; they count
    as the first response only once Twilio takes them (tipline.sms.outbound). An SMS tipster
    who opted out gets nothing: ReplyRefusedError, before anything is stored.
    """
    case = case_surviving(case)
    is_sms = reporter.channel == Channel.SMS
    if is_sms:
        opted_out_at = (
            Reporter.objects.filter(id=reporter.id).values_list("opted_out_at", flat=True).first()
        )
        if opted_out_at is not None:
            when = date_format(timezone.localtime(opted_out_at), "j M Y, H:i")
            raise ReplyRefusedError(ERROR_OPTED_OUT.format(alias=reporter.alias, when=when))
    message = Message.objects.create(
        case=case,
        reporter=reporter,
        direction=MessageDirection.TO_REPORTER,
        channel=reporter.channel,
        body=body,
        author=author,
        delivery_status=DeliveryStatus.PENDING if is_sms else DeliveryStatus.NONE,
    )
    if not is_sms:
        Case.objects.filter(id=case.id, first_response_at__isnull=True).update(
            first_response_at=message.created_at
        )
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.MESSAGE_SENT,
        actor=author,
        message_id=message.id,
        channel=reporter.channel,
    )
    if is_sms:
        from ..tasks.sms import sms_message_send

        # Stored PENDING first: if the broker is down the outbox sweep sends it later.
        queue_after_commit(sms_message_send, message.id, what="an SMS reply", case_id=case.id)
    return message
