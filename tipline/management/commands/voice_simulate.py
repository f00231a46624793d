"""Call the running tip line as Twilio would: `manage.py voice_simulate --to +13035550101
--keys 2` (press 2 for Spanish, then leave a message).

Walks the call the server's TwiML describes, posting each step signed with
TWILIO_AUTH_TOKEN for exactly the URL it posts to (as Twilio signs the URL it calls), with
the parameters Twilio sends (the Caller*/From* location fields included, which the server
must drop). It prints what the caller would hear, in order, with the voice's language.

- Each <Gather> takes the next of `--keys` (space separated; `-` is silence, which
  follows the answer's <Redirect>); with no keys left, the caller stays silent.
- A <Dial> is printed and ends as `--dial-status` says (default: no-answer).
- A <Record> is answered with a small WAV served from this machine (`--recording file.wav`,
  or one second of tone made on the spot) for the server to fetch, as Twilio's recording
  would be; the recording-status callback follows, and the file stays served until fetched.

`--url` is the server (`http://127.0.0.1:8001`) or the inbound webhook itself.
"""

from __future__ import annotations

import io
import logging
import math
import secrets
import struct
import time
import wave
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tipline.management.simulation import files_server, webhook_url
from tipline.twilio_client import SIGNATURE_HEADER, signature_compute

RECORDING_WAIT_SECONDS = 60
MAX_STEPS = 30


def tone_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """`seconds` of a quiet 440 Hz tone, 8 kHz 16-bit mono: the format of Twilio's calls."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds * rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / rate)))
                for i in range(frames)
            )
        )
    return buffer.getvalue()


def wav_seconds(data: bytes) -> int:
    try:
        with wave.open(io.BytesIO(data)) as audio:
            return max(1, round(audio.getnframes() / audio.getframerate()))
    except (wave.Error, EOFError):
        return 1


class Command(BaseCommand):
    help = "Walk a signed, Twilio-shaped call through the running server; print what is said."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, help="A school or district tip-line number.")
        parser.add_argument("--from", dest="sender", default="+15555550100", help="E.164.")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="The server, or the inbound webhook (…/voice/twilio/inbound/).",
        )
        parser.add_argument(
            "--keys", default="", help='Keys for each prompt in turn, e.g. "2 1" or "- 3 1234…".'
        )
        parser.add_argument("--recording", default="", help="A WAV file to leave as the message.")
        parser.add_argument(
            "--dial-status",
            default="no-answer",
            choices=["completed", "no-answer", "busy", "failed"],
            help="How each <Dial> ends.",
        )
        parser.add_argument("--sid", default="", help="CallSid (default: a new one).")

    def handle(self, *args, **options):
        # What the caller hears (or the texter reads) is the output: httpx's line per request
        # would interleave with it.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if not settings.TWILIO_AUTH_TOKEN:
            raise CommandError("TWILIO_AUTH_TOKEN is empty: nothing to sign with.")
        if options["recording"]:
            path = Path(options["recording"])
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            self.recording = path.read_bytes()
        else:
            self.recording = tone_wav()
        self.keys = [key for key in options["keys"].split() if key]
        self.dial_status = options["dial_status"]
        self.call_sid = options["sid"] or "CA" + secrets.token_hex(16)
        self.account = settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32
        self.base = {
            "AccountSid": self.account,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "Direction": "inbound",
            "From": options["sender"],
            "Caller": options["sender"],
            "To": options["to"],
            "Called": options["to"],
            "FromCity": "DENVER",
            "FromState": "CO",
            "FromZip": "80202",
            "FromCountry": "US",
            "CallerCity": "DENVER",
            "CallerState": "CO",
            "CallerZip": "80202",
            "CallerCountry": "US",
            "ToCity": "DENVER",
            "ToState": "CO",
            "ToZip": "80202",
            "ToCountry": "US",
        }
        self.server = None
        try:
            self._walk(webhook_url(options["url"], "voice:inbound"))
        finally:
            if self.server is not None:
                self.server.shutdown()
                self.server.server_close()

    # --- the call ----------------------------------------------------------------------

    def _post(self, url: str, extra: dict) -> httpx.Response:
        params = {**self.base, **extra}
        signature = signature_compute(url=url, params=params, secret=settings.TWILIO_AUTH_TOKEN)
        try:
            response = httpx.post(
                url, data=params, headers={SIGNATURE_HEADER: signature}, timeout=30
            )
        except httpx.HTTPError as error:
            raise CommandError(f"Could not reach {url}: {error}") from None
        if response.status_code not in (200, 204):
            raise CommandError(f"The server answered {response.status_code}: {response.text[:200]}")
        return response

    def _walk(self, url: str) -> None:
        step: tuple[str, httpx.Response] | None = (url, self._post(url, {"CallStatus": "ringing"}))
        for _count in range(MAX_STEPS):
            url, response = step
            # The answer of our own server, not untrusted input.
            step = self._play(ElementTree.fromstring(response.content), url)  # noqa: S314
            if step is None:
                return
        raise CommandError(f"The call went on for more than {MAX_STEPS} steps.")

    def _next(self, url: str, action: str | None, extra: dict) -> tuple[str, httpx.Response]:
        """Post the next step (`action`, relative to the current `url`) as Twilio would."""
        target = urljoin(url, action or url)
        return target, self._post(target, {"CallStatus": "in-progress", **extra})

    def _say(self, node) -> None:
        self.stdout.write(f"[{node.get('language', '')}] {(node.text or '').strip()}")

    def _play(self, twiml, url: str) -> tuple[str, httpx.Response] | None:
        """Act out one TwiML answer: the next step's URL and answer, or None at the end."""
        for node in twiml:
            if node.tag == "Say":
                self._say(node)
            elif node.tag == "Pause":
                continue
            elif node.tag == "Gather":
                for inner in node.iter("Say"):
                    self._say(inner)
                key = self.keys.pop(0) if self.keys else "-"
                if key != "-":
                    self.stdout.write(f"  (caller presses {key})")
                    return self._next(url, node.get("action"), {"Digits": key})
                self.stdout.write("  (caller says nothing)")
            elif node.tag == "Redirect":
                return self._next(url, (node.text or "").strip(), {})
            elif node.tag == "Dial":
                numbers = [number.text for number in node.iter("Number")]
                self.stdout.write(f"  (ringing {', '.join(numbers)}: {self.dial_status})")
                extra = {
                    "DialCallStatus": self.dial_status,
                    "DialCallSid": "CA" + secrets.token_hex(16),
                }
                return self._next(url, node.get("action"), extra)
            elif node.tag == "Record":
                return self._record(node, url)
            elif node.tag == "Hangup":
                self.stdout.write("  (the line hangs up)")
                return None
        self.stdout.write("  (the call ends)")
        return None

    def _record(self, node, url: str) -> tuple[str, httpx.Response]:
        self.server = self.server or files_server(
            [(self.recording, "audio/x-wav")], pick=lambda path: 0
        )
        seconds = wav_seconds(self.recording)
        recording_sid = "RE" + secrets.token_hex(16)
        recording_url = f"http://127.0.0.1:{self.server.server_port}/recording/{recording_sid}"
        self.stdout.write(f"  (beep; the caller speaks for {seconds} s and presses #)")
        recording = {
            "RecordingSid": recording_sid,
            "RecordingUrl": recording_url,
            "RecordingDuration": str(seconds),
        }
        action, response = self._next(url, node.get("action"), {"Digits": "#", **recording})
        callback = node.get("recordingStatusCallback")
        if callback:
            self._post(
                urljoin(url, callback),
                {**recording, "RecordingStatus": "completed", "RecordingSource": "RecordVerb"},
            )
            deadline = time.monotonic() + RECORDING_WAIT_SECONDS
            if not self.server.fetched[0].wait(max(0.0, deadline - time.monotonic())):
                self.stderr.write(
                    f"The server did not fetch the recording within {RECORDING_WAIT_SECONDS} s:"
                    " is its Celery worker running?"
                )
        # The answer to the <Record> action is what the caller hears next.
        return action, response
