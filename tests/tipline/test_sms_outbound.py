"""Counselor replies by SMS: the exact Twilio request, retries, 21610, at-most-once."""

import pytest
import requests
from celery.exceptions import Retry
from django.conf import settings

from accounts.models import PhoneNumber
from cases.models import CaseEvent
from tipline.models import DeliveryStatus, Reporter
from tipline.services.tips import message_to_reporter
from tipline.sms import backends
from tipline.sms.backends import TwilioBackend
from tipline.sms.outbound import DeliveryOutcome, sms_message_deliver
from tipline.tasks import sms_message_send

from .sms_support import (
    DISTRICT_NUMBER,
    SCHOOL_A_NUMBER,
    TIPSTER,
    FakeTwilioHttp,
    error_json,
    message_json,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Messages.json"


@pytest.fixture
def reply(client, personas):
    """A counselor's reply on an SMS case, stored PENDING (the task is not run)."""
    text(client, "a tip")
    reporter = Reporter.objects.get()
    case = reporter.tips.get().case
    return message_to_reporter(
        case=case, reporter=reporter, body="Thank you. Is anyone hurt?", author=personas.counselor_a
    )


def _use_fake(settings, fake):
    settings.SMS_BACKEND = "tipline.sms.backends.TwilioBackend"
    settings.SMS_BACKEND_OPTIONS = {"http_client": fake}


def test_it_sends_through_the_messaging_service_with_a_status_callback(reply):
    fake = FakeTwilioHttp(message_json("queued", sid="SM" + "b" * 32))
    outcome = sms_message_deliver(
        message_id=reply.id, final_attempt=False, backend=TwilioBackend(http_client=fake)
    )
    assert outcome is DeliveryOutcome.SENT
    [request] = fake.requests
    assert request["method"] == "POST" and request["url"] == MESSAGES_URL
    assert request["auth"] == (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    assert request["data"] == {
        "To": TIPSTER,
        "Body": "Thank you. Is anyone hurt?",
        "MessagingServiceSid": settings.TWILIO_MESSAGING_SERVICE_SID,
        "StatusCallback": f"https://tips.example.org/sms/twilio/status/{reply.id}/",
    }
    reply.refresh_from_db()
    assert (reply.provider_sid, reply.delivery_status) == ("SM" + "b" * 32, "queued")


def test_it_sends_from_the_number_the_tipster_texted_without_a_service(reply, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    fake = FakeTwilioHttp()
    sms_message_deliver(message_id=reply.id, final_attempt=False, backend=TwilioBackend(fake))
    assert fake.requests[0]["data"]["From"] == SCHOOL_A_NUMBER
    assert "MessagingServiceSid" not in fake.requests[0]["data"]


def test_it_answers_a_district_thread_from_the_district_number(client, personas, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    text(client, "tip", to=DISTRICT_NUMBER)
    text(client, "1", to=DISTRICT_NUMBER)
    reporter = Reporter.objects.get()
    message = message_to_reporter(
        case=reporter.tips.get().case, reporter=reporter, body="hi", author=personas.counselor_a
    )
    fake = FakeTwilioHttp()
    sms_message_deliver(message_id=message.id, final_attempt=False, backend=TwilioBackend(fake))
    assert fake.requests[0]["data"]["From"] == DISTRICT_NUMBER
    assert PhoneNumber.objects.get(number=DISTRICT_NUMBER).school is None


def test_it_is_queued_after_commit_and_sent_once(
    client, personas, django_capture_on_commit_callbacks
):
    text(client, "a tip")
    reporter = Reporter.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = message_to_reporter(
            case=reporter.tips.get().case,
            reporter=reporter,
            body="Hello",
            author=personas.counselor_a,
        )
    assert len(callbacks) == 1
    assert [(sent.to, sent.body) for sent in backends.outbox] == [(TIPSTER, "Hello")]
    assert sms_message_send.apply(args=[message.id]).get() == "skipped"
    assert len(backends.outbox) == 1


def test_it_never_sends_a_claimed_message_twice(reply):
    fake = FakeTwilioHttp()
    first = sms_message_deliver(
        message_id=reply.id, final_attempt=False, backend=TwilioBackend(fake)
    )
    second = sms_message_deliver(
        message_id=reply.id, final_attempt=False, backend=TwilioBackend(fake)
    )
    assert (first, second) == (DeliveryOutcome.SENT, DeliveryOutcome.SKIPPED)
    assert len(fake.requests) == 1


def test_it_marks_the_thread_opted_out_on_21610_without_retrying(reply, settings):
    fake = FakeTwilioHttp(error_json(400, 21610))
    _use_fake(settings, fake)
    result = sms_message_send.apply(args=[reply.id])
    assert result.get() == "failed" and len(fake.requests) == 1
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and "21610" in reply.delivery_error
    assert reply.reporter.opted_out_at is not None
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.MESSAGE_UNDELIVERED).count() == 1


@pytest.mark.parametrize(
    "failure", [error_json(503), error_json(429), requests.ConnectionError("reset")]
)
def test_it_retries_transient_failures_with_exponential_backoff(reply, settings, failure):
    settings.SMS_RETRY_BASE_SECONDS, settings.SMS_SEND_MAX_RETRIES = 30, 4
    delays = []
    for attempt in range(4):
        fake = FakeTwilioHttp(failure)
        _use_fake(settings, fake)
        with pytest.raises(Retry) as retry:
            sms_message_send.apply(args=[reply.id], retries=attempt)
        assert len(fake.requests) == 1
        delays.append(retry.value.when)
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.PENDING
    assert delays == [30, 60, 120, 240]
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.MESSAGE_UNDELIVERED).exists()


def test_it_sends_on_a_retry_after_transient_failures(reply, settings):
    fake = FakeTwilioHttp(error_json(502), requests.Timeout("slow"), message_json("sent"))
    _use_fake(settings, fake)
    for attempt in (0, 1):
        with pytest.raises(Retry):
            sms_message_send.apply(args=[reply.id], retries=attempt)
    assert sms_message_send.apply(args=[reply.id], retries=2).get() == "sent"
    assert len(fake.requests) == 3
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT and reply.delivery_error == ""


def test_it_caps_the_backoff(reply, settings):
    settings.SMS_RETRY_MAX_SECONDS = 100
    _use_fake(settings, FakeTwilioHttp(error_json(500)))
    with pytest.raises(Retry) as retry:
        sms_message_send.apply(args=[reply.id], retries=5)
    assert retry.value.when == 100


def test_it_shows_a_final_failure_on_the_case(reply, settings):
    settings.SMS_SEND_MAX_RETRIES = 2
    _use_fake(settings, FakeTwilioHttp(error_json(503)))
    assert sms_message_send.apply(args=[reply.id], retries=2).get() == "failed"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and "503" in reply.delivery_error
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.MESSAGE_UNDELIVERED)
    assert event.case == reply.case and event.data["message_id"] == reply.id


def test_it_does_not_retry_a_permanent_error(reply, settings):
    _use_fake(settings, FakeTwilioHttp(error_json(400, 21211)))
    assert sms_message_send.apply(args=[reply.id]).get() == "failed"
    reply.refresh_from_db()
    assert "21211" in reply.delivery_error and reply.reporter.opted_out_at is None


def test_it_sends_no_status_callback_when_none_is_wanted(settings):
    """Staff call-down texts pass no callback: Twilio must not receive an empty one."""
    from tipline import twilio_client

    from .sms_support import FakeTwilioHttp, message_json

    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "b" * 32
    http = FakeTwilioHttp(message_json())
    twilio_client.message_create(
        to="+13035550199", body="Life-safety case: sign in", status_callback="", http_client=http
    )
    sent = http.requests[0]["data"]
    assert "StatusCallback" not in sent
    assert sent["To"] == "+13035550199"
    assert sent["MessagingServiceSid"] == settings.TWILIO_MESSAGING_SERVICE_SID


def test_it_keeps_a_reply_pending_when_the_broker_is_down(
    client, personas, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    """The counselor's reply is stored and the page does not fail; the outbox sweep sends it."""
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    text(client, "a tip")
    reporter = Reporter.objects.get()
    monkeypatch.setattr(sms_message_send, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_to_reporter(
            case=reporter.tips.get().case,
            reporter=reporter,
            body="Hello",
            author=personas.counselor_a,
        )
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.PENDING
    assert backends.outbox == []
    assert "could not queue an SMS reply" in caplog.text and "Hello" not in caplog.text
