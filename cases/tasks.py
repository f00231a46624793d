"""Celery tasks of the case workflow: staff notices, the call-down, deadlines, retention.

Thin: ids in, one service call, safe to run twice and concurrently (the services claim their
work with conditional updates or unique rows before sending anything).
"""

from celery import shared_task
from django.utils import timezone

from .services.calldown import calldown_advance, calldown_sweep, digest_send
from .services.escalation import sla_sweep
from .services.notices import notices_send
from .services.outbox import outbox_sweep
from .services.retention import retention_purge_expired


@shared_task(bind=True, name="cases.calldown_advance")
def calldown_advance_task(self, case_id: int) -> str | None:
    """Send the case's due call-down step, then queue the next look. A lost countdown is
    recovered by `calldown_sweep_task`."""
    next_at = calldown_advance(case_id=case_id)
    if next_at is not None and not self.request.is_eager:
        delay = max(1.0, (next_at - timezone.now()).total_seconds())
        calldown_advance_task.apply_async((case_id,), countdown=delay)
    return next_at.isoformat() if next_at else None


@shared_task(name="cases.calldown_sweep")
def calldown_sweep_task() -> int:
    return calldown_sweep()


@shared_task(name="cases.digest_send")
def digest_send_task() -> int:
    return digest_send()


@shared_task(name="cases.notices_send")
def notices_send_task(notice_ids: list[int]) -> int:
    """Queued after commit (and again by the outbox sweep). A transient failure puts the row
    back for the sweep to queue again later, with a growing delay."""
    return notices_send(notice_ids=notice_ids)


@shared_task(name="cases.outbox_sweep")
def outbox_sweep_task() -> dict:
    """Beat, every BEAT_SWEEP_SECONDS: queue again the notices the broker lost."""
    result = outbox_sweep()
    return {"notices": result.notices, "broker_down": result.broker_down}


@shared_task(name="cases.sla_sweep")
def sla_sweep_task() -> int:
    return sla_sweep()


@shared_task(name="cases.retention_purge")
def retention_purge_task() -> int:
    return retention_purge_expired()
