"""Web intake: tips from the public form, receipt codes, and the anonymous follow-up.

The receipt code is the tipster's only key. It is shown once and never stored: only its
keyed digest (accounts.privacy.keyed_digest, purpose "receipt") is kept on the Reporter, and
lookups go by that digest. Codes are 16 characters of Crockford's base32 (80 random bits),
shown in groups of four; input is normalised, so case, spaces, dashes and the usual
confusions (O for 0, I or L for 1) do not matter.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from accounts.privacy import keyed_digest
from cases.models import Case, CaseStatus, Channel
from cases.services.cases import case_reference_random, case_reference_taken
from cases.services.events import case_surviving
from tipline.models import Message, MessageDirection, Reporter, Tip
from tipline.services.tips import message_from_reporter, tip_create

from ..attachments import CleanUpload, attachment_store
from .submissions import (
    StoredReceipt,
    submission_exists,
    submission_key,
    submission_receipt,
    submission_receipt_retire,
    submission_record,
)

# Crockford's base32: no I, L, O or U, so nothing reads as something else.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 16  # 16 x 5 bits = 80 random bits
RECEIPT_GROUP = 4
RECEIPT_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1"})
RECEIPT_PURPOSE = "receipt"
ALIAS_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# A taken case reference makes web_tip_submit run its transaction again, this often at most.
REFERENCE_ATTEMPTS = 3

STATUS_WORDS = {
    CaseStatus.NEW: _("Received"),
    CaseStatus.TRIAGED: _("Being reviewed"),
    CaseStatus.IN_PROGRESS: _("Being reviewed"),
    CaseStatus.RESOLVED: _("Closed"),
    CaseStatus.CLOSED: _("Closed"),
}
STATUS_EXPLANATIONS = {
    CaseStatus.NEW: _("Your tip has arrived. A counselor at your school will read it soon."),
    CaseStatus.TRIAGED: _("A counselor has read your tip and is looking into it."),
    CaseStatus.IN_PROGRESS: _("A counselor has read your tip and is looking into it."),
    CaseStatus.RESOLVED: _("The school has finished looking into your tip. Thank you."),
    CaseStatus.CLOSED: _("The school has finished looking into your tip. Thank you."),
}


def receipt_code_new() -> str:
    """A fresh code like K7QF-2M9X-PA4T-8WNZ (80 bits from `secrets`)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def receipt_code_normalise(raw: str) -> str | None:
    """The canonical grouped code for what a person typed, or None if it cannot be one."""
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum()).translate(
        RECEIPT_CONFUSIONS
    )
    if len(compact) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in compact):
        return None
    return "-".join(compact[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def receipt_code_digest(code: str) -> str:
    return keyed_digest(code, purpose=RECEIPT_PURPOSE)


# Tipsters who hold a receipt code: web tipsters, and callers (a keypad code of digits).
RECEIPT_CHANNELS = (Channel.WEB, Channel.VOICE)


def reporter_for_receipt_code(raw: str) -> Reporter | None:
    """The web tipster or caller holding this code, or None (the caller says nothing more
    specific)."""
    code = receipt_code_normalise(raw)
    if code is None:
        return None
    return Reporter.objects.filter(
        channel__in=RECEIPT_CHANNELS, receipt_code_digest=receipt_code_digest(code)
    ).first()


def _alias_new() -> str:
    return "Web-" + "".join(secrets.choice(ALIAS_ALPHABET) for _ in range(5))


@dataclass(frozen=True)
class WebTipReceipt:
    """`submission_key` opens the receipt again (tipline.services.submissions);
    `resubmitted`: the same form was stored before, and this is that tip."""

    tip: Tip
    receipt_code: str | None
    submission_key: str
    resubmitted: bool = False


# What a tip form says; the same token with other words is another submission.
TIP_KEY_FIELDS = (
    "category",
    "body",
    "danger_now",
    "who_involved",
    "location",
    "when_happened",
    "contact_details",
)


def tip_submission_key(*, submission_token: str, **fields: str) -> str:
    return submission_key(
        token=submission_token, fields=[str(fields.get(name, "")) for name in TIP_KEY_FIELDS]
    )


def web_tip_sent_before(*, submission_token: str, **fields: str) -> str | None:
    """The submission key when this very form was stored already, else None."""
    key = tip_submission_key(submission_token=submission_token, **fields)
    return key if submission_exists(key=key) else None


def web_tip_receipt(*, submission_key: str) -> StoredReceipt | None:
    """The tip this key stored and its code while it may be shown again (see submissions)."""
    return submission_receipt(key=submission_key)


def web_tip_receipt_retire(*, submission_key: str) -> bool:
    """The student saved their code: never show it again, to anyone."""
    return submission_receipt_retire(key=submission_key)


def web_tip_submit(
    *,
    school: School,
    category: str,
    body: str,
    danger_now: str,
    who_involved: str = "",
    location: str = "",
    when_happened: str = "",
    contact_details: str = "",
    language: str = "en",
    uploads: Sequence[CleanUpload] = (),
    needs_review: bool = False,
    submission_token: str,
) -> WebTipReceipt:
    """Store a web tip, its reporter thread and files, and open its case: one transaction.

    Counselors are emailed after commit. The returned code must be shown, then dropped.
    The same form (token and words) posted again stores nothing and returns the first tip
    (`resubmitted`), with its code only while it may be shown again: the unique token digest
    is claimed right after the reporter row, so a concurrent repeat waits there and fails
    before any case, tip or file is written, and its transaction (email included) is undone.
    The case reference is not looked up first: if it is already taken (odds: cases stored
    / 31**6) the insert fails before any file is written, and the transaction runs again.
    """
    key = tip_submission_key(
        submission_token=submission_token,
        category=category,
        body=body,
        danger_now=danger_now,
        who_involved=who_involved,
        location=location,
        when_happened=when_happened,
        contact_details=contact_details,
    )
    code = receipt_code_new()
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        reference = case_reference_random()
        try:
            with transaction.atomic():
                tip = _web_tip_store(
                    code=code,
                    key=key,
                    reference=reference,
                    school=school,
                    category=category,
                    body=body,
                    danger_now=danger_now,
                    who_involved=who_involved,
                    location=location,
                    when_happened=when_happened,
                    contact_details=contact_details,
                    language=language,
                    uploads=uploads,
                    needs_review=needs_review,
                )
        except IntegrityError:
            earlier = submission_receipt(key=key)
            if earlier is not None:
                return WebTipReceipt(
                    tip=earlier.tip,
                    receipt_code=earlier.receipt_code,
                    submission_key=key,
                    resubmitted=True,
                )
            if attempt == REFERENCE_ATTEMPTS or not case_reference_taken(reference):
                raise
        else:
            return WebTipReceipt(tip=tip, receipt_code=code, submission_key=key)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _web_tip_store(
    *, code: str, key: str, reference: str, uploads: Sequence[CleanUpload], language: str, **fields
) -> Tip:
    """The writes of web_tip_submit; call inside its transaction."""
    reporter = Reporter.objects.create(
        channel=Channel.WEB,
        receipt_code_digest=receipt_code_digest(code),
        alias=_alias_new(),
        language=language,
    )
    submission_record(key=key, reporter=reporter, receipt_code=code)
    tip = tip_create(
        channel=Channel.WEB, reporter=reporter, language=language, reference=reference, **fields
    )
    for upload in uploads:
        attachment_store(case=tip.case, tip=tip, upload=upload)
    return tip


def reporter_case(reporter: Reporter) -> Case | None:
    """The case the tipster's thread belongs to now (following merges)."""
    tip = reporter.tips.select_related("case").order_by("received_at").first()
    return case_surviving(tip.case) if tip is not None else None


def reporter_messages(reporter: Reporter) -> QuerySet[Message]:
    """The conversation the tipster may see: messages to and from them, never notes."""
    return Message.objects.filter(reporter=reporter).prefetch_related("attachments")


def reporter_messages_mark_read(*, reporter: Reporter) -> int:
    return Message.objects.filter(
        reporter=reporter,
        direction=MessageDirection.TO_REPORTER,
        read_by_reporter_at__isnull=True,
    ).update(read_by_reporter_at=timezone.now())


def _followup_key(*, reporter: Reporter, body: str, submission_token: str) -> str:
    return submission_key(token=submission_token, fields=["reply", str(reporter.id), body])


def web_followup_sent_before(*, reporter: Reporter, body: str, submission_token: str) -> bool:
    """Whether this very answer (token and words) was stored already."""
    key = _followup_key(reporter=reporter, body=body, submission_token=submission_token)
    return submission_exists(key=key)


def web_followup_reply(
    *,
    reporter: Reporter,
    body: str,
    uploads: Sequence[CleanUpload] = (),
    submission_token: str,
) -> Message | None:
    """Add the tipster's answer (and files) to their case; counselors are emailed after commit.

    None when this very answer (token and words) was stored before: nothing is written.
    """
    case = reporter_case(reporter)
    if case is None:
        raise Reporter.DoesNotExist("This thread has no case.")
    key = _followup_key(reporter=reporter, body=body, submission_token=submission_token)
    try:
        return _web_followup_store(
            reporter=reporter, case=case, body=body, uploads=uploads, key=key
        )
    except IntegrityError:
        if submission_exists(key=key):
            return None
        raise


@transaction.atomic
def _web_followup_store(
    *, reporter: Reporter, case: Case, body: str, uploads: Sequence[CleanUpload], key: str
) -> Message:
    """The writes of web_followup_reply, the submission claimed first (see web_tip_submit)."""
    submission_record(key=key, reporter=reporter)
    message = message_from_reporter(case=case, reporter=reporter, body=body, channel=Channel.WEB)
    for upload in uploads:
        attachment_store(case=message.case, message=message, upload=upload)
    return message
