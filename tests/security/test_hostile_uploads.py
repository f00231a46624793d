"""Hostile files at the public endpoints that take them (the tip form and the follow-up
answer), beside tests/security/test_hostile_input.py: PDFs carrying active content are
stored rebuilt without it, the ones that cannot be rebuilt safely are refused with a clear
message and store nothing, and nothing of a file reaches the log."""

import io
import logging

import pytest
from django.test import Client

from config.logging import JsonLineFormatter
from tipline.attachments import attachment_path, attachment_read
from tipline.models import Attachment, Case, Message, Reporter, Tip

from ..tipline.pdf_samples import HELLO, HOSTILE, REFUSED, pdf
from ..tipline.web_helpers import (
    huge_png,
    receipt_code_from,
    submit_tip,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def _stored() -> tuple:
    return tuple(model.objects.count() for model in (Tip, Case, Reporter, Message, Attachment))


def _file(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.mark.parametrize("label", list(HOSTILE))
def test_it_stores_a_hostile_pdf_rebuilt_and_encrypted(client, personas, label):
    data, forbidden = HOSTILE[label]
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [_file(data, "a.pdf")]})
    assert response.status_code == 303
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert b"%PDF" not in attachment_path(attachment).read_bytes()
    stored = attachment_read(attachment)
    assert HELLO in stored
    assert [needle for needle in forbidden if needle in stored] == []


@pytest.mark.parametrize("label", list(REFUSED))
def test_it_refuses_a_pdf_it_cannot_rebuild_and_stores_no_part_of_the_tip(client, personas, label):
    response = client.post(
        "/s/lincoln-high/", {**tip_payload(), "files": [_file(REFUSED[label], "b.pdf")]}
    )
    assert response.status_code == 400
    assert "“b.pdf” could not be read as a PDF we can accept" in response.content.decode()
    assert _stored() == (0, 0, 0, 0, 0)


def test_it_rebuilds_a_hostile_pdf_sent_as_a_follow_up_answer(client, personas):
    code = receipt_code_from(submit_tip(client))
    client.post("/followup/", {"code": code})
    data, forbidden = HOSTILE["name-escaped Launch in a link"]
    response = client.post("/followup/thread/", {"body": "see", "files": [_file(data, "c.pdf")]})
    assert response.status_code == 302
    stored = attachment_read(Attachment.objects.get(message__isnull=False))
    assert HELLO in stored and not any(needle in stored for needle in forbidden)


@pytest.fixture
def every_log_line():
    """Everything any logger would write, through the project's formatter, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    loggers = [logging.getLogger(name) for name in ("", "django", "tipline", "pypdf")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
    logging.getLogger("").setLevel(logging.DEBUG)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_it_logs_nothing_of_a_pdf_s_content(personas, every_log_line):
    """pypdf quotes what it repairs ("FloatObject (b'555.0177.2024') invalid"): a number
    written in a student's file must not reach the log, whatever the logger's handlers."""
    repaired = pdf(page=b"/UserUnit 555.0177.2024")
    refused = pdf(page=b"/UserUnit 555.0177.2024", resources=b"/X << /JS (555.0199.2024) >>")
    client = Client(raise_request_exception=False)
    for data, status in ((repaired, 303), (refused, 400)):
        payload = {**tip_payload(), "files": [_file(data, "d.pdf")]}
        assert client.post("/s/lincoln-high/", payload).status_code == status
        client.cookies.clear()
    logs = every_log_line.getvalue()
    assert "pdf refused" in logs, "the capture works"
    assert "0177" not in logs and "0199" not in logs


def test_it_answers_a_flood_of_bombs_from_one_client_with_429_after_its_limit(
    client, personas, settings
):
    settings.TIPLINE_TIPS_PER_CLIENT = 2
    bomb = huge_png(6300, 6300)
    statuses = [
        client.post(
            "/s/lincoln-high/", {**tip_payload(), "files": [_file(bomb, "x.png")]}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 429, 429]
    assert _stored() == (0, 0, 0, 0, 0)
