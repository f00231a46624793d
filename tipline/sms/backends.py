"""Where outbound texts go, chosen by SMS_BACKEND the way Django chooses an email backend.

- ConsoleBackend (the default of `make run`): prints each text as a framed block
  (accounts/console.py), with the number masked.
- LocmemBackend (tests): keeps texts in `outbox`.
- TwilioBackend (production): the Messages API through tipline.twilio_client.

`sms_backend()` builds the configured class with SMS_BACKEND_OPTIONS as keyword arguments,
which is how tests hand the Twilio backend a fake SDK `http_client` and an `httpx.Client`
serving recorded media.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from accounts.console import console_block_write
from cases.sms_transport import SendFailure, SentMessage, SmsBackend
from cases.sms_transport import sms_backend as configured_backend

from .. import twilio_client

__all__ = ["SendFailure", "SentMessage", "sms_backend"]

LOCAL_MEDIA_HOSTS = frozenset({"127.0.0.1", "localhost"})


@dataclass(frozen=True)
class OutboundText:
    to: str
    body: str
    status_callback: str
    from_number: str


def masked(number: str) -> str:
    """What a console may show of a phone number: its last two digits."""
    return "…" + number[-2:] if number else ""


class BaseSmsBackend(SmsBackend):
    """Send one text (cases.sms_transport's interface); fetch and delete MMS media.
    Subclasses override what they support."""

    def media_fetch(self, *, media_url: str, max_bytes: int) -> tuple[bytes, str]:
        """(content, content type) of an MMS item. Development backends read only media
        served on this machine (what `sms_simulate --media` serves), without credentials."""
        parts = urlsplit(media_url)
        if parts.scheme != "http" or parts.hostname not in LOCAL_MEDIA_HOSTS:
            raise ValueError("Development SMS backends fetch media from this machine only.")
        with httpx.Client(timeout=10) as client:
            response = client.get(media_url)
            response.raise_for_status()
        if len(response.content) > max_bytes:
            raise ValueError("Media is larger than the attachment limit.")
        return response.content, response.headers.get("content-type", "").split(";")[0]

    def media_delete(self, *, media_url: str) -> None:
        """Nothing to delete outside Twilio."""

    def recording_fetch(self, *, recording_url: str, max_bytes: int) -> tuple[bytes, str]:
        """A call recording, read like MMS media: development backends read only what is
        served on this machine (what `voice_simulate` serves)."""
        return BaseSmsBackend.media_fetch(self, media_url=recording_url, max_bytes=max_bytes)

    def recording_delete(self, *, recording_url: str) -> None:
        """Nothing to delete outside Twilio."""


class ConsoleBackend(BaseSmsBackend):
    _sids = itertools.count(1)

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to, body, status_callback, from_number=""):
        sid = f"SMconsole{next(self._sids):023d}"
        console_block_write(
            stream=self.stream,
            kind="SMS",
            header=f"to {masked(to)} ({sid})",
            lines=body.splitlines(),
        )
        return SentMessage(sid=sid, status="sent")


# Texts the locmem backend "sent", newest last; tests clear it between runs.
outbox: list[OutboundText] = []


class LocmemBackend(BaseSmsBackend):
    _sids = itertools.count(1)

    def send(self, *, to, body, status_callback, from_number=""):
        outbox.append(OutboundText(to, body, status_callback, from_number))
        return SentMessage(sid=f"SMlocmem{next(self._sids):024d}", status="queued")


class TwilioBackend(BaseSmsBackend):
    def __init__(
        self,
        http_client: twilio_client.HttpClient | None = None,
        media_http_client: httpx.Client | None = None,
    ):
        self.http_client = http_client
        self.media_http_client = media_http_client

    def send(self, *, to, body, status_callback, from_number=""):
        return twilio_client.message_create(
            to=to,
            body=body,
            status_callback=status_callback,
            from_number=from_number,
            http_client=self.http_client,
        )

    def media_fetch(self, *, media_url, max_bytes):
        if self.media_http_client is not None:
            return twilio_client.media_fetch(
                media_url=media_url, http_client=self.media_http_client, max_bytes=max_bytes
            )
        with httpx.Client(timeout=settings.TWILIO_HTTP_TIMEOUT) as client:
            return twilio_client.media_fetch(
                media_url=media_url, http_client=client, max_bytes=max_bytes
            )

    def media_delete(self, *, media_url):
        # A URL outside our account was never fetched, and is not ours to delete.
        if twilio_client.media_url_is_ours(media_url):
            twilio_client.media_delete(media_url=media_url, http_client=self.http_client)

    def recording_fetch(self, *, recording_url, max_bytes):
        if self.media_http_client is not None:
            return twilio_client.recording_fetch(
                recording_url=recording_url,
                http_client=self.media_http_client,
                max_bytes=max_bytes,
            )
        with httpx.Client(timeout=settings.TWILIO_HTTP_TIMEOUT) as client:
            return twilio_client.recording_fetch(
                recording_url=recording_url, http_client=client, max_bytes=max_bytes
            )

    def recording_delete(self, *, recording_url):
        if twilio_client.recording_url_is_ours(recording_url):
            twilio_client.recording_delete(
                recording_url=recording_url, http_client=self.http_client
            )


def sms_backend() -> BaseSmsBackend:
    """SMS_BACKEND, built with SMS_BACKEND_OPTIONS (one of the classes above)."""
    return configured_backend()
