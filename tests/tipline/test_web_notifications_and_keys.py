"""Counselor emails are safe to run twice and survive a dead broker; keys rotate."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.db import connection
from kombu.exceptions import OperationalError

from cases.models import Case, Notice
from cases.services.notices import notices_send
from cases.tasks import notices_send_task
from tipline import attachments
from tipline.models import Tip

from .web_helpers import png_file, submit_tip, tip_payload

pytestmark = pytest.mark.django_db


def test_it_sends_the_email_once_even_when_run_twice(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submit_tip(client)
    case = Case.objects.get()
    ids = list(Notice.objects.filter(case=case).values_list("id", flat=True))
    assert notices_send(notice_ids=ids) == 1
    assert notices_send(notice_ids=ids) == 0
    assert len(mail.outbox) == 1
    assert Notice.objects.get(case=case).status == Notice.Status.SENT


def test_it_keeps_the_tip_when_the_broker_is_down(
    client, personas, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    # The seam is Celery's own publish call: it raises what kombu raises when Redis is gone.
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(notices_send_task, "apply_async", broker_down)
    # Attached to the module's logger itself: other tests may stop propagation upwards.
    web_logger = logging.getLogger("cases.queueing")
    web_logger.addHandler(caplog.handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = submit_tip(client, body="secret body text")
    finally:
        web_logger.removeHandler(caplog.handler)
    assert response.status_code == 200 and response.context["receipt_code"]
    assert Tip.objects.get().body == "secret body text"
    assert "could not queue the counselor notices" in caplog.text
    assert "secret body text" not in caplog.text
    assert mail.outbox == []


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_it_rotates_fields_and_files_to_the_newest_key(client, personas, settings):
    client.post("/s/lincoln-high/", {**tip_payload(body="rotate me"), "files": [png_file()]})
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    old_tokens = _raw("tipline_tip", "body")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys")
    new_tokens = _raw("tipline_tip", "body")
    assert new_tokens != old_tokens
    assert Fernet(new_key).decrypt(new_tokens[0].encode()) == b"rotate me"
    attachment = Tip.objects.get().attachments.get()
    with attachments.attachment_storage().open(attachment.storage_name) as stored:
        Fernet(new_key).decrypt(stored.read())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Tip.objects.get().body == "rotate me"
    assert attachments.attachment_read(attachment).startswith(b"\x89PNG")
