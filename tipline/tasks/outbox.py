"""The outbox sweep (beat, every minute): queue again what the broker lost.

Thin (STYLE.md): one service call; safe to run twice and concurrently (see
tipline/services/outbox.py).
"""

from celery import shared_task

from ..services.outbox import outbox_sweep


@shared_task(name="tipline.outbox_sweep")
def outbox_sweep_task() -> dict:
    result = outbox_sweep()
    return {"notices": result.notices, "sms": result.sms, "broker_down": result.broker_down}
