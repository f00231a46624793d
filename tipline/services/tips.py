"""Tips and the conversation with tipsters, for every intake channel (web and SMS).

Keyword-only, typed, atomic. Each writer stores the tipster's words and calls the intake core
(cases.intake) in the same transaction, so a case opens, its priority is decided and staff
are told the same way whichever channel the tip came by. Anything that must happen outside
the database (emails, SMS replies) is queued with transaction.on_commit, so nothing is sent
for a write that rolled back, and a tip that was stored stays stored whatever the broker
does afterwards.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import School
from cases.intake import case_open_for_tip, case_reply_notify, case_reply_read
from cases.models import Case, CaseEvent, Channel
from cases.queueing import queue_after_commit
from cases.services.events import case_event_record, case_surviving
from tipline.models import DeliveryStatus, Message, MessageDirection, Reporter, Tip

ERROR_OPTED_OUT = (
    "{alias} opted out of texts ({when}): your message was not sent. They get texts again "
    "only after they text START (or COMENZAR). Add an internal note if you need to record it."
)


class ReplyRefusedError(ValidationError):
    """The reply cannot go to the tipster by their channel; nothing was stored or sent."""


@transaction.atomic(savepoint=False)
def tip_create(
    *,
    school: School,
    channel: str,
    category: str,
    body: str,
    reporter: Reporter | None = None,
    danger_now: str = "",
    who_involved: str = "",
    location: str = "",
    when_happened: str = "",
    contact_details: str = "",
    language: str = "en",
    provider_sid: str | None = None,
    needs_review: bool = False,
    reference: str | None = None,
    entered_by=None,
    received_by: str = "",
    may_contact: bool = False,
) -> Tip:
    """Store a tip and open its case (cases.intake.case_open_for_tip), in one transaction.

    `reference` is the new case's (see cases.services.cases.case_reference_new).
    `entered_by`, `received_by`, `may_contact`: a tip staff typed in (tipline.services.staff);
    the timeline's "tip added" is then that staff member's event.
    """
    events: list[CaseEvent] = []
    case = case_open_for_tip(
        school=school,
        channel=channel,
        category=category,
        text=body,
        danger_now=danger_now,
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
        entered_by=entered_by,
        received_by=received_by,
        may_contact=may_contact,
    )
    data = {"tip_id": tip.id, "channel": channel}
    if entered_by is not None:
        data.update(entered_by=entered_by.id, received_by=received_by)
    events.append(CaseEvent(case=case, kind=CaseEvent.Kind.TIP_ADDED, actor=entered_by, data=data))
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
    """The tipster's answer on their case (the survivor, if it was merged); the counselors
    are told (cases.intake.case_reply_notify), except of texts that came in a flood. Every
    answer, a flood's included, is read for language of harm (cases.intake.case_reply_read)."""
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
    case = case_reply_read(case=case, text=body)
    if not flagged:
        case_reply_notify(case=case, message_id=message.id)
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
        # Stored PENDING first: if the broker is down the reply sweep sends it later.
        queue_after_commit(
            "tipline.sms_message_send", message.id, what="an SMS reply", case_id=case.id
        )
    return message
