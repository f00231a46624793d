"""Partners: the agencies a district works with, and sharing a case with one of their people.

A counselor or district admin shares a case with a partner contact for a while (default 72
hours), choosing whether the partner sees the case's files and its messages with the
tipster. The contact gets a link; the link alone shows nothing: opening it asks for a
one-time code sent to the contact's registered email (or phone, by SMS, when they have no
email). Then the partner reads that case only, redacted as chosen (the partner pages are
workspace/views/partner.py), and may add a note back, which joins the case's timeline as
theirs (the school's counselors are emailed a link, as of a tipster's answer). Access ends
when the share expires or is revoked.

Secrets are never stored: the link's token (256 random bits) and each code (6 digits) are kept
as keyed digests (accounts.privacy.keyed_digest). A code expires after CODE_MINUTES and takes
CODE_ATTEMPTS tries; a new one can be asked for after CODE_INTERVAL, and a share takes
CODES_PER_SHARE codes at most (then the sharer shares again), so a link found by someone
else gives them at most CODES_PER_SHARE x CODE_ATTEMPTS guesses at a million codes, and each
wrong one is on the case's trail.

The link and the codes are sent at once, in the request that asks for them, by the same
transports as staff notices (EMAIL_BACKEND, SMS_BACKEND), not through the Notice outbox:
an outbox row keeps its text so that it can be sent again, and these texts are secrets. A
sending failure is told to the person waiting for it, who can try again.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import District, Role, User
from accounts.privacy import keyed_digest
from accounts.public_address import public_url
from cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseShare,
    Notice,
    PartnerAgency,
    PartnerContact,
)

from ..sms_transport import sms_backend
from .events import case_event_record
from .notices import case_news_notices_write, notices_send_later
from .workflow import CasePermissionError, CaseWorkflowError, require_work

logger = logging.getLogger(__name__)

LINK_PURPOSE = "partner-link"
CODE_PURPOSE = "partner-code"
DEFAULT_HOURS = 72
EXPIRY_HOURS = (24, 72, 168)
CODE_DIGITS = 6
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODE_INTERVAL = timedelta(seconds=60)
CODES_PER_SHARE = 10
NOTE_MAX_LENGTH = 5000

ERROR_CONTACT = gettext_lazy("Choose an active contact of one of your district's partner agencies.")
ERROR_EXPIRY = gettext_lazy("Choose how long the partner may read the case.")
ERROR_NOTE_EMPTY = gettext_lazy("Write a note first.")
ERROR_NOT_ACTIVE = gettext_lazy("This share has ended.")


class CodeSent(Enum):
    SENT = "sent"
    TOO_SOON = "too_soon"  # asked again within CODE_INTERVAL: the last code still works
    EXHAUSTED = "exhausted"  # CODES_PER_SHARE used: the sharer must share again
    FAILED = "failed"  # the transport refused: try again


@dataclass(frozen=True)
class NewShare:
    share: CaseShare
    token: str  # the link's secret: sent once, never stored


# --- Agencies and contacts (district admins) ---------------------------------------------


def partner_districts_for(*, user: User):
    """The districts whose partner agencies `user` manages (district admins)."""
    return District.objects.filter(
        memberships__user=user, memberships__role=Role.DISTRICT_ADMIN
    ).order_by("name")


def _require_district_admin(user: User, district_id: int) -> None:
    if not permissions.is_district_admin(user, district_id):
        raise CasePermissionError("Only the district's admins manage its partners.")


@transaction.atomic
def partner_agency_create(*, district: District, actor: User, name: str, kind: str):
    _require_district_admin(actor, district.id)
    return PartnerAgency.objects.create(district=district, name=name.strip(), kind=kind)


@transaction.atomic
def partner_contact_create(
    *, agency: PartnerAgency, actor: User, name: str, email: str = "", phone_number: str = ""
) -> PartnerContact:
    _require_district_admin(actor, agency.district_id)
    if not email and not phone_number:
        raise ValidationError(_("Give an email address or a mobile number."))
    return PartnerContact.objects.create(
        agency=agency, name=name.strip(), email=email.strip(), phone_number=phone_number.strip()
    )


@transaction.atomic
def partner_set_active(*, row: PartnerAgency | PartnerContact, actor: User, active: bool) -> None:
    """Turn an agency or a contact on or off. Off: no new shares; running shares go on until
    they expire or are revoked (revoke them on their case page)."""
    district_id = row.district_id if isinstance(row, PartnerAgency) else row.agency.district_id
    _require_district_admin(actor, district_id)
    type(row).objects.filter(id=row.id).update(is_active=active)


def partner_contacts_for_case(*, case: Case):
    """The contacts a case may be shared with: active, of an active agency of its district."""
    return (
        PartnerContact.objects.filter(
            is_active=True,
            agency__is_active=True,
            agency__district_id=case.school.district_id,
        )
        .select_related("agency")
        .order_by("agency__name", "name")
    )


# --- Sharing ------------------------------------------------------------------------------


def _token_digest(token: str) -> str:
    return keyed_digest(token, purpose=LINK_PURPOSE)


def _code_digest(share_id: int, code: str) -> str:
    return keyed_digest(f"{share_id}:{code}", purpose=CODE_PURPOSE)


def share_link(token: str) -> str:
    try:
        path = reverse("partner:open", args=[token])
    except NoReverseMatch:
        path = f"/partner/{token}/"
    return public_url(path)


@transaction.atomic
def case_share_create(
    *,
    case: Case,
    contact: PartnerContact,
    actor: User,
    with_attachments: bool = False,
    with_messages: bool = False,
    hours: int = DEFAULT_HOURS,
    now: datetime | None = None,
) -> NewShare:
    """Share `case` with `contact` for `hours`; the returned token goes into the link
    (share_link_send) and nowhere else."""
    require_work(actor, case)
    if not partner_contacts_for_case(case=case).filter(id=contact.id).exists():
        raise CaseWorkflowError(ERROR_CONTACT)
    if hours not in EXPIRY_HOURS:
        raise CaseWorkflowError(ERROR_EXPIRY)
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    share = CaseShare.objects.create(
        case=case,
        contact=contact,
        shared_by=actor,
        partner_kind=contact.agency.kind,
        with_attachments=with_attachments,
        with_messages=with_messages,
        token_digest=_token_digest(token),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.SHARED,
        actor=actor,
        share_id=share.id,
        contact_id=contact.id,
        agency_id=contact.agency_id,
        partner_kind=contact.agency.kind,
        with_attachments=with_attachments,
        with_messages=with_messages,
        hours=hours,
    )
    return NewShare(share=share, token=token)


def _send(contact: PartnerContact, *, subject: str, text: str) -> bool:
    """Email the contact (or text them, without an email); False when the transport refused."""
    try:
        if contact.email:
            EmailMessage(subject=subject, body=text, to=[contact.email]).send()
        else:
            sms_backend().send(
                to=contact.phone_number,
                body=text,
                status_callback="",
                from_number=settings.TWILIO_FROM_NUMBER,
            )
    except Exception as failure:  # SMTP, network, provider refusal: told to the sender
        logger.warning(
            "partner message failed",
            extra={"contact_id": contact.id, "error": type(failure).__name__},
        )
        return False
    return True


def share_link_send(*, new: NewShare) -> bool:
    """Send the link to the share's contact; False when it could not be sent."""
    share = new.share
    school = share.case.school.name
    expires = timezone.localtime(share.expires_at, share.case.school.tzinfo).strftime(
        "%Y-%m-%d %H:%M %Z"
    )
    text = _(
        "%(school)s shared a case with you on its tip line. Open it here (you will be sent a "
        "one-time code): %(link)s. The link works until %(expires)s."
    ) % {"school": school, "link": share_link(new.token), "expires": expires}
    subject = _("A case shared with you by %(school)s") % {"school": school}
    return _send(share.contact, subject=subject, text=text)


def share_for_token(token: str, *, now: datetime | None = None) -> CaseShare | None:
    """The share this link opens, or None if unknown, expired or revoked (the caller says the
    same thing in all three cases)."""
    if not token or len(token) > 100:
        return None
    share = (
        CaseShare.objects.select_related("case__school", "contact__agency")
        .filter(token_digest=_token_digest(token))
        .first()
    )
    if share is None or not share.is_active_at(now or timezone.now()):
        return None
    return share


def share_is_active(*, share_id: int, token_digest: str, now: datetime | None = None) -> bool:
    """Asked again on every partner request: revocation and expiry end a session at once."""
    now = now or timezone.now()
    return CaseShare.objects.filter(
        id=share_id, token_digest=token_digest, revoked_at__isnull=True, expires_at__gt=now
    ).exists()


@transaction.atomic
def case_share_revoke(*, share: CaseShare, actor: User, now: datetime | None = None) -> bool:
    """End the partner's access now; False when it had already ended."""
    require_work(actor, share.case)
    now = now or timezone.now()
    ended = CaseShare.objects.filter(
        id=share.id, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now, revoked_by=actor)
    if ended:
        case_event_record(
            case=share.case,
            kind=CaseEvent.Kind.SHARE_REVOKED,
            actor=actor,
            share_id=share.id,
            contact_id=share.contact_id,
        )
    return bool(ended)


# --- The partner's one-time codes ----------------------------------------------------------


def share_code_send(*, share: CaseShare, now: datetime | None = None) -> CodeSent:
    """Send a fresh code to the share's contact (the previous one stops working)."""
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # The claim: one code per CODE_INTERVAL, CODES_PER_SHARE in all, decided by the database.
    claimed = (
        CaseShare.objects.filter(
            id=share.id,
            revoked_at__isnull=True,
            expires_at__gt=now,
            codes_sent__lt=CODES_PER_SHARE,
        )
        .exclude(last_code_sent_at__gt=now - CODE_INTERVAL)
        .update(
            code_digest=_code_digest(share.id, code),
            code_expires_at=now + timedelta(minutes=CODE_MINUTES),
            code_attempts=0,
            codes_sent=F("codes_sent") + 1,
            last_code_sent_at=now,
        )
    )
    if not claimed:
        current = CaseShare.objects.get(id=share.id)
        if current.codes_sent >= CODES_PER_SHARE or not current.is_active_at(now):
            return CodeSent.EXHAUSTED
        return CodeSent.TOO_SOON
    text = _(
        "Your code for the case %(school)s shared with you: %(code)s. It works for "
        "%(minutes)s minutes. If you did not ask for it, tell the school."
    ) % {"school": share.case.school.name, "code": code, "minutes": CODE_MINUTES}
    subject = _("Your one-time code")
    if not _send(share.contact, subject=subject, text=text):
        # Let them ask again at once; the code that was never delivered stops working.
        CaseShare.objects.filter(id=share.id).update(code_digest="", last_code_sent_at=None)
        return CodeSent.FAILED
    return CodeSent.SENT


def share_code_check(*, share: CaseShare, code: str, now: datetime | None = None) -> bool:
    """Whether `code` is the share's current code; a right code is used up, a wrong one costs
    a try (CODE_ATTEMPTS per code) and is written to the case's trail."""
    now = now or timezone.now()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    # The try is counted before the comparison, by a conditional update: parallel guesses
    # cannot spend more tries than there are.
    counted = (
        CaseShare.objects.filter(
            id=share.id,
            revoked_at__isnull=True,
            expires_at__gt=now,
            code_expires_at__gt=now,
            code_attempts__lt=CODE_ATTEMPTS,
        )
        .exclude(code_digest="")
        .update(code_attempts=F("code_attempts") + 1)
    )
    if not counted:
        # No live code, or its tries are spent: refused without a trace, so that posting
        # again and again cannot fill the case's trail (at most CODES_PER_SHARE x
        # CODE_ATTEMPTS wrong codes are ever recorded).
        return False
    if len(code) == CODE_DIGITS:
        digest = _code_digest(share.id, code)
        stored = CaseShare.objects.filter(id=share.id).values_list("code_digest", flat=True).get()
        if hmac.compare_digest(stored, digest):
            used = CaseShare.objects.filter(id=share.id, code_digest=digest).update(code_digest="")
            if used:
                return True
    case_event_record(
        case=share.case,
        kind=CaseEvent.Kind.PARTNER_CODE_FAILED,
        share_id=share.id,
        contact_id=share.contact_id,
    )
    return False


# --- What the partner does ----------------------------------------------------------------


@transaction.atomic
def partner_note_add(*, share: CaseShare, body: str, now: datetime | None = None) -> CaseNote:
    """A partner's note back: on the case's timeline as theirs (no staff author)."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise CaseWorkflowError(ERROR_NOTE_EMPTY)
    if len(body) > NOTE_MAX_LENGTH:
        body = body[:NOTE_MAX_LENGTH]
    # Locked, so a revocation racing the note is either before it (refused) or after it.
    current = CaseShare.objects.select_for_update().get(id=share.id)
    if not current.is_active_at(now):
        raise CaseWorkflowError(ERROR_NOT_ACTIVE)
    note = CaseNote.objects.create(case_id=share.case_id, author=None, share=current, body=body)
    case_event_record(
        case=share.case,
        kind=CaseEvent.Kind.NOTE_ADDED,
        note_id=note.id,
        share_id=share.id,
        contact_id=share.contact_id,
    )
    # The school's counselors are told, like of a tipster's answer: a link, never the note.
    notice_ids = case_news_notices_write(
        case=share.case, reason=Notice.Reason.PARTNER_NOTE, ref=note.id
    )
    notices_send_later(notice_ids=notice_ids, case_id=share.case_id)
    return note
