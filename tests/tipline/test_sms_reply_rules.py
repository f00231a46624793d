"""Replies to SMS tipsters: refused before sending when they opted out, shown failed with a
reason, and counted as the case's first response only once Twilio took them."""

import pytest
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from tipline.models import Case, CaseEvent, DeliveryStatus, Message, Reporter
from tipline.services.cases import ReplyRefusedError, message_to_reporter, tip_create
from tipline.sms import backends
from tipline.sms.backends import TwilioBackend
from tipline.sms.outbound import sms_message_deliver

from .sms_support import (  # noqa: F401
    FakeTwilioHttp,
    error_json,
    message_json,
    numbers,
    post_signed,
    sms_fresh_state,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


@pytest.fixture
def thread(client, personas):
    text(client, "someone has a knife in their locker")
    reporter = Reporter.objects.get()
    return reporter, reporter.tips.get().case


def _reply(thread, personas, body="Are you safe?") -> Message:
    reporter, case = thread
    return message_to_reporter(case=case, reporter=reporter, body=body, author=personas.counselor_a)


def _send(message, *answers):
    fake = FakeTwilioHttp(*answers)
    sms_message_deliver(message_id=message.id, final_attempt=True, backend=TwilioBackend(fake))
    message.refresh_from_db()
    return fake


def _first_response(case):
    case.refresh_from_db()
    return case.first_response_at


def _callback(client, message, status, **extra):
    params = {"MessageSid": message.provider_sid, "MessageStatus": status, **extra}
    return post_signed(client, params, path=f"/sms/twilio/status/{message.id}/")


def test_it_refuses_a_reply_to_an_opted_out_tipster_before_sending(
    client, client_for, personas, thread
):
    reporter, case = thread
    text(client, "STOP")
    staff = client_for(personas.counselor_a)
    response = staff.post(
        f"/staff/cases/{case.id}/reply/", {"reporter": reporter.id, "body": "Are you safe?"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f"{reporter.alias} opted out of texts" in html and "was not sent" in html
    assert not Message.objects.filter(direction="out").exists()
    assert _first_response(case) is None and backends.outbox == []


def _api(user) -> APIClient:
    _row, token = api_token_create(user=user, name="tests")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_it_refuses_through_the_api_too(client, personas, thread):
    reporter, case = thread
    text(client, "PARAR")
    response = _api(personas.counselor_a).post(
        f"/api/v1/cases/{case.id}/messages/", {"reporter": reporter.id, "body": "Hola"}
    )
    assert response.status_code == 400 and "opted out" in str(response.json())
    with pytest.raises(ReplyRefusedError):
        _reply(thread, personas)


def test_it_shows_the_opt_out_on_the_case_page(client, client_for, personas, thread):
    reporter, case = thread
    text(client, "STOP")
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "Opted out of texts" in html and "until they text START" in html
    assert f"{reporter.alias} texted STOP: opted out of texts" in html


def test_it_counts_an_sms_reply_only_once_twilio_takes_it(personas, thread):
    message = _reply(thread, personas)
    assert _first_response(thread[1]) is None  # written, not sent yet
    _send(message, message_json("queued"))
    assert _first_response(thread[1]) == message.created_at


def test_it_uncounts_a_reply_that_fails_later_and_shows_why(client, client_for, personas, thread):
    message = _reply(thread, personas)
    _send(message, message_json("queued", sid="SM" + "d" * 32))
    _callback(client, message, "undelivered", ErrorCode="30005")
    assert _first_response(thread[1]) is None
    html = client_for(personas.counselor_a).get(f"/staff/cases/{thread[1].id}/").content.decode()
    assert "Not delivered" in html and "30005" in html and "no longer in service" in html


def test_it_never_counts_a_send_twilio_refused(client_for, personas, thread):
    message = _reply(thread, personas)
    _send(message, error_json(400, 21211))
    assert message.delivery_status == DeliveryStatus.FAILED
    assert (
        "21211" in message.delivery_error and "not a valid phone number" in message.delivery_error
    )
    assert _first_response(thread[1]) is None
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.DELIVERY_FAILED)
    assert "not a valid phone number" in event.data["reason"]
    case = _api(personas.counselor_a).get(f"/api/v1/cases/{thread[1].id}/").json()
    [failed] = [item for item in case["messages"] if item["direction"] == "out"]
    assert failed["delivery_status"] == "failed" and "21211" in failed["delivery_error"]


def test_it_keeps_an_earlier_reply_that_got_through(client, personas, thread):
    first = _reply(thread, personas, body="Are you safe?")
    _send(first, message_json("queued", sid="SM" + "e" * 32))
    second = _reply(thread, personas, body="Which locker?")
    _send(second, message_json("queued", sid="SM" + "f" * 32))
    _callback(client, second, "failed", ErrorCode="30003")
    assert _first_response(thread[1]) == first.created_at
    _callback(client, first, "undelivered", ErrorCode="30003")
    assert _first_response(thread[1]) is None


def test_it_counts_a_web_reply_at_once(personas):
    reporter = Reporter.objects.create(channel="web", receipt_code_digest="d" * 64, alias="Web-A")
    tip = tip_create(
        school=personas.school_a, channel="web", category="other", body="x", reporter=reporter
    )
    message = message_to_reporter(case=tip.case, reporter=reporter, body="Hi", author=None)
    assert Case.objects.get(id=tip.case_id).first_response_at == message.created_at
