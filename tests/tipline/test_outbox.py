"""The outbox: staff emails and SMS replies are rows before they are queued; the sweep queues
again what the broker lost, and a re-queue never sends twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases.models import OutboundNotice
from cases.services.outbox import outbox_sweep
from cases.tasks import case_counselors_email_task
from tipline.models import DeliveryStatus, Message, Reporter
from tipline.services.tips import message_to_reporter
from tipline.sms import backends
from tipline.tasks import sms_message_send

from .sms_support import numbers, sms_fresh_state, text  # noqa: F401
from .web_helpers import submit_tip, web_env  # noqa: F401

pytestmark = pytest.mark.django_db


def _broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def _submit_with_broker_down(client, monkeypatch, capture):
    monkeypatch.setattr(case_counselors_email_task, "apply_async", _broker_down)
    with capture(execute=True):
        submit_tip(client)
    monkeypatch.undo()
    return OutboundNotice.objects.get()


def test_it_writes_the_notice_row_with_the_tip_and_marks_it_sent(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_tip(client)
    notice = OutboundNotice.objects.get()
    assert notice.status == OutboundNotice.Status.PENDING and notice.reason == "new_tip"
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    notice.refresh_from_db()
    assert notice.status == OutboundNotice.Status.SENT and notice.sent_at is not None
    assert len(mail.outbox) == 1


def test_it_requeues_a_notice_the_broker_lost_once_it_is_overdue(
    client, personas, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_OVERDUE_SECONDS = 60
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    assert notice.status == OutboundNotice.Status.PENDING and mail.outbox == []
    assert outbox_sweep(now=_later(30)).notices == 0
    result = outbox_sweep(now=_later(61))
    assert (result.notices, result.broker_down) == (1, False)
    notice.refresh_from_db()
    assert notice.status == OutboundNotice.Status.SENT and notice.queue_count == 2
    assert len(mail.outbox) == 1
    assert outbox_sweep(now=_later(600)).notices == 0
    assert len(mail.outbox) == 1


def test_it_never_sends_twice_when_the_lost_task_turns_up_after_all(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    outbox_sweep(now=_later(3600))
    case_counselors_email_task.delay(notice.case_id, notice.reason, notice.ref)
    assert len(mail.outbox) == 1


def test_it_keeps_the_row_for_the_next_sweep_while_the_broker_is_down(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    monkeypatch.setattr(case_counselors_email_task, "apply_async", _broker_down)
    result = outbox_sweep(now=_later(3600))
    assert (result.notices, result.broker_down) == (0, True)
    monkeypatch.undo()
    notice.refresh_from_db()
    assert notice.status == OutboundNotice.Status.PENDING and notice.queue_count == 1
    assert outbox_sweep(now=_later(3601)).notices == 1
    assert len(mail.outbox) == 1


def test_it_backs_off_a_row_that_waits_behind_a_long_queue(
    client, personas, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_OVERDUE_SECONDS = 60
    notice = _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    # The broker takes the re-queued task but no worker gets to it yet.
    monkeypatch.setattr(case_counselors_email_task, "apply_async", lambda *a, **k: None)
    start = notice.queued_at
    assert outbox_sweep(now=start + timedelta(seconds=61)).notices == 1
    assert outbox_sweep(now=start + timedelta(seconds=61 + 100)).notices == 0
    assert outbox_sweep(now=start + timedelta(seconds=61 + 121)).notices == 1
    assert outbox_sweep(now=start + timedelta(seconds=61 + 121 + 200)).notices == 0
    notice.refresh_from_db()
    assert notice.queue_count == 3 and notice.status == OutboundNotice.Status.PENDING


def test_it_leaves_notices_older_than_a_day_alone(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    _submit_with_broker_down(client, monkeypatch, django_capture_on_commit_callbacks)
    assert outbox_sweep(now=_later(2 * 86400)).notices == 0
    assert mail.outbox == []


@pytest.fixture
def lost_sms_reply(client, personas, numbers, monkeypatch):  # noqa: F811
    """A counselor's SMS reply stored PENDING whose task the broker lost."""
    text(client, "a tip")
    reporter = Reporter.objects.get()
    monkeypatch.setattr(sms_message_send, "delay", lambda *args, **kwargs: None)
    reply = message_to_reporter(
        case=reporter.tips.get().case, reporter=reporter, body="Are you safe?", author=None
    )
    monkeypatch.undo()
    backends.outbox.clear()
    return reply


def test_it_requeues_a_lost_sms_reply_and_sends_it_once(lost_sms_reply, settings):
    settings.OUTBOX_OVERDUE_SECONDS = 60
    assert outbox_sweep(now=_later(30)).sms == 0
    assert outbox_sweep(now=_later(61)).sms == 1
    assert [sent.body for sent in backends.outbox] == ["Are you safe?"]
    assert Message.objects.get(id=lost_sms_reply.id).delivery_status != DeliveryStatus.PENDING
    assert outbox_sweep(now=_later(600)).sms == 0
    assert len(backends.outbox) == 1


def test_it_leaves_a_reply_between_retries_alone_until_its_retry_window_passes(
    lost_sms_reply, settings
):
    Message.objects.filter(id=lost_sms_reply.id).update(delivery_error="Twilio 503")
    assert outbox_sweep(now=_later(settings.OUTBOX_OVERDUE_SECONDS + 5)).sms == 0
    assert outbox_sweep(now=_later(6 * 3600)).sms == 1
    assert len(backends.outbox) == 1
