"""SMS and call tasks: send a counselor's reply, fetch an inbound MMS's pictures or a call's
recording, sweep lost replies.

Thin: ids in, one service call, transient failures retried with exponential backoff, safe to
run twice (the services claim their work).
"""

from celery import shared_task
from django.conf import settings

from .retention import retention_sweep
from .services.submissions import submissions_expire
from .sms.media import MediaTransientError, sms_media_store
from .sms.outbound import (
    DeliveryOutcome,
    sms_message_deliver,
    sms_replies_sweep,
    sms_retry_delay,
)
from .voice.recording import voice_recording_store, voice_recordings_sweep


@shared_task(bind=True, name="tipline.sms_message_send")
def sms_message_send(self, message_id: int) -> str:
    """Send one PENDING SMS reply. The final attempt marks the message failed on the case."""
    final = self.request.retries >= settings.SMS_SEND_MAX_RETRIES
    outcome = sms_message_deliver(message_id=message_id, final_attempt=final)
    if outcome is DeliveryOutcome.RETRY:
        raise self.retry(
            countdown=sms_retry_delay(self.request.retries),
            max_retries=settings.SMS_SEND_MAX_RETRIES,
        )
    return outcome.value


@shared_task(bind=True, name="tipline.sms_media_fetch")
def sms_media_fetch(
    self, *, media_urls: list[str], tip_id: int | None = None, message_id: int | None = None
) -> int:
    """Store an inbound MMS's pictures on its tip or message; returns how many were kept."""
    try:
        outcome = sms_media_store(media_urls=media_urls, tip_id=tip_id, message_id=message_id)
    except MediaTransientError:
        if self.request.retries >= settings.SMS_SEND_MAX_RETRIES:
            raise
        raise self.retry(
            countdown=sms_retry_delay(self.request.retries),
            max_retries=settings.SMS_SEND_MAX_RETRIES,
        ) from None
    return len(outcome.stored)


@shared_task(bind=True, name="tipline.voice_recording_fetch")
def voice_recording_fetch(self, call_id: int) -> bool:
    """Store a call's recording on its tip and delete it at Twilio."""
    try:
        return voice_recording_store(call_id=call_id)
    except MediaTransientError:
        if self.request.retries >= settings.SMS_SEND_MAX_RETRIES:
            raise
        raise self.retry(
            countdown=sms_retry_delay(self.request.retries),
            max_retries=settings.SMS_SEND_MAX_RETRIES,
        ) from None


@shared_task(name="tipline.sms_reply_sweep")
def sms_reply_sweep_task() -> dict:
    """Beat, with the notice outbox: queue again the replies and the call recording
    fetches the broker lost."""
    result = sms_replies_sweep()
    recordings = voice_recordings_sweep()
    return {"sms": result.sms, "broker_down": result.broker_down, "recordings": recordings}


@shared_task(name="tipline.retention_sweep")
def retention_sweep_task() -> dict:
    """Beat, hourly: the files and phone numbers of purged cases, the rows of calls that left
    no tip (tipline/retention.py)."""
    result = retention_sweep()
    return {
        "attachments": result.attachments,
        "phone_numbers": result.phone_numbers,
        "calls": result.calls,
    }


@shared_task(name="tipline.submissions_expire")
def submissions_expire_task() -> int:
    """Beat: forget the public forms' one-time tokens past TIPLINE_SUBMISSION_TOKEN_HOURS."""
    return submissions_expire()
