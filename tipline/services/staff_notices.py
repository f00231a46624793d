"""Staff notices by SMS and email, each attempt a claimed Delivery row.

Privacy (DESIGN.md): a notice says that something needs attention at a school and carries a
link that needs login; never tip content, category or the tipster's words.

Exactly-once discipline: `deliveries_claim` inserts the rows (unique per case, kind, step,
channel and recipient, or per school, day, channel and recipient for digests) with a fresh
claim token before anything is sent; only rows carrying this run's token are sent by it. A
second run (a duplicate task, the sweeper racing a countdown) inserts nothing and sends
nothing. A row left CLAIMED by a worker that died before the provider call is re-claimed
after DELIVERY_CLAIM_LEASE_SECONDS by `deliveries_reclaim_stale` and sent then.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from accounts.public_address import public_url

from ..models import Delivery
from ..sms.backends import BaseSmsBackend, SendFailure, sms_backend

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_LEASE_SECONDS = 120


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str  # the SMS text and the email body: no tip content, ever


@dataclass(frozen=True)
class Target:
    recipient_id: int
    channel: str
    address: str


def targets_for(users: Iterable) -> list[Target]:
    """SMS to the user's mobile number (when set) and email, for each active user."""
    targets = []
    for user in users:
        if not user.is_active:
            continue
        if user.phone_number:
            targets.append(Target(user.id, Delivery.Channel.SMS, user.phone_number))
        if user.email:
            targets.append(Target(user.id, Delivery.Channel.EMAIL, user.email))
    return targets


def claim_lease() -> timedelta:
    return timedelta(
        seconds=getattr(settings, "DELIVERY_CLAIM_LEASE_SECONDS", DEFAULT_CLAIM_LEASE_SECONDS)
    )


def deliveries_claim(
    *,
    kind: str,
    school_id: int,
    targets: list[Target],
    case_id: int | None = None,
    step: int = 0,
    digest_date: date | None = None,
    now: datetime | None = None,
) -> list[Delivery]:
    """Insert CLAIMED rows for targets not already claimed; return the rows this run owns."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    Delivery.objects.bulk_create(
        [
            Delivery(
                kind=kind,
                school_id=school_id,
                case_id=case_id,
                step=step,
                channel=target.channel,
                recipient_id=target.recipient_id,
                digest_date=digest_date,
                claim_token=token,
                claimed_at=now,
                created_at=now,
            )
            for target in targets
        ],
        ignore_conflicts=True,
    )
    return list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.CLAIMED).select_related(
            "recipient"
        )
    )


def deliveries_reclaim_stale(*, queryset, now: datetime | None = None) -> list[Delivery]:
    """Take over CLAIMED rows whose lease ran out (their worker died before sending)."""
    now = now or timezone.now()
    mine = []
    stale = queryset.filter(status=Delivery.Status.CLAIMED, claimed_at__lt=now - claim_lease())
    for row in stale:
        token = uuid.uuid4().hex
        taken = Delivery.objects.filter(
            id=row.id, status=Delivery.Status.CLAIMED, claim_token=row.claim_token
        ).update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
        if taken:
            mine.append(Delivery.objects.select_related("recipient").get(id=row.id))
    return mine


def delivery_send(
    *, delivery: Delivery, notice: Notice, backend: BaseSmsBackend | None = None
) -> bool:
    """Send one claimed row and record the result on it; True when the provider took it."""
    recipient = delivery.recipient
    provider_id = ""
    error = ""
    try:
        if delivery.channel == Delivery.Channel.SMS:
            if not recipient.phone_number:
                raise SendFailure(
                    reason="No mobile number", code=None, transient=False, opted_out=False
                )
            sent = (backend or sms_backend()).send(
                to=recipient.phone_number,
                body=notice.text,
                status_callback="",
                from_number=settings.TWILIO_FROM_NUMBER,
            )
            provider_id = sent.sid
        else:
            EmailMessage(subject=notice.subject, body=notice.text, to=[recipient.email]).send()
    except SendFailure as failure:
        error = failure.reason
    except Exception as failure:  # SMTP and network errors: recorded, the sequence goes on
        error = f"{type(failure).__name__}"
        logger.warning(
            "staff notice failed",
            extra={"delivery_id": delivery.id, "channel": delivery.channel, "error": error},
        )
    status = Delivery.Status.FAILED if error else Delivery.Status.SENT
    Delivery.objects.filter(
        id=delivery.id, claim_token=delivery.claim_token, status=Delivery.Status.CLAIMED
    ).update(
        status=status,
        sent_at=None if error else timezone.now(),
        provider_id=provider_id[:64],
        error=error[:200],
    )
    delivery.status = status
    delivery.error = error[:200]
    return not error


def staff_link(path: str) -> str:
    return public_url(path)
