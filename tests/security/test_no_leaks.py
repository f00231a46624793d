"""No leaks: after the web and SMS journeys, the tipster's client address, user agent and phone
number appear nowhere: not in any text column of any table, not in the log output, not in the
files written, not in what the console backends printed."""

import io
import logging
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from config.logging import JsonLineFormatter
from tipline.models import Attachment, Message, Reporter, Tip
from tipline.services.cases import message_to_reporter
from tipline.sms import backends
from tipline.upload_handlers import MAX_REQUEST_BYTES

from ..tipline.sms_support import (  # noqa: F401
    inbound_params,
    numbers,
    post_signed,
    sms_fresh_state,
)
from ..tipline.web_helpers import (  # noqa: F401
    pdf_file,
    png_file,
    receipt_code_from,
    tip_payload,
    web_env,
)

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ADDRESS = "203.0.113.197"
CLIENT_ADDRESS_V6 = "2001:db8:dead:beef::197"
USER_AGENT = "LeakProbe/9.7 (X11; Zq81-distinctive-agent)"
PHONE = "+15555550177"
# Every spelling of the secrets that would betray them.
NEEDLES = [
    CLIENT_ADDRESS,
    CLIENT_ADDRESS_V6,
    "dead:beef",
    USER_AGENT,
    "Zq81-distinctive",
    PHONE,
    PHONE[1:],
    PHONE[2:],
    "555-0177",
]
HEADERS = {
    "REMOTE_ADDR": CLIENT_ADDRESS,
    "HTTP_USER_AGENT": USER_AGENT,
    "HTTP_X_FORWARDED_FOR": f"{CLIENT_ADDRESS_V6}, {CLIENT_ADDRESS}",
    "HTTP_X_REAL_IP": CLIENT_ADDRESS,
}


@pytest.fixture
def captured_logs():
    """Everything any logger writes, through the project's own formatter, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.setLevel(logging.DEBUG)
    names = ["", "django", "django.request", "django.server", "celery", "twilio", "tipline"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def _web_journey(client, personas):
    files = [png_file(), pdf_file()]
    payload = {**tip_payload(body="Someone has a knife in the gym."), "files": files}
    response = client.post("/s/lincoln-high/", payload, follow=True, **HEADERS)
    assert response.status_code == 200
    code = receipt_code_from(response)
    client.get("/", **HEADERS)
    client.get("/schools/search/?q=lincoln", **HEADERS)
    client.post("/followup/", {"code": "WRONG-CODE-0000-0000"}, **HEADERS)
    assert client.post("/followup/", {"code": code}, **HEADERS).status_code == 302
    reply = {"body": "It was in his locker.", "files": [png_file("more.png")]}
    assert client.post("/followup/thread/", reply, **HEADERS).status_code in (200, 302)
    client.get("/does-not-exist/", **HEADERS)
    too_large = {"CONTENT_LENGTH": str(MAX_REQUEST_BYTES + 1), "wsgi.input": io.BytesIO()}
    assert client.post("/s/lincoln-high/", **too_large, **HEADERS).status_code == 413


def _sms_journey(client, personas):
    sms_headers = {"HTTP_USER_AGENT": USER_AGENT, "REMOTE_ADDR": CLIENT_ADDRESS}
    for body in ("There is a gun in a car in the lot", "It is a red truck", "STOP", "START"):
        params = inbound_params(body, sender=PHONE, FromCity="SPRINGFIELDTOWN")
        assert post_signed(client, params, **sms_headers).status_code == 200
    reporter = Reporter.objects.get(channel="sms")
    reply = message_to_reporter(
        case=reporter.tips.first().case,
        reporter=reporter,
        body="Thank you. Are you safe?",
        author=personas.counselor_a,
    )
    message = Message.objects.get(id=reply.id)
    status_path = f"/sms/twilio/status/{message.id}/"
    params = {"MessageSid": message.provider_sid or "SM" + "f" * 32, "MessageStatus": "delivered"}
    params.update({"To": PHONE, "From": "+13035550001", "AccountSid": "AC" + "0" * 32})
    post_signed(client, params, path=status_path, **sms_headers)
    return backends.outbox


def _database_text() -> str:
    """Every value of every column of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(
                    value.decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
                    for value in row
                    if value is not None
                )
    return "\n".join(chunks)


def _files_text(root: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("latin-1") for path in root.rglob("*") if path.is_file()
    )


def _found(haystack: str) -> list[str]:
    lowered = haystack.lower()
    return [needle for needle in NEEDLES if needle.lower() in lowered]


@override_settings(DEBUG=False, LOG_LEVEL="DEBUG")
def test_it_leaves_no_client_address_agent_or_number_anywhere(
    client,
    personas,
    numbers,  # noqa: F811
    settings,
    captured_logs,
    capsys,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "tipline.sms.backends.ConsoleBackend"
    # Behind a proxy: the client address is read from X-Forwarded-For, and still kept nowhere.
    settings.TRUSTED_PROXY_COUNT = 1
    _web_journey(client, personas)
    client.cookies.clear()
    _sms_journey(client, personas)
    printed = capsys.readouterr()

    database = _database_text()
    assert Reporter.objects.filter(channel="sms").count() == 1, "the SMS journey ran"
    assert Tip.objects.count() == 2 and Attachment.objects.count() == 3
    assert "Are you safe?" in printed.out, "the reply went out through the console backend"
    assert "Someone has a knife" not in database, "bodies are encrypted at rest"
    assert _found(database) == [], "found in the database"
    logs = captured_logs.getvalue()
    assert logs, "the journeys logged something (the capture works)"
    assert _found(logs) == [], "found in the log output"
    files = _files_text(tmp_path)
    assert list(tmp_path.rglob("*.enc")) or files, "attachments were written"
    assert _found(files) == [], "found in MEDIA_ROOT"
    assert _found(printed.out + printed.err) == [], "found on stdout/stderr"


def test_it_would_notice_a_leak(personas):
    """The scan itself works: a value written in clear is found."""
    from accounts.models import School

    School.objects.filter(id=personas.school_a.id).update(name=f"Leak {CLIENT_ADDRESS}")
    assert CLIENT_ADDRESS in _found(_database_text())


def test_it_keeps_client_addresses_out_of_the_gunicorn_access_log():
    from config import gunicorn

    for atom in ("%(h)", "%(a)", "%(r)", "%(q)", "%(f)", "%(U)s?", "i)s"):
        assert atom not in gunicorn.access_log_format
