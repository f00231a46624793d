"""The notice outbox: a counselor's email is a Notice row before its task is queued; the sweep
queues again what the broker lost, and a re-queue never sends twice."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases.models import Notice
from cases.services.notices import notices_send
from cases.services.outbox import outbox_sweep
from cases.tasks import notices_send_task
from tests.tipline.web_helpers import submit_tip

pytestmark = pytest.mark.django_db


def _broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def _submit_with_broker_down(client, monkeypatch, capture):
    monkeypatch.setattr(notices_send_task, "apply_async", _broker_down)
    with capture(execute=True):
        submit_tip(client)
    monkeypatch.undo()
    return Notice.objects.get()


def test_it_writes_the_notice_row_with_the_tip_and_marks_it_sent(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_tip(client)
    notice = Notice.objects.get()
    assert (notice.status, notice.reason, notice.via) == ("pending", "new_tip", "email")
    assert notice.recipient == personas.counselor_a and notice.attempts == 1
    assert "Sign in" in notice.text and "vapes" not in notice.text
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT and notice.sent_at is not None
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_it_requeues_a_notice_the_broker_lost_once_it_is_overdue(
    client, personas, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_OVERDUE_SECONDS = 60
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    assert notice.status == Notice.Status.PENDING and mail.outbox == []
    assert outbox_sweep(now=_later(30)).notices == 0
    result = outbox_sweep(now=_later(61))
    assert (result.notices, result.broker_down) == (1, False)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT and notice.attempts == 2
    assert len(mail.outbox) == 1
    assert outbox_sweep(now=_later(600)).notices == 0
    assert len(mail.outbox) == 1


def test_it_never_sends_twice_when_the_lost_task_turns_up_after_all(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    outbox_sweep(now=_later(3600))
    notices_send_task.delay([notice.id])
    assert len(mail.outbox) == 1


def test_it_keeps_the_row_for_the_next_sweep_while_the_broker_is_down(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    monkeypatch.setattr(notices_send_task, "apply_async", _broker_down)
    result = outbox_sweep(now=_later(3600))
    assert (result.notices, result.broker_down) == (0, True)
    monkeypatch.undo()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING and notice.attempts == 1
    assert outbox_sweep(now=_later(3601)).notices == 1
    assert len(mail.outbox) == 1


def test_it_backs_off_a_row_that_waits_behind_a_long_queue(
    client, personas, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_OVERDUE_SECONDS = 60
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    # The broker takes the re-queued task but no worker gets to it yet.
    monkeypatch.setattr(notices_send_task, "apply_async", lambda *a, **k: None)
    start = notice.created_at
    assert outbox_sweep(now=start + timedelta(seconds=61)).notices == 1
    assert outbox_sweep(now=start + timedelta(seconds=61 + 100)).notices == 0
    assert outbox_sweep(now=start + timedelta(seconds=61 + 121)).notices == 1
    assert outbox_sweep(now=start + timedelta(seconds=61 + 121 + 200)).notices == 0
    notice.refresh_from_db()
    assert notice.attempts == 3 and notice.status == Notice.Status.PENDING


def test_it_leaves_notices_older_than_a_day_alone(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    assert outbox_sweep(now=_later(2 * 86400)).notices == 0
    assert mail.outbox == []


def test_it_takes_over_a_send_whose_worker_died_after_its_lease(
    client, personas, django_capture_on_commit_callbacks, settings
):
    settings.NOTICE_CLAIM_LEASE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):
        submit_tip(client)
    # A worker claimed the row (PENDING -> SENDING) and died before the provider answered.
    notice = Notice.objects.get()
    Notice.objects.filter(id=notice.id).update(
        status=Notice.Status.SENDING, claimed_until=timezone.now() + timedelta(seconds=60)
    )
    assert outbox_sweep(now=_later(30)).notices == 0  # its lease still holds
    assert outbox_sweep(now=_later(61)).notices == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT and len(mail.outbox) == 1


def test_it_retries_a_transient_email_failure_later_then_gives_up(
    client, personas, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2

    def smtp_down(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", smtp_down)
    with django_capture_on_commit_callbacks(execute=True):
        submit_tip(client)
    notice = Notice.objects.get()
    assert (notice.status, notice.error) == ("pending", "SMTPServerDisconnected")
    assert notice.claimed_until > timezone.now()  # due again later, not at once
    assert outbox_sweep(now=_later(3600)).notices == 1  # attempt 2: fails for good
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED and notice.attempts == 2
    assert notices_send(notice_ids=[notice.id]) == 0
