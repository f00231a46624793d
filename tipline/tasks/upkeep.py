"""Periodic upkeep: escalate missed SLA deadlines, erase expired cases' content, forget
the public forms' one-time tokens."""

from celery import shared_task

from ..services.retention import retention_purge_expired
from ..services.sla import sla_sweep
from ..services.submissions import submissions_expire


@shared_task(name="tipline.sla_sweep")
def sla_sweep_task() -> int:
    return sla_sweep()


@shared_task(name="tipline.retention_purge")
def retention_purge_task() -> int:
    return retention_purge_expired()


@shared_task(name="tipline.submissions_expire")
def submissions_expire_task() -> int:
    return submissions_expire()
