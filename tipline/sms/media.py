"""MMS pictures: fetch from Twilio, validate and strip like a web upload, store encrypted,
then delete the media at Twilio (TWILIO_DELETE_MEDIA).

Validation, metadata stripping and encrypted storage are the web form's own
(`tipline.attachments.upload_clean` and `attachment_store`), so both channels keep to one set
of limits (bytes per file, pixels per picture, and pixels per message across its pictures);
the declared content type is ignored, as for uploads (files are judged by bytes).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from ..attachments import (
    MAX_FILES,
    MAX_UPLOAD_BYTES,
    PixelBudget,
    attachment_store,
    upload_clean,
)
from ..models import Message, Tip
from ..services.cases import case_surviving
from .backends import BaseSmsBackend, SendFailure, sms_backend

logger = logging.getLogger(__name__)

DONE_SECONDS = 30 * 24 * 3600


class MediaTransientError(Exception):
    """Twilio could not be reached, or answered 5xx: worth retrying."""


@dataclass
class MediaOutcome:
    stored: list[int] = field(default_factory=list)
    rejected: int = 0


def _done_key(media_url: str) -> str:
    return "sms:media:" + hashlib.sha256(media_url.encode()).hexdigest()[:40]


def sms_media_store(
    *,
    media_urls: list[str],
    tip_id: int | None = None,
    message_id: int | None = None,
    backend: BaseSmsBackend | None = None,
) -> MediaOutcome:
    """Store each media item of one inbound MMS as an Attachment of its tip or message.

    Safe to run twice: an item already stored is remembered and skipped. A file the web form
    would refuse (type, size) is not stored, and is deleted at Twilio all the same.
    Raises MediaTransientError for network trouble and 5xx, for the task to retry.
    """

    tip = Tip.objects.select_related("case").filter(id=tip_id).first() if tip_id else None
    message = (
        Message.objects.select_related("case").filter(id=message_id).first() if message_id else None
    )
    owner = tip or message
    outcome = MediaOutcome()
    if owner is None:
        return outcome
    backend = backend or sms_backend()
    # One message's pictures share one pixel budget, as one web form's files do.
    budget = PixelBudget()
    for index, media_url in enumerate(media_urls):
        if cache.get(_done_key(media_url)):
            continue
        try:
            data, _content_type = backend.media_fetch(
                media_url=media_url, max_bytes=MAX_UPLOAD_BYTES
            )
        except httpx.HTTPStatusError as error:
            if error.response.status_code >= 500:
                raise MediaTransientError(str(error.response.status_code)) from None
            logger.warning(
                "mms media not fetched", extra={"status_code": error.response.status_code}
            )
            continue
        except httpx.TransportError as error:
            raise MediaTransientError(type(error).__name__) from None
        except ValueError:
            data = None  # too large, or not this account's media: refused like an upload
        if data is not None and len(outcome.stored) >= MAX_FILES:
            data = None  # the web form's limit on files per tip
        if data is not None:
            try:
                clean = upload_clean(ContentFile(data, name=f"mms-{index + 1}"), budget=budget)
                attachment = attachment_store(
                    case=case_surviving(owner.case), upload=clean, tip=tip, message=message
                )
                outcome.stored.append(attachment.id)
            except ValidationError:
                data = None
        if data is None:
            outcome.rejected += 1
            logger.info("mms media refused", extra={"event": "mms_refused", "count": 1})
        cache.set(_done_key(media_url), 1, timeout=DONE_SECONDS)
        if settings.TWILIO_DELETE_MEDIA:
            try:
                backend.media_delete(media_url=media_url)
            except SendFailure as failure:
                if failure.transient:
                    raise MediaTransientError(failure.reason) from None
                logger.warning("mms media not deleted at Twilio", extra={"event": failure.reason})
    return outcome
