"""The one module that imports the Twilio SDK (one seam per outside service).

Everything Twilio-shaped passes through here: webhook signature checks, TwiML replies (texts
and calls), and the REST calls (send a message, delete a media item or a call recording). The
REST client is always built as `twilio.rest.Client(..., http_client=...)`, so tests hand in a
fake implementing the SDK's `HttpClient` interface and assert the exact request the SDK would
have sent.

Media downloads are the exception to the SDK seam: the SDK's HTTP response keeps text only,
so pictures and call recordings are fetched with an injected `httpx.Client` (see
`media_fetch`, `recording_fetch`).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from cases.sms_transport import SendFailure, SentMessage

__all__ = [
    "SIGNATURE_HEADER",
    "SIGNATURE_SETTINGS_HEADER",
    "HttpClient",
    "SendFailure",
    "SentMessage",
    "VoiceResponse",
    "media_delete",
    "media_fetch",
    "message_create",
    "recording_delete",
    "recording_fetch",
    "recording_url_is_ours",
    "signature_compute",
    "signature_is_valid",
    "twiml_messages",
]

logger = logging.getLogger(__name__)

# Twilio's error for "the recipient replied STOP": never retried, the thread is opted out.
ERROR_RECIPIENT_OPTED_OUT = 21610
# Twilio's media lives on its API host; we never send our credentials anywhere else.
MEDIA_HOSTS = frozenset({"api.twilio.com"})


# --- Webhook signatures --------------------------------------------------------------------


def signature_is_valid(*, url: str, params, signature: str, signature_settings: str = "") -> bool:
    """Whether a webhook was signed by Twilio for exactly `url` and `params`.

    Without X-Twilio-Webhooks-Signature-Settings the key is the account Auth Token and the
    hash HMAC-SHA1. With it (a Webhook Rule matched), the key is our SharedKey secret and the
    algorithm is the one the header names (the SDK supports HMAC_SHA1 and HMAC_SHA256). An
    empty key never validates: an HMAC under an empty key is forgeable by anyone.
    """
    if not signature:
        return False
    if signature_settings:
        secret = settings.TWILIO_WEBHOOK_SHARED_KEY
        algorithm = get_signature_algorithm(signature_settings)
    else:
        secret = settings.TWILIO_AUTH_TOKEN
        algorithm = HMAC_SHA1
    if not secret:
        return False
    return RequestValidator(secret).validate(url, params, signature, algorithm=algorithm)


def signature_compute(*, url: str, params: dict, secret: str, algorithm: str = HMAC_SHA1) -> str:
    """The X-Twilio-Signature Twilio would send (used by `sms_simulate`)."""
    return RequestValidator(secret).compute_signature(url, params, algorithm)


# --- TwiML ---------------------------------------------------------------------------------


def twiml_messages(texts: list[str]) -> str:
    """A TwiML document replying with one <Message> per text; no text is an empty reply."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


# --- REST ----------------------------------------------------------------------------------


def http_client_default() -> HttpClient:
    return TwilioHttpClient(timeout=settings.TWILIO_HTTP_TIMEOUT)


def rest_client(*, http_client: HttpClient | None = None) -> Client:
    return Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=http_client or http_client_default(),
    )


def _failure_from_rest(error: TwilioRestException) -> SendFailure:
    code = int(error.code) if error.code is not None else None
    opted_out = code == ERROR_RECIPIENT_OPTED_OUT
    transient = not opted_out and (error.status >= 500 or error.status == 429)
    return SendFailure(
        reason=f"Twilio {error.status}" + (f" error {code}" if code else ""),
        code=code,
        transient=transient,
        opted_out=opted_out,
    )


def message_create(
    *,
    to: str,
    body: str,
    status_callback: str,
    from_number: str = "",
    http_client: HttpClient | None = None,
) -> SentMessage:
    """POST /Messages.json: through the messaging service when one is configured (Twilio
    then keeps one sender per recipient), else from `from_number` or TWILIO_FROM_NUMBER.

    Raises SendFailure; network errors and 5xx/429 are transient, 21610 means opted out.
    """
    sender: dict[str, str] = {}
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        sender["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
    else:
        sender["from_"] = from_number or settings.TWILIO_FROM_NUMBER
    if status_callback:
        # Staff notices need no delivery callback; Twilio rejects an empty one.
        sender["status_callback"] = status_callback
    try:
        message = rest_client(http_client=http_client).messages.create(to=to, body=body, **sender)
    except TwilioRestException as error:
        raise _failure_from_rest(error) from None
    except OSError as error:  # requests' ConnectionError and Timeout are OSErrors
        raise SendFailure(
            reason=f"Network error: {type(error).__name__}",
            code=None,
            transient=True,
            opted_out=False,
        ) from None
    return SentMessage(sid=message.sid, status=str(message.status or "queued"))


def _fetch_ours(*, url: str, http_client: httpx.Client, max_bytes: int) -> tuple[bytes, str]:
    """GET one of our account's files with its credentials, following Twilio's redirect to
    its CDN (httpx drops Authorization on a cross-host redirect)."""
    auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    with http_client.stream("GET", url, auth=auth, follow_redirects=True) as response:
        response.raise_for_status()
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ValueError("File is larger than the attachment limit.")
            chunks.append(chunk)
    return b"".join(chunks), content_type


def _our_account_path(url: str) -> list[str] | None:
    """The path segments after /2010-04-01/Accounts/{AccountSid}/ of an https URL on
    Twilio's API hosts for our own account, else None."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    if (
        parts.scheme != "https"
        or parts.hostname not in MEDIA_HOSTS
        or len(segments) < 3
        or segments[1] != "Accounts"
        or segments[2] != settings.TWILIO_ACCOUNT_SID
    ):
        return None
    return segments[3:]


def _media_path_parts(media_url: str) -> tuple[str, str] | None:
    """(MessageSid, MediaSid) of a Twilio media URL of our own account, else None."""
    # .../Messages/{MessageSid}/Media/{MediaSid}
    rest = _our_account_path(media_url)
    if rest is None or len(rest) != 4 or rest[0] != "Messages" or rest[2] != "Media":
        return None
    return rest[1], rest[3].removesuffix(".json")


def media_url_is_ours(media_url: str) -> bool:
    return _media_path_parts(media_url) is not None


def media_fetch(*, media_url: str, http_client: httpx.Client, max_bytes: int) -> tuple[bytes, str]:
    """Download one MMS media item with the account's credentials: (content, content type).

    Twilio answers with a redirect to its CDN; the credentials go to api.twilio.com only
    (httpx drops Authorization on a cross-host redirect). Raises ValueError for a URL that
    is not our account's media or a body over `max_bytes`, httpx.HTTPError for transport.
    """
    if not media_url_is_ours(media_url):
        raise ValueError("Not a media URL of this Twilio account.")
    return _fetch_ours(url=media_url, http_client=http_client, max_bytes=max_bytes)


def _delete_at_twilio(resource) -> None:
    """DELETE a Twilio resource (a media item, a recording): 404 is what we wanted (already
    gone); other refusals and network errors become SendFailure."""
    try:
        resource.delete()
    except TwilioRestException as error:
        if error.status != 404:
            raise _failure_from_rest(error) from None
    except OSError as error:
        raise SendFailure(
            reason=f"Network error: {type(error).__name__}",
            code=None,
            transient=True,
            opted_out=False,
        ) from None


def media_delete(*, media_url: str, http_client: HttpClient | None = None) -> None:
    """DELETE the media item at Twilio once we hold our own encrypted copy."""
    parts = _media_path_parts(media_url)
    if parts is None:
        raise ValueError("Not a media URL of this Twilio account.")
    message_sid, media_sid = parts
    account = rest_client(http_client=http_client).api.v2010.accounts(settings.TWILIO_ACCOUNT_SID)
    _delete_at_twilio(account.messages(message_sid).media(media_sid))


# --- Call recordings -----------------------------------------------------------------------


def recording_sid_of(recording_url: str) -> str | None:
    """The RecordingSid of a recording URL of our own account, else None.

    Twilio's RecordingUrl is /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid},
    sometimes with a format extension (.wav, .mp3, .json)."""
    rest = _our_account_path(recording_url)
    if rest is None or len(rest) != 2 or rest[0] != "Recordings":
        return None
    sid = rest[1].split(".", 1)[0]
    return sid if sid.startswith("RE") and sid.isalnum() else None


def recording_url_is_ours(recording_url: str) -> bool:
    return recording_sid_of(recording_url) is not None


def recording_fetch(
    *, recording_url: str, http_client: httpx.Client, max_bytes: int
) -> tuple[bytes, str]:
    """Download one call recording as WAV with the account's credentials: (content, type).

    Raises ValueError for a URL that is not our account's recording or a body over
    `max_bytes`, httpx.HTTPError for transport."""
    sid = recording_sid_of(recording_url)
    if sid is None:
        raise ValueError("Not a recording URL of this Twilio account.")
    base = recording_url.split("?", 1)[0].rsplit("/", 1)[0]
    return _fetch_ours(url=f"{base}/{sid}.wav", http_client=http_client, max_bytes=max_bytes)


def recording_delete(*, recording_url: str, http_client: HttpClient | None = None) -> None:
    """DELETE the recording at Twilio once we hold our own encrypted copy (404: already gone)."""
    sid = recording_sid_of(recording_url)
    if sid is None:
        raise ValueError("Not a recording URL of this Twilio account.")
    account = rest_client(http_client=http_client).api.v2010.accounts(settings.TWILIO_ACCOUNT_SID)
    _delete_at_twilio(account.recordings(sid))
