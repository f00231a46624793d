"""The call flow through the real webhooks, signed with Twilio's own validator and fed
Twilio's recorded parameters: danger first, English or Spanish, routed by the number
called, a district number's keypad menu, a message that opens a case once per CallSid."""

import dataclasses

import pytest
from django.conf import settings

from cases.models import Case, Channel, Priority
from tipline.models import Reporter, Tip, VoiceCall

from .sms_support import DISTRICT_NUMBER, SCHOOL_A_NUMBER, SCHOOL_B_NUMBER, sign
from .voice_support import (
    INBOUND_PATH,
    STATUS_PATH,
    Caller,
    heard,
    payload,
    post_call,
    receipt_code_heard,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


def test_it_refuses_a_call_webhook_with_a_bad_signature(client):
    params = payload("inbound", to=SCHOOL_A_NUMBER)
    response = post_call(client, INBOUND_PATH, params, token="not-our-auth-token")
    assert response.status_code == 403
    unsigned = client.post(INBOUND_PATH, params)
    assert unsigned.status_code == 403
    assert VoiceCall.objects.count() == 0


def test_it_refuses_a_signature_for_another_step_or_state(client):
    """The state in the query string is signed: a signature for English is no good for a
    URL that says Spanish."""
    caller = Caller(client, SCHOOL_A_NUMBER)
    menu = caller.wait(caller.dial_in())
    params = caller.params("redirect")
    signature = sign(settings.PUBLIC_BASE_URL + menu.redirect, params)
    forged = menu.redirect.replace("lang=en", "lang=es") + "&lang=es"
    response = client.post(forged, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


def test_it_says_911_first_in_both_languages_then_offers_spanish(client):
    welcome = Caller(client, SCHOOL_A_NUMBER).dial_in()
    first, second = welcome.says[0], welcome.says[1]
    assert "911" in first[0] and first[2] == "en-US"
    assert "911" in second[0] and second[2] == "es-MX" and second[1] == "Polly.Mia"
    assert "Para español, oprime 2." in welcome.spoken_in("es-MX")
    assert welcome.gather["numDigits"] == "1"
    assert welcome.gather_says == 4  # all of it said while listening for the key
    assert VoiceCall.objects.get().call_sid == payload("inbound", to=SCHOOL_A_NUMBER)["CallSid"]


def test_it_tells_a_caller_of_an_unknown_number_and_hangs_up(client):
    answer = Caller(client, "+13035559999").dial_in()
    assert answer.hangup and "911" in answer.text
    assert answer.gather is None and VoiceCall.objects.count() == 0


def test_it_speaks_spanish_after_2(client):
    caller = Caller(client, SCHOOL_A_NUMBER)
    menu = caller.press(caller.dial_in(), "2")
    assert {language for _text, _voice, language in menu.says} == {"es-MX"}
    assert "Lincoln High" in menu.text and "oprime 1" in menu.text
    record = caller.wait(menu)
    assert record.record is not None and "lang=es" in record.record["action"]
    assert record.record["maxLength"] == "180"
    receipt = caller.finish_recording(record)
    assert "código" in receipt.spoken_in("es-MX")
    assert Tip.objects.get().language == "es"


def test_it_stays_english_when_the_caller_waits(client):
    caller = Caller(client, SCHOOL_A_NUMBER)
    menu = caller.wait(caller.dial_in())
    assert {language for _text, _voice, language in menu.says} == {"en-US"}
    assert "press 1" in menu.text


def test_a_message_opens_a_voice_case_and_reads_the_code_digit_by_digit(client):
    receipt = Caller(client, SCHOOL_A_NUMBER).leave_message()
    case = Case.objects.get()
    tip = Tip.objects.get()
    assert case.channel == Channel.VOICE and tip.channel == Channel.VOICE
    assert case.school.name == "Lincoln High" and case.priority == Priority.ROUTINE
    code = receipt_code_heard(receipt)
    digits = code.replace("-", "")
    # Read twice, each digit on its own: "1 2 3 4, 5 6 7 8, ..."
    spaced = ", ".join(" ".join(digits[i : i + 4]) for i in range(0, 16, 4))
    assert sum(spaced in text for text, _voice, _language in receipt.says) == 2
    assert receipt.hangup
    reporter = Reporter.objects.get()
    assert reporter.channel == Channel.VOICE and reporter.phone_digest is None
    call = VoiceCall.objects.get()
    assert call.tip == tip and call.recording_seconds == 42


def test_a_replayed_message_opens_nothing_twice(client):
    caller = Caller(client, SCHOOL_A_NUMBER)
    record = caller.wait(caller.wait(caller.dial_in()))
    first = caller.finish_recording(record)
    again = caller.finish_recording(record)
    assert receipt_code_heard(first)
    assert "already received" in again.text and again.hangup
    assert Tip.objects.count() == 1 and Case.objects.count() == 1 and Reporter.objects.count() == 1
    caller.dial_in()
    assert VoiceCall.objects.count() == 1


def test_a_district_number_asks_which_school_by_keypad(client, numbers):
    caller = Caller(client, DISTRICT_NUMBER)
    schools = caller.wait(caller.dial_in())
    assert "For Lincoln High, press 1" in schools.text
    assert "For Roosevelt Middle, press 2" in schools.text
    wrong = caller.press(schools, "7")
    assert "not one of the choices" in wrong.text and wrong.gather is not None
    menu = caller.press(wrong, "2")
    assert "Roosevelt Middle" in menu.text
    caller.finish_recording(caller.wait(menu))
    assert Case.objects.get().school == numbers.school_b


def test_a_school_number_never_reaches_another_school(client, numbers):
    """The school in the URL is only a district caller's choice: a school's own number
    stays its own whatever the query says."""
    caller = Caller(client, SCHOOL_B_NUMBER)
    menu = caller.wait(caller.dial_in())
    record = caller.wait(menu)
    action = record.record["action"].replace(
        f"school={numbers.school_b.id}", f"school={numbers.school_a.id}"
    )
    caller.finish_recording(dataclasses.replace(record, record={**record.record, "action": action}))
    assert Case.objects.get().school == numbers.school_b


def test_a_caller_who_hangs_up_while_recording_still_leaves_a_tip(client):
    """Twilio calls the <Record> action when the caller hangs up (and ignores our answer):
    the message is stored all the same."""
    caller = Caller(client, SCHOOL_A_NUMBER)
    record = caller.wait(caller.wait(caller.dial_in()))
    caller.finish_recording(record, Digits="hangup", CallStatus="completed")
    assert Tip.objects.get().case.channel == Channel.VOICE


def test_odd_input_gets_an_answer_never_an_error(client):
    """Keys, state and numbers that make no sense: the caller is asked again or told, and
    nothing half-written is kept."""
    caller = Caller(client, DISTRICT_NUMBER)
    welcome = caller.dial_in()
    schools = caller.press(welcome, "<script>")
    assert schools.gather is not None and "Which school" in schools.text
    lost = heard(post_call(client, "/voice/twilio/menu/?school=abc", caller.params("redirect")))
    assert lost.gather is not None and "911" in lost.text  # back to the start
    no_sid = {**caller.params("record_action"), "CallSid": ""}
    answer = heard(post_call(client, "/voice/twilio/recorded/?school=1", no_sid))
    assert answer.hangup and Tip.objects.count() == 0
    status = {**payload("recording_status", to=DISTRICT_NUMBER), "CallSid": ""}
    assert post_call(client, STATUS_PATH, status).status_code == 400
    school_caller = Caller(client, SCHOOL_A_NUMBER, call_sid="CA" + "f" * 32)
    record = school_caller.wait(school_caller.wait(school_caller.dial_in()))
    school_caller.finish_recording(record, RecordingDuration="long", RecordingUrl="nonsense")
    assert VoiceCall.objects.get(call_sid="CA" + "f" * 32).recording_seconds is None
    assert Tip.objects.count() == 1


def test_a_get_is_not_a_webhook(client):
    assert client.get(INBOUND_PATH).status_code == 405
