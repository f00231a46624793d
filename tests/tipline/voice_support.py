"""What the voice tests share: Twilio's recorded call webhooks signed with the SDK's own
validator, a reader for the TwiML answers (what the caller hears, where the call goes
next), and the recorded recording fetch and delete, replayed at the backend's two seams."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx
from django.conf import settings
from twilio.http.response import Response

from .sms_support import FIXTURES, TIPSTER, FakeTwilioHttp, message_json, sign

PAYLOADS = json.loads((FIXTURES / "twilio_voice_payloads.json").read_text())
RECORDING = json.loads((FIXTURES / "twilio_recording_response.json").read_text())
WAV = FIXTURES / "twilio_recording_RE7a11.wav"
CALL_SID = PAYLOADS["call_sid"]
INBOUND_PATH = "/voice/twilio/inbound/"
STATUS_PATH = "/voice/twilio/recording-status/"


def payload(kind: str, *, to: str, sender: str = TIPSTER, call_sid: str = CALL_SID, **fills):
    """A recorded webhook's parameters for this call."""
    params = {}
    for key, value in PAYLOADS[kind].items():
        value = value.replace("{from}", sender).replace("{to}", to)
        for name, fill in fills.items():
            value = value.replace("{" + name + "}", fill)
        params[key] = value
    params["CallSid"] = call_sid
    return params


@dataclass
class Heard:
    """A TwiML answer read as the caller lives it."""

    says: list[tuple[str, str, str]] = field(default_factory=list)  # (text, voice, language)
    gather: dict | None = None
    gather_says: int = 0  # sentences said inside the Gather (a key cuts them short)
    redirect: str | None = None
    dial: dict | None = None
    record: dict | None = None
    hangup: bool = False

    @property
    def text(self) -> str:
        return " ".join(text for text, _voice, _language in self.says)

    def spoken_in(self, language: str) -> str:
        return " ".join(text for text, _voice, lang in self.says if lang == language)


def heard(response) -> Heard:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314
    assert root.tag == "Response"
    result = Heard()
    for node in root.iter():
        if node.tag == "Say":
            result.says.append((node.text or "", node.get("voice", ""), node.get("language", "")))
        elif node.tag == "Gather":
            result.gather = dict(node.attrib)
            result.gather_says = len(node.findall("Say"))
        elif node.tag == "Redirect":
            result.redirect = node.text
        elif node.tag == "Dial":
            result.dial = {**node.attrib, "numbers": [n.text for n in node.iter("Number")]}
        elif node.tag == "Record":
            result.record = dict(node.attrib)
        elif node.tag == "Hangup":
            result.hangup = True
    return result


def post_call(client, path: str, params: dict, *, token: str | None = None):
    """POST a call webhook to `path` (with its query), signed as Twilio signs the URL it
    calls: PUBLIC_BASE_URL + path + query."""
    url = urljoin(settings.PUBLIC_BASE_URL + "/", path.lstrip("/"))
    signature = sign(url, params, token)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


class Caller:
    """One caller walking the call flow through the real webhooks, as Twilio would."""

    def __init__(self, client, to: str, *, call_sid: str = CALL_SID, sender: str = TIPSTER):
        self.client, self.to, self.call_sid, self.sender = client, to, call_sid, sender

    def params(self, kind: str, **fills) -> dict:
        return payload(kind, to=self.to, sender=self.sender, call_sid=self.call_sid, **fills)

    def dial_in(self) -> Heard:
        return heard(post_call(self.client, INBOUND_PATH, self.params("inbound")))

    def press(self, at: Heard, digits: str) -> Heard:
        """Key `digits` into the Gather of the last answer."""
        assert at.gather is not None, at
        return heard(
            post_call(self.client, at.gather["action"], self.params("gather", digits=digits))
        )

    def wait(self, at: Heard) -> Heard:
        """Say nothing: Twilio follows the answer's Redirect."""
        assert at.redirect is not None, at
        return heard(post_call(self.client, at.redirect, self.params("redirect")))

    def dial_ends(self, at: Heard, status: str) -> Heard:
        assert at.dial is not None, at
        params = self.params("dial_action", dial_status=status)
        return heard(post_call(self.client, at.dial["action"], params))

    def finish_recording(self, at: Heard, **overrides) -> Heard:
        assert at.record is not None, at
        params = {**self.params("record_action"), **overrides}
        return heard(post_call(self.client, at.record["action"], params))

    def recording_ready(self, at: Heard, **overrides):
        assert at.record is not None, at
        params = {**payload("recording_status", to=self.to, call_sid=self.call_sid), **overrides}
        return post_call(self.client, at.record["recordingStatusCallback"], params)

    def leave_message(self, language_digit: str = "", **overrides) -> Heard:
        """Dial in, choose the language, wait through the menu, record: the receipt."""
        welcome = self.dial_in()
        menu = self.press(welcome, language_digit) if language_digit else self.wait(welcome)
        record = self.wait(menu)
        receipt = self.finish_recording(record, **overrides)
        self.recording_ready(record)
        return receipt


def receipt_code_heard(receipt: Heard) -> str:
    """The 16-digit code read digit by digit ("1 2 3 4, 5 6 7 8, ...") as typed on the web."""
    for text, _voice, _language in receipt.says:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) == 16:
            return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
    raise AssertionError(f"no receipt code in {receipt.says}")


def recording_transport(seen: list | None = None) -> httpx.MockTransport:
    """httpx transport replaying the recorded GET of the recording (302 to the CDN, WAV)."""
    by_host = {
        item["request"]["host"]: item
        for item in RECORDING["exchanges"]
        if item["request"]["method"] == "GET"
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        item = by_host.get(request.url.host)
        if item is None or item["request"].get("path", request.url.path) != request.url.path:
            return httpx.Response(404)
        answer = item["response"]
        content = (FIXTURES / answer["body_file"]).read_bytes() if "body_file" in answer else b""
        return httpx.Response(answer["status"], headers=answer["headers"], content=content)

    return httpx.MockTransport(handler)


def recorded_delete() -> Response:
    [item] = [i for i in RECORDING["exchanges"] if i["request"]["method"] == "DELETE"]
    return Response(item["response"]["status"], item["response"]["body"])


class FakeTwilioVoiceHttp(FakeTwilioHttp):
    """The SDK seam answering a recording's DELETE with the recorded 204, and anything else
    (the call-down's texts) as a queued message."""

    def request(self, method, uri, *args, **kwargs):
        if method == "DELETE" and "/Recordings/" in uri:
            self.script = [recorded_delete()]
        else:
            self.script = [message_json("queued")]
        return super().request(method, uri, *args, **kwargs)


def twilio_recording_backend(settings_fixture) -> dict:
    """The Twilio backend with both seams replaying the recorded exchanges."""
    seen: list = []
    rest = FakeTwilioVoiceHttp()
    settings_fixture.SMS_BACKEND = "tipline.sms.backends.TwilioBackend"
    settings_fixture.SMS_BACKEND_OPTIONS = {
        "http_client": rest,
        "media_http_client": httpx.Client(transport=recording_transport(seen)),
    }
    return {"seen": seen, "rest": rest}
