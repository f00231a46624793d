"""The notice outbox sweep (beat, every BEAT_SWEEP_SECONDS): queue again what the broker lost.

Every staff notice is a Notice row before its task is queued (cases/services/notices.py).
When the broker loses the task (Redis restarted without persistence, a worker killed after
the broker dropped its copy) or is down when the tip arrives, the row stays PENDING past its
`claimed_until`; a SENDING row past its lease lost its worker mid-send. The sweep hands both
kinds to `cases.notices_send` again, each time claiming the row first (a conditional update
that moves `claimed_until` on and counts the attempt), so two sweeps at once queue a row
once, and a row merely waiting behind a long queue waits twice as long each time before it
is queued again. Sending claims PENDING -> SENDING, so a re-queue costs at most a no-op task.

Replies to SMS tipsters are tipline's rows with their own sweep (tipline/sms/outbound.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ..models import Notice
from ..queueing import task_named
from .notices import SEND_TASK, retry_delay

logger = logging.getLogger(__name__)

# Rows older than this are not re-queued: a notice a day late helps nobody, and the case list
# shows the case anyway.
SWEEP_HORIZON = timedelta(days=1)


@dataclass(frozen=True)
class SweepResult:
    notices: int
    broker_down: bool = False


def _overdue(now: datetime) -> list[Notice]:
    """Claim the rows to hand over again: PENDING past their due time, SENDING past their
    lease. The claim moves `claimed_until` to the next due time and counts the attempt."""
    candidates = (
        Notice.objects.filter(
            Q(status=Notice.Status.PENDING) | Q(status=Notice.Status.SENDING),
            claimed_until__lt=now,
            created_at__gte=now - SWEEP_HORIZON,
        )
        .order_by("claimed_until")
        .only("id", "status", "attempts", "claimed_until")[: settings.OUTBOX_SWEEP_BATCH]
    )
    claimed = []
    for notice in candidates:
        due = now + retry_delay(notice.attempts + 1)
        if Notice.objects.filter(
            id=notice.id, status=notice.status, claimed_until=notice.claimed_until
        ).update(status=Notice.Status.PENDING, claimed_until=due, attempts=F("attempts") + 1):
            claimed.append(notice)
    return claimed


def outbox_sweep(*, now: datetime | None = None) -> SweepResult:
    """Queue again every notice whose send is overdue; stops at the first broker error (the
    rows not queued are handed back, due at once, for the next sweep)."""
    now = now or timezone.now()
    claimed = _overdue(now)
    for index, notice in enumerate(claimed):
        try:
            task_named(SEND_TASK).delay([notice.id])
        except Exception:
            logger.exception("could not queue a staff notice", extra={"notice_id": notice.id})
            unqueued = [row.id for row in claimed[index:]]
            Notice.objects.filter(id__in=unqueued, status=Notice.Status.PENDING).update(
                claimed_until=now - timedelta(seconds=1), attempts=F("attempts") - 1
            )
            return SweepResult(notices=index, broker_down=True)
    if claimed:
        logger.warning("outbox sweep re-queued overdue notices", extra={"notices": len(claimed)})
    return SweepResult(notices=len(claimed))
