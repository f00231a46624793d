"""What the SMS tests share: Twilio-shaped webhooks signed with the SDK's own validator, a
fake at the SDK's HttpClient seam that records the real requests, and the recorded media."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import httpx
from django.conf import settings
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

FIXTURES = Path(__file__).parent / "fixtures"
INBOUND_PATH = "/sms/twilio/inbound/"
TIPSTER = "+15555550100"
SCHOOL_A_NUMBER = "+13035550001"
SCHOOL_B_NUMBER = "+13035550002"
DISTRICT_NUMBER = "+13035550000"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def inbound_params(body: str, *, sender: str = TIPSTER, to: str = SCHOOL_A_NUMBER, **extra):
    """Every parameter Twilio sends with an inbound SMS, location fields included."""
    sid = extra.pop("MessageSid", None) or new_sid()
    params = {
        "ToCountry": "US",
        "ToState": "CO",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "DENVER",
        "FromZip": "80999",
        "SmsSid": sid,
        "FromState": "CO",
        "SmsStatus": "received",
        "FromCity": "SPRINGFIELDTOWN",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "80202",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    params.update(extra)
    return params


def sign(url: str, params: dict, token: str | None = None) -> str:
    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def post_signed(client, params: dict, *, path: str = INBOUND_PATH, **headers):
    signature = sign(settings.PUBLIC_BASE_URL + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature, **headers)


def text(client, body: str, **kwargs):
    """One signed inbound SMS through the real webhook; returns the response."""
    return post_signed(client, inbound_params(body, **kwargs))


def replies(response) -> list[str]:
    from xml.etree import ElementTree

    return [node.text for node in ElementTree.fromstring(response.content).iter("Message")]  # noqa: S314


class FakeTwilioHttp(HttpClient):
    """The SDK's HttpClient interface, answering from a script and recording each request."""

    def __init__(self, *responses):
        super().__init__(logger=None, is_async=False)
        self.script = list(responses)
        self.requests: list[dict] = []

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append({"method": method, "url": uri, "data": dict(data or {}), "auth": auth})
        answer = self.script.pop(0) if self.script else message_json("queued")
        if isinstance(answer, Exception):
            raise answer
        return answer


def message_json(status: str = "queued", sid: str = "SM" + "a" * 32) -> Response:
    return Response(201, json.dumps({"sid": sid, "status": status}))


def error_json(status: int, code: int | None = None) -> Response:
    return Response(status, json.dumps({"code": code, "message": "error", "status": status}))


def recorded_media_transport(record_requests: list | None = None):
    """httpx transport replaying tests/tipline/fixtures/twilio_media_response.json."""
    recording = json.loads((FIXTURES / "twilio_media_response.json").read_text())
    by_host = {item["request"]["host"]: item["response"] for item in recording["exchanges"]}

    def handler(request: httpx.Request) -> httpx.Response:
        if record_requests is not None:
            record_requests.append(request)
        answer = by_host.get(request.url.host)
        if answer is None:
            return httpx.Response(404)
        content = (FIXTURES / answer["body_file"]).read_bytes() if "body_file" in answer else b""
        return httpx.Response(answer["status"], headers=answer["headers"], content=content)

    return httpx.MockTransport(handler), recording["media_url"]
