"""A submission leaves the client address and user agent nowhere: database, files, logs."""

import io
import logging

import pytest
from django.apps import apps
from django.db import connection

from config.logging import JsonLineFormatter
from tipline.models import Case
from tipline.services.cases import message_to_reporter

from .web_helpers import (
    png_file,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (DistinctiveAgent-7Q3Z; Phone) Tipster/9.9"
META = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT, "HTTP_X_FORWARDED_FOR": ADDRESS}


@pytest.fixture
def log_output():
    """Everything logged anywhere (root and Django's non-propagating loggers), as formatted."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    loggers = [logging.getLogger(name) for name in ("", "django", "django.server", "tipline")]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _all_text_in_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            chunks.extend(" ".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_it_leaves_the_address_and_agent_nowhere(client, personas, log_output, capsys, tmp_path):
    response = client.post(
        "/s/lincoln-high/", {**tip_payload(), "files": [png_file()]}, follow=True, **META
    )
    code = response.context["receipt_code"]
    client.post("/s/lincoln-high/", {}, **META)  # an invalid one too
    client.post("/followup/", {"code": "AAAA-BBBB-CCCC-DDDD"}, **META)
    client.post("/followup/", {"code": code}, **META)
    case = Case.objects.get()
    message_to_reporter(
        case=case, reporter=case.tips.get().reporter, body="hi", author=personas.counselor_a
    )
    client.post("/followup/thread/", {"body": "reply"}, **META)
    client.get("/does-not-exist/", **META)
    database = _all_text_in_database()
    logs = log_output.getvalue()
    assert "Not Found: /does-not-exist/" in logs  # the capture works
    captured = capsys.readouterr()
    files = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    for needle in (ADDRESS, "DistinctiveAgent", "7Q3Z"):
        assert needle not in database
        assert needle not in logs
        assert needle not in captured.out + captured.err
        assert needle.encode() not in files
    assert code not in logs and code not in captured.out + captured.err
