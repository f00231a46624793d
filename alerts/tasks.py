"""Celery tasks for alert sources. Beat runs `alerts.poll_due_sources` every minute (see
CELERY_BEAT_SCHEDULE); it claims the sources whose `next_poll_at` has come and queues one
`alerts.poll_source` per source.

A source's own failures (HTTP errors, 429, malformed data) are not task failures: the poll
records them on the Source and schedules the next try with backoff. Only database trouble
is retried here.
"""

from celery import shared_task
from django.db import OperationalError

from .services import source_poll, sources_claim_due
from .services.second_tier import alerts_second_tier_review, alerts_second_tier_sweep


@shared_task(name="alerts.poll_due_sources")
def poll_due_sources() -> list[int]:
    claimed = sources_claim_due()
    for source_id in claimed:
        poll_source.delay(source_id)
    return claimed


@shared_task(
    bind=True,
    name="alerts.poll_source",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def poll_source(self, source_id: int) -> bool:
    """Safe to run twice: storage is idempotent on (source, external id)."""
    return source_poll(source_id=source_id).ok


@shared_task(name="alerts.retention_purge")
def retention_purge_task() -> int:
    """Erase the text of posts past retention (see alerts.services.retention)."""
    from .services.retention import posts_purge_expired

    return posts_purge_expired()


@shared_task(
    bind=True,
    name="alerts.second_tier_review",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def second_tier_review(self, alert_ids: list[int]) -> dict[str, int]:
    """Read new alerts again before they page (alerts.services.second_tier). Safe to run
    twice: only alerts still pending are read, each claimed by a conditional update."""
    return alerts_second_tier_review(alert_ids=alert_ids)


@shared_task(name="alerts.second_tier_sweep")
def second_tier_sweep() -> int:
    """Review the alerts whose second reading is overdue (its task was lost)."""
    return alerts_second_tier_sweep()
