"""How a text leaves the building: SMS_BACKEND names a class, the way EMAIL_BACKEND does.

This is the interface the case workflow sends staff texts through (the call-down, missed
deadlines). The classes that implement it (console, locmem, Twilio) are tipline's
(tipline/sms/backends.py), next to the only module that imports the Twilio SDK; the setting
joins the two, exactly as Django's mail functions reach whatever EMAIL_BACKEND names, so the
workflow never imports the intake above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str


class SendFailure(Exception):
    """The provider did not take the message. `transient` failures are worth retrying."""

    def __init__(self, *, reason: str, code: int | None, transient: bool, opted_out: bool):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.transient = transient
        self.opted_out = opted_out


class SmsBackend:
    """Send one text; raise SendFailure when the provider refuses it."""

    def send(
        self, *, to: str, body: str, status_callback: str, from_number: str = ""
    ) -> SentMessage:
        raise NotImplementedError


def sms_backend() -> SmsBackend:
    """The configured backend, built with SMS_BACKEND_OPTIONS as keyword arguments."""
    return import_string(settings.SMS_BACKEND)(**settings.SMS_BACKEND_OPTIONS)
