"""Counselor replies by SMS: claim, send, follow the delivery status, record failures.

`message_to_reporter` stores a reply as PENDING and queues `tipline.sms_message_send` after
commit (it refuses, before storing anything, a reply to a tipster who opted out). Sending is
at most once: the task first claims the message with a conditional update PENDING -> QUEUED,
and only the run that wins the claim sends. Twilio's status callbacks arrive out of order,
so the delivery status only ever moves forward (`status_advance`).

First response: an SMS reply counts once Twilio has taken it (it has a MessageSid) and has
not failed since; `case_first_response_refresh` recomputes the case's first_response_at after
every such change, so a reply that fails for good stops counting and the SLA clock runs on.
A failure's reason says what Twilio's error code means, on the message and the timeline.
A reply whose task the broker lost is queued again by `sms_replies_sweep` (beat).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import PhoneNumber
from cases.models import Case, CaseEvent, Channel
from cases.queueing import task_named
from cases.services.events import case_event_record
from tipline.models import DeliveryStatus, Message, MessageDirection, Reporter

from ..twilio_client import ERROR_RECIPIENT_OPTED_OUT
from .backends import BaseSmsBackend, SendFailure, sms_backend

logger = logging.getLogger(__name__)

# Twilio's statuses, in the order a message moves through them.
TWILIO_STATUSES = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENDING,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
STATUS_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENDING: 2,
    DeliveryStatus.SENT: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.UNDELIVERED: 4,
    DeliveryStatus.FAILED: 4,
}
FAILED_STATUSES = (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)
ERROR_OPTED_OUT = "The tipster opted out (STOP): the message was not sent."
# What Twilio's error codes mean for a counselor (Twilio's error reference), on failed replies.
TWILIO_ERROR_MEANINGS = {
    21211: "not a valid phone number",
    21408: "texts to this country are not enabled",
    21610: "the tipster opted out (texted STOP)",
    21612: "the tip line's number cannot text this number",
    21614: "not a mobile number",
    30003: "the phone is off or out of reach",
    30004: "blocked by the tipster's phone or carrier",
    30005: "the number does not exist or is no longer in service",
    30006: "a landline, or a carrier that cannot receive texts",
    30007: "filtered by the carrier as unwanted",
    30008: "an unknown error at the carrier",
}


class DeliveryOutcome(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # not ours to send: already claimed, sent, or not an SMS reply
    RETRY = "retry"
    FAILED = "failed"


def sms_retry_delay(retries: int) -> int:
    """Exponential backoff: SMS_RETRY_BASE_SECONDS doubled per retry, capped."""
    return min(settings.SMS_RETRY_BASE_SECONDS * 2**retries, settings.SMS_RETRY_MAX_SECONDS)


def failure_reason(reason: str, code: int | str | None) -> str:
    """A failure as the case page shows it: Twilio's words and what its code means."""
    try:
        meaning = TWILIO_ERROR_MEANINGS.get(int(code)) if code else None
    except ValueError:
        meaning = None
    return f"{reason} ({meaning})" if meaning else reason


def case_first_response_refresh(*, case_id: int) -> None:
    """first_response_at := when staff wrote the first reply that reached the tipster's
    channel: a web or call reply (read at /followup/, or heard by calling back) at once, an
    SMS reply once Twilio took it and unless it failed since. One UPDATE, whatever order
    replies and callbacks come in."""
    counted = (
        Message.objects.filter(case_id=case_id, direction=MessageDirection.TO_REPORTER)
        .filter(
            Q(channel__in=[Channel.WEB, Channel.VOICE])
            | Q(channel=Channel.SMS, provider_sid__isnull=False)
        )
        .exclude(delivery_status__in=FAILED_STATUSES)
        .order_by("created_at", "id")
        .values("created_at")[:1]
    )
    Case.objects.filter(id=case_id).update(first_response_at=models.Subquery(counted))


def status_callback_url(message_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("sms:twilio-status", args=[message_id])


def thread_sender(*, reporter: Reporter, case: Case) -> str:
    """The number the tipster texted: the district's when they chose a school from its menu."""
    numbers = PhoneNumber.objects.filter(district_id=case.school.district_id)
    if reporter.selected_school_id:
        number = numbers.filter(school__isnull=True).first()
    else:
        number = numbers.filter(school_id=case.school_id).first()
    return number.number if number else ""


@transaction.atomic
def message_delivery_fail(*, message: Message, reason: str) -> bool:
    """Mark a reply failed (from any unfinished status) and put it on the case's timeline."""
    unfinished = [status for status, rank in STATUS_RANK.items() if rank < 4]
    moved = Message.objects.filter(id=message.id, delivery_status__in=unfinished).update(
        delivery_status=DeliveryStatus.FAILED, delivery_error=reason[:200]
    )
    if moved:
        case_event_record(
            case=message.case,
            kind=CaseEvent.Kind.MESSAGE_UNDELIVERED,
            message_id=message.id,
            reason=reason[:200],
        )
        case_first_response_refresh(case_id=message.case_id)
    return bool(moved)


def reporter_opt_out(*, reporter_id: int) -> None:
    Reporter.objects.filter(id=reporter_id, opted_out_at__isnull=True).update(
        opted_out_at=timezone.now()
    )


def sms_message_deliver(
    *, message_id: int, final_attempt: bool, backend: BaseSmsBackend | None = None
) -> DeliveryOutcome:
    """Send one PENDING SMS reply, at most once. Safe to run any number of times."""
    message = (
        Message.objects.select_related("reporter", "case__school")
        .filter(id=message_id, direction=MessageDirection.TO_REPORTER, channel=Channel.SMS)
        .first()
    )
    if message is None or message.reporter is None:
        return DeliveryOutcome.SKIPPED
    reporter = message.reporter
    if message.delivery_status != DeliveryStatus.PENDING:
        return DeliveryOutcome.SKIPPED
    if reporter.opted_out_at is not None:
        message_delivery_fail(message=message, reason=ERROR_OPTED_OUT)
        return DeliveryOutcome.FAILED
    claimed = Message.objects.filter(id=message.id, delivery_status=DeliveryStatus.PENDING).update(
        delivery_status=DeliveryStatus.QUEUED
    )
    if not claimed:
        return DeliveryOutcome.SKIPPED
    backend = backend or sms_backend()
    try:
        sent = backend.send(
            to=reporter.phone_number_encrypted,
            body=message.body,
            status_callback=status_callback_url(message.id),
            from_number=thread_sender(reporter=reporter, case=message.case),
        )
    except SendFailure as failure:
        if failure.opted_out:
            reporter_opt_out(reporter_id=reporter.id)
            message_delivery_fail(message=message, reason=f"{failure.reason}: {ERROR_OPTED_OUT}")
            return DeliveryOutcome.FAILED
        if failure.transient and not final_attempt:
            # Hand the message back for the retry; a status callback that arrived meanwhile
            # (Twilio took it after all) has moved it past QUEUED and this matches nothing.
            Message.objects.filter(id=message.id, delivery_status=DeliveryStatus.QUEUED).update(
                delivery_status=DeliveryStatus.PENDING, delivery_error=failure.reason[:200]
            )
            return DeliveryOutcome.RETRY
        message_delivery_fail(message=message, reason=failure_reason(failure.reason, failure.code))
        return DeliveryOutcome.FAILED
    Message.objects.filter(id=message.id, provider_sid__isnull=True).update(
        provider_sid=sent.sid, delivery_error=""
    )
    status_advance(message_id=message.id, status=TWILIO_STATUSES.get(sent.status, "queued"))
    case_first_response_refresh(case_id=message.case_id)
    return DeliveryOutcome.SENT


def status_advance(*, message_id: int, status: str) -> bool:
    """Move a reply's delivery status forward only; False when it is already as far."""
    lower = [known for known, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    return bool(
        Message.objects.filter(id=message_id, delivery_status__in=lower).update(
            delivery_status=status
        )
    )


@transaction.atomic
def sms_delivery_status_record(
    *, message_id: int, message_sid: str, twilio_status: str, error_code: str = ""
) -> bool:
    """Apply one status callback. Unknown statuses, other messages' SIDs and statuses that
    would move backwards change nothing (callbacks arrive out of order)."""
    status = TWILIO_STATUSES.get(twilio_status.lower())
    message = (
        Message.objects.select_related("case")
        .filter(id=message_id, direction=MessageDirection.TO_REPORTER, channel=Channel.SMS)
        .first()
    )
    if status is None or message is None:
        return False
    if message.provider_sid and message_sid and message.provider_sid != message_sid:
        return False
    if not message.provider_sid and message_sid:
        # The callback can beat the API response that tells us the SID: Twilio has it.
        Message.objects.filter(id=message.id, provider_sid__isnull=True).update(
            provider_sid=message_sid
        )
    if status in FAILED_STATUSES:
        reason = f"Twilio {status}" + (f", error {error_code}" if error_code else "")
        if error_code == str(ERROR_RECIPIENT_OPTED_OUT) and message.reporter_id:
            reporter_opt_out(reporter_id=message.reporter_id)
        if not message_delivery_fail(message=message, reason=failure_reason(reason, error_code)):
            return False
        Message.objects.filter(id=message.id).update(delivery_status=status)
        return True
    moved = status_advance(message_id=message.id, status=status)
    if not message.provider_sid and message_sid:
        case_first_response_refresh(case_id=message.case_id)
    return moved


# --- The reply outbox: replies the broker lost ---------------------------------------------

# Replies older than this are not re-queued: the case page shows them as waiting.
SWEEP_HORIZON = timedelta(days=1)
SEND_TASK = "tipline.sms_message_send"


@dataclass(frozen=True)
class SweepResult:
    sms: int
    broker_down: bool = False


def sms_retry_window() -> timedelta:
    """How long a reply may legitimately sit PENDING between its task's retries."""
    total = sum(
        min(settings.SMS_RETRY_BASE_SECONDS * 2**retry, settings.SMS_RETRY_MAX_SECONDS)
        for retry in range(settings.SMS_SEND_MAX_RETRIES + 1)
    )
    return timedelta(seconds=total)


def _overdue_replies(now: datetime) -> list[int]:
    """SMS replies still PENDING long after they were written.

    A reply with no delivery error was never tried (its first task was lost); one with an
    error is between retries, so it is only overdue once the whole retry window has passed.
    Claims nothing: the send task's own PENDING -> QUEUED claim makes a duplicate a no-op.
    """
    overdue = timedelta(seconds=settings.OUTBOX_OVERDUE_SECONDS)
    pending = Message.objects.filter(
        direction=MessageDirection.TO_REPORTER,
        channel=Channel.SMS,
        delivery_status=DeliveryStatus.PENDING,
        created_at__gte=now - SWEEP_HORIZON,
    )
    never_tried = Q(delivery_error="", created_at__lt=now - overdue)
    retries_lost = Q(created_at__lt=now - overdue - sms_retry_window())
    return list(
        pending.filter(never_tried | retries_lost)
        .order_by("created_at")
        .values_list("id", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
    )


def sms_replies_sweep(*, now: datetime | None = None) -> SweepResult:
    """Queue again every SMS reply whose send is overdue (beat, with the notice outbox);
    stops at the first broker error (the replies stay PENDING for the next sweep)."""
    now = now or timezone.now()
    queued = 0
    for message_id in _overdue_replies(now):
        try:
            task_named(SEND_TASK).delay(message_id)
        except Exception:
            logger.exception("could not queue an SMS reply", extra={"message_id": message_id})
            return SweepResult(sms=queued, broker_down=True)
        queued += 1
    if queued:
        logger.warning("SMS reply sweep re-queued overdue replies", extra={"sms": queued})
    return SweepResult(sms=queued)
