"""A call's recording: fetched from Twilio through the SMS backend's seam (with the
account's credentials, from our account's Recordings only), checked to be audio by its
bytes, stored encrypted as an attachment of the call's tip (so staff play it through the
audited attachment view), then deleted at Twilio (TWILIO_DELETE_MEDIA).

Safe to run twice: the call row remembers that the file was stored and that Twilio's copy
was deleted, and each step is skipped once done.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.queueing import task_named
from cases.services.events import case_surviving
from tipline.models import VoiceCall

from ..attachments import MAX_UPLOAD_BYTES, CleanUpload, attachment_store
from ..sms.backends import BaseSmsBackend, SendFailure, sms_backend
from ..sms.media import MediaTransientError

logger = logging.getLogger(__name__)

FETCH_TASK = "tipline.voice_recording_fetch"
# A fetch not done this long after it was queued was lost (broker down, worker killed).
FETCH_OVERDUE = timedelta(minutes=15)
# Three minutes of Twilio's WAV (8 kHz, 16-bit, mono) is under 3 MB; the upload limit holds.
MAX_RECORDING_BYTES = MAX_UPLOAD_BYTES


def audio_kind(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a WAV or MP3 file by its bytes, else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav", "wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg", "mp3"
    return None


def voice_recording_store(*, call_id: int, backend: BaseSmsBackend | None = None) -> bool:
    """Store the call's recording on its tip, then delete it at Twilio. True when stored
    (now or before). Raises MediaTransientError for network trouble and 5xx, to retry."""
    call = VoiceCall.objects.select_related("tip__case").filter(id=call_id).first()
    if call is None or call.tip is None or not call.recording_url:
        return False
    backend = backend or sms_backend()
    if call.stored_at is None:
        try:
            data, _content_type = backend.recording_fetch(
                recording_url=call.recording_url, max_bytes=MAX_RECORDING_BYTES
            )
        except httpx.HTTPStatusError as error:
            if error.response.status_code >= 500:
                raise MediaTransientError(str(error.response.status_code)) from None
            logger.warning(
                "call recording not fetched", extra={"status_code": error.response.status_code}
            )
            return False
        except httpx.TransportError as error:
            raise MediaTransientError(type(error).__name__) from None
        except ValueError:
            logger.warning("call recording refused", extra={"event": "recording_refused"})
            return False
        kind = audio_kind(data)
        if kind is None:
            logger.warning("call recording refused", extra={"event": "recording_not_audio"})
            return False
        with transaction.atomic():
            locked = VoiceCall.objects.select_for_update().get(id=call.id)
            if locked.stored_at is None:
                attachment_store(
                    case=case_surviving(call.tip.case),
                    tip=call.tip,
                    upload=CleanUpload(data, kind[0], kind[1], ""),
                )
                VoiceCall.objects.filter(id=call.id).update(stored_at=timezone.now())
    if settings.TWILIO_DELETE_MEDIA and call.deleted_at_twilio_at is None:
        try:
            backend.recording_delete(recording_url=call.recording_url)
        except SendFailure as failure:
            if failure.transient:
                raise MediaTransientError(failure.reason) from None
            logger.warning("call recording not deleted at Twilio", extra={"event": failure.reason})
            return True
        VoiceCall.objects.filter(id=call.id).update(deleted_at_twilio_at=timezone.now())
    logger.info("call recording stored", extra={"event": "recording_stored"})
    return True


def voice_recordings_sweep(*, now: datetime | None = None) -> int:
    """Queue again the recording fetches the broker lost (beat, with the SMS reply sweep):
    a completed recording of a stored tip, not stored (or not deleted at Twilio) long after
    its fetch was queued. Each is claimed again by a conditional update first; stops at the
    first broker error (the rest wait for the next sweep)."""
    now = now or timezone.now()
    overdue = VoiceCall.objects.filter(
        tip__isnull=False,
        recording_status="completed",
        fetch_queued_at__lt=now - FETCH_OVERDUE,
    ).exclude(recording_url="")
    if settings.TWILIO_DELETE_MEDIA:
        overdue = overdue.filter(stored_at__isnull=True) | overdue.filter(
            deleted_at_twilio_at__isnull=True
        )
    else:
        overdue = overdue.filter(stored_at__isnull=True)
    queued = 0
    for call_id, queued_at in overdue.values_list("id", "fetch_queued_at"):
        if not VoiceCall.objects.filter(id=call_id, fetch_queued_at=queued_at).update(
            fetch_queued_at=now
        ):
            continue
        try:
            task_named(FETCH_TASK).delay(call_id)
        except Exception:
            logger.exception("could not queue a call recording fetch", extra={"event": FETCH_TASK})
            break
        queued += 1
    if queued:
        logger.warning("recording sweep re-queued lost fetches", extra={"count": queued})
    return queued
