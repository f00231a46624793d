"""`sms_simulate --media` keeps its picture served until the tip line has fetched it: with a
worker (`make run`), the fetch comes after the webhook has answered."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from twilio.request_validator import RequestValidator

from .sms_support import FIXTURES, INBOUND_PATH, TIPSTER

PHOTO = FIXTURES / "twilio_media_ME0f3c.jpg"
REPLY = b'<?xml version="1.0"?><Response><Message>got your tip</Message></Response>'


@pytest.fixture
def tip_line():
    """A stand-in tip line that answers at once and leaves the picture to fetch later."""
    answered = threading.Event()
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            params = {key: values[0] for key, values in parse_qs(body).items()}
            url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
            signature = self.headers.get("X-Twilio-Signature", "")
            valid = RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
            seen.append({"path": self.path, "valid": valid, **params})
            self.send_response(200 if valid else 403)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(REPLY)))
            self.end_headers()
            self.wfile.write(REPLY)
            answered.set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", answered, seen
    server.shutdown()
    server.server_close()


def test_it_serves_the_picture_until_it_is_fetched(tip_line):
    url, answered, seen = tip_line
    out = io.StringIO()
    arguments = ["--url", url, "--from", TIPSTER, "--to", "+13035550101"]
    command = threading.Thread(
        target=call_command,
        args=("sms_simulate", *arguments, "--media", str(PHOTO), "a photo of it"),
        kwargs={"stdout": out},
    )
    command.start()
    assert answered.wait(timeout=30)
    [webhook] = seen
    assert webhook["path"] == INBOUND_PATH and webhook["valid"]
    # The webhook has answered: a command that stopped serving the picture then would be done.
    command.join(timeout=1.0)
    assert command.is_alive(), "sms_simulate returned before its picture was fetched"

    picture = httpx.get(webhook["MediaUrl0"], timeout=10)
    assert picture.status_code == 200
    assert picture.content == PHOTO.read_bytes()
    command.join(timeout=30)
    assert not command.is_alive()
    assert out.getvalue().strip() == "got your tip"
