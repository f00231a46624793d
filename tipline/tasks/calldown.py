"""Staff notice tasks: the life-safety call-down, its sweeper, the morning digest.

Thin (STYLE.md): ids in, one service call. They are safe to run twice and concurrently: the
services claim each notice with a Delivery row before sending it.
"""

from celery import shared_task
from django.utils import timezone

from ..services.calldown import calldown_advance, calldown_sweep, digest_send


@shared_task(bind=True, name="tipline.calldown_advance")
def calldown_advance_task(self, case_id: int) -> str | None:
    """Send the case's due call-down step, then queue the next look. A lost countdown is
    recovered by `calldown_sweep_task`."""
    next_at = calldown_advance(case_id=case_id)
    if next_at is not None and not self.request.is_eager:
        delay = max(1.0, (next_at - timezone.now()).total_seconds())
        calldown_advance_task.apply_async((case_id,), countdown=delay)
    return next_at.isoformat() if next_at else None


@shared_task(name="tipline.calldown_sweep")
def calldown_sweep_task() -> int:
    return calldown_sweep()


@shared_task(name="tipline.digest_send")
def digest_send_task() -> int:
    return digest_send()
