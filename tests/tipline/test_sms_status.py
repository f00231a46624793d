"""Delivery status callbacks: signed, forward-only, failures visible on the case."""

import pytest

from cases.models import CaseEvent
from tipline.models import DeliveryStatus, Reporter
from tipline.services.tips import message_to_reporter
from tipline.sms.backends import TwilioBackend
from tipline.sms.outbound import sms_message_deliver

from .sms_support import FakeTwilioHttp, message_json, post_signed, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
SID = "SM" + "c" * 32


@pytest.fixture
def sent(client, personas):
    text(client, "a tip")
    reporter = Reporter.objects.get()
    message = message_to_reporter(
        case=reporter.tips.get().case, reporter=reporter, body="Hi", author=personas.counselor_a
    )
    fake = FakeTwilioHttp(message_json("queued", sid=SID))
    sms_message_deliver(message_id=message.id, final_attempt=False, backend=TwilioBackend(fake))
    message.refresh_from_db()
    return message


def _callback(client, message, status, sid=SID, **extra):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **extra}
    return post_signed(client, params, path=f"/sms/twilio/status/{message.id}/")


def _status(message) -> str:
    message.refresh_from_db()
    return message.delivery_status


def test_it_moves_the_status_forward(client, sent):
    assert sent.delivery_status == DeliveryStatus.QUEUED
    assert _callback(client, sent, "sent").status_code == 204
    assert _status(sent) == DeliveryStatus.SENT
    _callback(client, sent, "delivered")
    assert _status(sent) == DeliveryStatus.DELIVERED


def test_it_never_moves_the_status_backwards(client, sent):
    for status in ("delivered", "sending", "sent", "queued", "failed"):
        _callback(client, sent, status)
        assert _status(sent) == DeliveryStatus.DELIVERED
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.MESSAGE_UNDELIVERED).exists()


def test_it_records_a_callback_that_beats_the_api_response(client, personas):
    text(client, "a tip")
    reporter = Reporter.objects.get()
    message = message_to_reporter(
        case=reporter.tips.get().case, reporter=reporter, body="Hi", author=personas.counselor_a
    )
    _callback(client, message, "sent")
    message.refresh_from_db()
    assert (message.provider_sid, message.delivery_status) == (SID, DeliveryStatus.SENT)
    # The send task then finds the message already on its way and sends nothing.
    fake = FakeTwilioHttp()
    sms_message_deliver(message_id=message.id, final_attempt=False, backend=TwilioBackend(fake))
    assert fake.requests == []


def test_it_shows_an_undelivered_message_on_the_case(client, sent):
    _callback(client, sent, "sent")
    _callback(client, sent, "undelivered", ErrorCode="30005")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.UNDELIVERED and "30005" in sent.delivery_error
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.MESSAGE_UNDELIVERED)
    assert event.case == sent.case and event.data["message_id"] == sent.id
    _callback(client, sent, "delivered")
    assert _status(sent) == DeliveryStatus.UNDELIVERED


def test_it_opts_the_thread_out_on_a_21610_callback(client, sent):
    _callback(client, sent, "failed", ErrorCode="21610")
    assert _status(sent) == DeliveryStatus.FAILED
    assert Reporter.objects.get().opted_out_at is not None


def test_it_ignores_another_messages_sid_and_unknown_statuses(client, sent):
    _callback(client, sent, "delivered", sid="SM" + "d" * 32)
    _callback(client, sent, "teleported")
    assert _status(sent) == DeliveryStatus.QUEUED


def test_it_answers_204_for_an_unknown_message(client, sent):
    response = post_signed(
        client, {"MessageSid": SID, "MessageStatus": "sent"}, path="/sms/twilio/status/999999/"
    )
    assert response.status_code == 204
