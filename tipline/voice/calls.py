"""The call's writes and reads: its row, the tip a message opens, the recording's callback,
who to connect the caller to, and what a receipt code says back.

Contract: no network call (the recording is fetched by a task queued after commit);
idempotent on CallSid (`VoiceCall.call_sid` and `Tip.provider_sid` are unique: a replayed
webhook opens nothing twice); never keeps or logs the caller's number, in clear or hashed
(the caller is known by the receipt code they are read, as a web tipster is); a message
that reached us is stored whatever happens after (the fetch retries; a hang-up changes
nothing).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import DistrictPolicy, OnCallContact, PhoneNumber, School
from cases.models import Category, Channel, DangerNow
from cases.queueing import queue_after_commit
from cases.sla_arithmetic import SchoolHours, is_school_hours
from tipline.models import MessageDirection, Reporter, Tip, VoiceCall
from tipline.services.tips import tip_create
from tipline.services.web import (
    RECEIPT_GROUP,
    RECEIPT_LENGTH,
    receipt_code_digest,
    reporter_case,
    reporter_for_receipt_code,
    reporter_messages,
    reporter_messages_mark_read,
)

from ..followup_status import followup_status

# A call's tip has no words but its recording: this stands in the tip's text, stored in
# English and said in the reader's language wherever a tip's text is shown
# (workspace's `tip_text` filter).
VOICE_BODY = gettext_noop("(voice message: listen to the recording)")
ALIAS_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_RECORDING_SECONDS = 180


def voice_receipt_code_new() -> str:
    """A receipt code a phone keypad can enter: 16 digits in groups of four. Digits are part
    of the web's receipt alphabet, so the same code opens the web follow-up page."""
    raw = "".join(secrets.choice("0123456789") for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def called_number(to: str) -> PhoneNumber | None:
    """The tip-line number called, if it is ours and its school (if any) is active."""
    phone = PhoneNumber.objects.select_related("school", "district").filter(number=to).first()
    if phone is None or (phone.school_id and not phone.school.is_active):
        return None
    return phone


def district_schools(phone: PhoneNumber) -> list[School]:
    return list(phone.district.schools.filter(is_active=True).order_by("name", "id"))


def school_for_call(phone: PhoneNumber, school_id: str | int | None) -> School | None:
    """The school this call is about: the number's own, or the one the caller chose on a
    district number (it must be an active school of that district)."""
    if phone.school_id:
        return phone.school
    try:
        wanted = int(school_id or 0)
    except ValueError:
        return None
    return School.objects.filter(id=wanted, district_id=phone.district_id, is_active=True).first()


def call_record(*, call_sid: str) -> VoiceCall:
    """The call's row, created on its first webhook (a replay finds it)."""
    try:
        call, _created = VoiceCall.objects.get_or_create(call_sid=call_sid)
    except IntegrityError:  # a concurrent copy of the same webhook created it
        call = VoiceCall.objects.get(call_sid=call_sid)
    return call


def connect_numbers(*, school: School, now=None) -> tuple[list[str], bool]:
    """Who "press 1" rings, in order, and whether it is the after-hours line.

    During the school's hours: its active on-call contacts with a mobile number, by
    position. Outside them: the district's 24/7 line if it has one, else nobody."""
    now = now or timezone.now()
    if is_school_hours(now, SchoolHours.of(school)):
        numbers = (
            OnCallContact.objects.filter(school=school, is_active=True, user__is_active=True)
            .exclude(user__phone_number="")
            .order_by("position")
            .values_list("user__phone_number", flat=True)
        )
        return list(numbers), False
    line = (
        DistrictPolicy.objects.filter(district_id=school.district_id)
        .values_list("after_hours_line", flat=True)
        .first()
    )
    return ([line] if line else []), True


@dataclass(frozen=True)
class VoiceReceipt:
    """What the caller is told: the code once, when the message was just stored; None for
    a replay (the code was read the first time and is kept nowhere)."""

    tip: Tip
    receipt_code: str | None


def voice_message_receive(
    *,
    call_sid: str,
    school: School,
    language: str,
    urgent: bool,
    recording_sid: str = "",
    recording_url: str = "",
    recording_seconds: int | None = None,
) -> VoiceReceipt:
    """The caller finished their message (the <Record> action): store the tip and open its
    case (channel Voice) through the intake core, once per CallSid.

    `urgent`: the caller asked to be connected to staff now and nobody could take the call;
    the tip says someone may be in danger now, so the case opens as life safety and the
    call-down starts. The recording is fetched after commit once Twilio says it is ready
    (its status callback may come before this or after)."""
    code = voice_receipt_code_new()
    try:
        with transaction.atomic():
            call = call_record(call_sid=call_sid)
            call = VoiceCall.objects.select_for_update().get(id=call.id)
            if call.tip_id is not None:
                return VoiceReceipt(tip=call.tip, receipt_code=None)
            reporter = Reporter.objects.create(
                channel=Channel.VOICE,
                receipt_code_digest=receipt_code_digest(code),
                alias="Call-" + "".join(secrets.choice(ALIAS_ALPHABET) for _ in range(5)),
                language=language,
            )
            tip = tip_create(
                school=school,
                channel=Channel.VOICE,
                category=Category.OTHER,
                body=VOICE_BODY,
                reporter=reporter,
                danger_now=DangerNow.YES if urgent else "",
                language=language,
                provider_sid=call_sid,
            )
            call.tip = tip
            if recording_url and not call.recording_url:
                call.recording_url = recording_url
                call.recording_sid = recording_sid or None
            if recording_seconds is not None and call.recording_seconds is None:
                call.recording_seconds = recording_seconds
            call.save()
            _fetch_when_ready(call)
    except IntegrityError:
        # The same CallSid stored by a concurrent copy of this webhook.
        tip = Tip.objects.get(provider_sid=call_sid)
        return VoiceReceipt(tip=tip, receipt_code=None)
    return VoiceReceipt(tip=tip, receipt_code=code)


@transaction.atomic
def voice_recording_status(
    *, call_sid: str, recording_sid: str, recording_url: str, status: str, seconds: int | None
) -> bool:
    """Twilio's recording-status callback: keep where the recording is, and queue its fetch
    once both it and the tip exist. True when a fetch was queued by this callback."""
    call = call_record(call_sid=call_sid)
    call = VoiceCall.objects.select_for_update().get(id=call.id)
    call.recording_status = status[:16]
    if recording_url:
        call.recording_url = recording_url
        call.recording_sid = recording_sid or None
    if seconds is not None:
        call.recording_seconds = seconds
    call.save()
    return _fetch_when_ready(call)


def _fetch_when_ready(call: VoiceCall) -> bool:
    """Queue the recording's fetch once: the call has its tip and Twilio has the file."""
    if not (call.tip_id and call.recording_url and call.recording_status == "completed"):
        return False
    claimed = VoiceCall.objects.filter(id=call.id, fetch_queued_at__isnull=True).update(
        fetch_queued_at=timezone.now()
    )
    if claimed:
        queue_after_commit("tipline.voice_recording_fetch", call.id, what="a call recording fetch")
    return bool(claimed)


@dataclass(frozen=True)
class FollowupHeard:
    status: object  # a lazy translation: spoken in the caller's language
    replies: list[str]


def voice_followup(*, digits: str) -> FollowupHeard | None:
    """What a caller who keys in a receipt code hears: the case's status and the staff's
    replies (marked read, as on the web page), or None for a code that opens nothing."""
    reporter = reporter_for_receipt_code(digits)
    if reporter is None:
        return None
    case = reporter_case(reporter)
    if case is None:
        return None
    conversation = list(reporter_messages(reporter))
    # The web page's words: a tip with a counselor's reply is being reviewed.
    status = followup_status(case=case, conversation=conversation)
    replies = [
        message.body
        for message in conversation
        if message.direction == MessageDirection.TO_REPORTER
    ]
    reporter_messages_mark_read(reporter=reporter)
    return FollowupHeard(status=status.word, replies=replies)
