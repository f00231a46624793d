"""Staff notification tasks: queued after commit (and again by the outbox sweep when the
broker lost them), safe to run twice."""

from smtplib import SMTPException

from celery import shared_task

from ..services.outbox import outbound_notice_deliver


@shared_task(
    name="tipline.case_counselors_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def case_counselors_email_task(case_id: int, reason: str, ref: int) -> int:
    return outbound_notice_deliver(case_id=case_id, reason=reason, ref=ref)
