"""The SMS reply outbox: a counselor's reply to an SMS tipster is a PENDING Message before its
task is queued; the sweep queues again what the broker lost, and sends it once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tipline.models import DeliveryStatus, Message, Reporter
from tipline.services.tips import message_to_reporter
from tipline.sms import backends
from tipline.sms.outbound import sms_replies_sweep
from tipline.tasks import sms_message_send

from .sms_support import text

pytestmark = pytest.mark.django_db


def _later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


@pytest.fixture
def lost_sms_reply(client, personas, numbers, monkeypatch):
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
    assert sms_replies_sweep(now=_later(30)).sms == 0
    assert sms_replies_sweep(now=_later(61)).sms == 1
    assert [sent.body for sent in backends.outbox] == ["Are you safe?"]
    assert Message.objects.get(id=lost_sms_reply.id).delivery_status != DeliveryStatus.PENDING
    assert sms_replies_sweep(now=_later(600)).sms == 0
    assert len(backends.outbox) == 1


def test_it_leaves_a_reply_between_retries_alone_until_its_retry_window_passes(
    lost_sms_reply, settings
):
    Message.objects.filter(id=lost_sms_reply.id).update(delivery_error="Twilio 503")
    assert sms_replies_sweep(now=_later(settings.OUTBOX_OVERDUE_SECONDS + 5)).sms == 0
    assert sms_replies_sweep(now=_later(6 * 3600)).sms == 1
    assert len(backends.outbox) == 1
