"""Text the running tip line as Twilio would: `manage.py sms_simulate --from +15555550100
--to +13035550101 "there is a fight planned after school"`.

`--url` is the server (`http://127.0.0.1:8001`) or the webhook itself
(`http://127.0.0.1:8001/sms/twilio/inbound/`). Signs the webhook with TWILIO_AUTH_TOKEN for
exactly the URL it posts to, as Twilio signs the URL it calls; a development server accepts
that on any port (accounts/public_address.py), a production one only for PUBLIC_BASE_URL.
Sends the parameters Twilio sends (location fields included, which the server must drop),
and prints the reply. `--media photo.jpg` serves the file from this machine for the server to
fetch, like an MMS.
"""

import logging
import mimetypes
import secrets
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tipline.management.simulation import files_server, webhook_url
from tipline.twilio_client import SIGNATURE_HEADER, signature_compute

# Pictures stay served after the reply until fetched, for at most this long: a server with a
# worker (`make run`) fetches them after it has answered.
MEDIA_WAIT_SECONDS = 60


def _all_fetched(events: list[threading.Event]) -> bool:
    deadline = time.monotonic() + MEDIA_WAIT_SECONDS
    return all(event.wait(max(0.0, deadline - time.monotonic())) for event in events)


class Command(BaseCommand):
    help = "Send a signed, Twilio-shaped SMS webhook to the running server and print the reply."

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", default="", help="The text message.")
        parser.add_argument("--from", dest="sender", required=True, help="E.164, +15555550100")
        parser.add_argument("--to", required=True, help="A school or district tip-line number.")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="The server, or the full webhook URL (…/sms/twilio/inbound/).",
        )
        parser.add_argument("--media", action="append", default=[], help="A picture to send.")
        parser.add_argument("--sid", default="", help="MessageSid (default: a new one).")

    def handle(self, *args, **options):
        # What the caller hears (or the texter reads) is the output: httpx's line per request
        # would interleave with it.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if not settings.TWILIO_AUTH_TOKEN:
            raise CommandError("TWILIO_AUTH_TOKEN is empty: nothing to sign with.")
        url = webhook_url(options["url"], "sms:twilio-inbound")
        sid = options["sid"] or "SM" + secrets.token_hex(16)
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
            "From": options["sender"],
            "To": options["to"],
            "Body": options["text"],
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
            "FromCity": "DENVER",
            "FromState": "CO",
            "FromZip": "80202",
            "FromCountry": "US",
            "ToCity": "DENVER",
            "ToState": "CO",
            "ToZip": "80202",
            "ToCountry": "US",
        }
        paths = [Path(media) for media in options["media"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        files = [
            (path.read_bytes(), mimetypes.guess_type(path.name)[0] or "image/jpeg")
            for path in paths
        ]
        server = files_server(files) if paths else None
        params["NumMedia"] = str(len(paths))
        for index, path in enumerate(paths):
            params[f"MediaUrl{index}"] = f"http://127.0.0.1:{server.server_port}/media/{index}"
            params[f"MediaContentType{index}"] = mimetypes.guess_type(path.name)[0] or ""
        signature = signature_compute(url=url, params=params, secret=settings.TWILIO_AUTH_TOKEN)
        try:
            response = httpx.post(
                url, data=params, headers={SIGNATURE_HEADER: signature}, timeout=30
            )
        except httpx.HTTPError as error:
            if server:
                server.shutdown()
            raise CommandError(f"Could not reach {url}: {error}") from None
        if server:
            if response.status_code == 200 and not _all_fetched(server.fetched):
                self.stderr.write(
                    f"The server did not fetch the picture(s) within {MEDIA_WAIT_SECONDS} s: "
                    "is its Celery worker running?"
                )
            server.shutdown()
        if response.status_code != 200:
            raise CommandError(f"The server answered {response.status_code}: {response.text[:200]}")
        # The reply of our own server, not untrusted input.
        twiml = ElementTree.fromstring(response.content)  # noqa: S314
        texts = [node.text or "" for node in twiml.iter("Message")]
        self.stdout.write("\n\n".join(texts) if texts else "(no reply)")
