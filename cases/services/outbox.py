"""The outbox: every staff email and outbound SMS is a database row before it is queued.

Two kinds of row wait here:

- `OutboundNotice`: a counselor email about a case (a new web tip, a tipster's reply),
  written by `outbound_notice_record` in the transaction that stores the tip or reply and
  sent by `tipline.case_counselors_email` (queued after commit), which marks it SENT.
- `Message` with `delivery_status=PENDING`: a reply to an SMS tipster, written by
  `message_to_reporter` (sent by `tipline.sms_message_send`, which claims it PENDING -> QUEUED).

Both are queued after commit. When the broker loses a task (Redis restarted without
persistence, a worker killed after the broker dropped its copy) or is down when the tip
arrives, the row stays PENDING; `outbox_sweep` (beat, every minute) queues it again once it is
overdue. Every send is idempotent, so a re-queue costs at most a no-op task:
counselor emails are marked done by their NOTIFIED case event (under a row lock on the case),
SMS replies by the conditional PENDING -> QUEUED claim. The life-safety call-down has its own
rows (`Delivery`) and sweeper (tipline/services/calldown.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Channel, OutboundNotice
from tipline.models import DeliveryStatus, Message, MessageDirection

from .notifications import case_counselors_email

logger = logging.getLogger(__name__)

# Rows older than this are not re-queued: a notice a day late helps nobody, and the case list
# shows the case anyway.
SWEEP_HORIZON = timedelta(days=1)


def overdue_after() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_OVERDUE_SECONDS)


def sms_retry_window() -> timedelta:
    """How long a reply may legitimately sit PENDING between its task's retries."""
    total = sum(
        min(settings.SMS_RETRY_BASE_SECONDS * 2**retry, settings.SMS_RETRY_MAX_SECONDS)
        for retry in range(settings.SMS_SEND_MAX_RETRIES + 1)
    )
    return timedelta(seconds=total)


def _queue_notice(notice: OutboundNotice) -> bool:
    """Hand one notice to the broker; False (logged, without content) when it is down."""
    from cases.tasks import case_counselors_email_task

    try:
        case_counselors_email_task.delay(notice.case_id, notice.reason, notice.ref)
    except Exception:
        logger.exception("could not queue an outbox notice", extra={"notice_id": notice.id})
        return False
    return True


def outbound_notice_record(*, case_id: int, reason: str, ref: int) -> None:
    """Write the notice's outbox row; call it inside the transaction that stores the tip or
    reply, and queue `tipline.case_counselors_email` after commit as before.

    Idempotent: a second call for the same (case, reason, ref) leaves the existing row as it
    is. One statement (INSERT ... ON CONFLICT DO NOTHING, no lookup or savepoint first): it
    is on the path of every tip (bench/tip_submit.py).
    """
    OutboundNotice.objects.bulk_create(
        [OutboundNotice(case_id=case_id, reason=reason, ref=ref)], ignore_conflicts=True
    )


def outbound_notice_deliver(*, case_id: int, reason: str, ref: int) -> int:
    """Send the notice's emails (once) and mark its outbox row SENT; returns emails sent by
    this run.

    Safe to run any number of times and concurrently: `case_counselors_email` sends only
    when the case has no NOTIFIED event for (reason, ref) yet, under a lock on the case. A
    worker killed between the two steps leaves the row PENDING; the sweep's re-run sends
    nothing and marks it.
    """
    sent = case_counselors_email(case_id=case_id, reason=reason, ref=ref)
    OutboundNotice.objects.filter(
        case_id=case_id, reason=reason, ref=ref, status=OutboundNotice.Status.PENDING
    ).update(status=OutboundNotice.Status.SENT, sent_at=timezone.now())
    return sent


@dataclass(frozen=True)
class SweepResult:
    notices: int
    sms: int
    broker_down: bool = False


def _overdue_notices(now: datetime) -> list[OutboundNotice]:
    """Claim overdue notices for re-queueing: moving queued_at forward is the claim, so two
    sweepers running at once queue each row once."""
    candidates = OutboundNotice.objects.filter(
        status=OutboundNotice.Status.PENDING,
        queued_at__lt=now - overdue_after(),
        created_at__gte=now - SWEEP_HORIZON,
    ).order_by("queued_at")[: settings.OUTBOX_SWEEP_BATCH]
    claimed = []
    for notice in candidates:
        # Back off per row (the overdue time doubles with each re-queue, up to 32 times): a
        # row that is merely waiting behind a long queue is not queued again and again.
        if notice.queued_at >= now - overdue_after() * 2 ** min(notice.queue_count - 1, 5):
            continue
        if OutboundNotice.objects.filter(
            id=notice.id, status=OutboundNotice.Status.PENDING, queued_at=notice.queued_at
        ).update(queued_at=now, queue_count=F("queue_count") + 1):
            claimed.append(notice)
    return claimed


def _overdue_sms(now: datetime) -> list[int]:
    """SMS replies still PENDING long after they were written.

    A reply with no delivery error was never tried (its first task was lost); one with an
    error is between retries, so it is only overdue once the whole retry window has passed.
    Claims nothing: the send task's own PENDING -> QUEUED claim makes a duplicate a no-op.
    """
    pending = Message.objects.filter(
        direction=MessageDirection.TO_REPORTER,
        channel=Channel.SMS,
        delivery_status=DeliveryStatus.PENDING,
        created_at__gte=now - SWEEP_HORIZON,
    )
    never_tried = Q(delivery_error="", created_at__lt=now - overdue_after())
    retries_lost = Q(created_at__lt=now - overdue_after() - sms_retry_window())
    return list(
        pending.filter(never_tried | retries_lost)
        .order_by("created_at")
        .values_list("id", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
    )


def outbox_sweep(*, now: datetime | None = None) -> SweepResult:
    """Queue again every outbox row whose send is overdue; stops at the first broker error
    (the rows stay PENDING for the next sweep)."""
    now = now or timezone.now()
    from tipline.tasks import sms_message_send

    notices = 0
    claimed = _overdue_notices(now)
    for index, notice in enumerate(claimed):
        if not _queue_notice(notice):
            # Hand the unqueued claims back so the next sweep takes them at once.
            unqueued = [row.id for row in claimed[index:]]
            OutboundNotice.objects.filter(id__in=unqueued, queued_at=now).update(
                queued_at=now - overdue_after() - timedelta(seconds=1),
                queue_count=F("queue_count") - 1,
            )
            return SweepResult(notices=notices, sms=0, broker_down=True)
        notices += 1
    sms = 0
    for message_id in _overdue_sms(now):
        try:
            sms_message_send.delay(message_id)
        except Exception:
            logger.exception("could not queue an SMS reply", extra={"message_id": message_id})
            return SweepResult(notices=notices, sms=sms, broker_down=True)
        sms += 1
    if notices or sms:
        logger.warning(
            "outbox sweep re-queued overdue sends", extra={"notices": notices, "sms": sms}
        )
    return SweepResult(notices=notices, sms=sms)
