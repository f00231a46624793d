"""A caller follows up with the receipt code they heard: on the web like any tipster, or by
calling back and keying it in to hear the status and the staff's replies read aloud."""

import pytest

from cases.models import Case, Channel
from tipline.models import Message
from tipline.services.tips import message_to_reporter

from .sms_support import SCHOOL_A_NUMBER
from .voice_support import Caller, receipt_code_heard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
CALL_BACK_SID = "CA" + "b" * 32


@pytest.fixture
def code(client):
    return receipt_code_heard(Caller(client, SCHOOL_A_NUMBER).leave_message())


def _reply(personas, body):
    case = Case.objects.get()
    return message_to_reporter(
        case=case, reporter=case.tips.get().reporter, body=body, author=personas.counselor_a
    )


def _call_back(client, code, *, language_digit=""):
    caller = Caller(client, SCHOOL_A_NUMBER, call_sid=CALL_BACK_SID)
    welcome = caller.dial_in()
    menu = caller.press(welcome, language_digit) if language_digit else caller.wait(welcome)
    prompt = caller.press(menu, "3")
    assert prompt.gather["numDigits"] == "16" and prompt.gather["finishOnKey"] == "#"
    return caller, prompt, caller.press(prompt, code.replace("-", ""))


def test_the_code_opens_the_web_follow_up_and_the_caller_can_answer(
    client, personas, code, django_capture_on_commit_callbacks
):
    _reply(personas, "Thank you. Which hallway was it?")
    response = client.post("/followup/", {"code": code})
    assert response["Location"] == "/followup/thread/"
    thread = client.get("/followup/thread/").content.decode()
    assert "Which hallway was it?" in thread and "Being reviewed" in thread
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/followup/thread/", {"body": "The east hallway"})
    answer = Message.objects.get(direction="in")
    assert answer.case == Case.objects.get() and answer.body == "The east hallway"
    assert Case.objects.get().channel == Channel.VOICE


def test_a_staff_reply_counts_as_the_first_response_at_once(personas, code):
    message = _reply(personas, "We are on it.")
    assert Case.objects.get().first_response_at == message.created_at


def test_calling_back_with_the_code_reads_the_replies(client, personas, code):
    _reply(personas, "Thank you. Which hallway was it?")
    _caller, _prompt, answer = _call_back(client, code)
    assert "Your tip's status: Being reviewed." in answer.text
    assert "Reply from staff: Thank you. Which hallway was it?" in answer.text
    assert answer.hangup
    assert Message.objects.get(direction="out").read_by_reporter_at is not None


def test_calling_back_before_a_reply_says_so_in_spanish(client, personas, code):
    _caller, _prompt, answer = _call_back(client, code, language_digit="2")
    spanish = answer.spoken_in("es-MX")
    assert "Recibido" in spanish or "recibido" in spanish.lower()
    assert "todavía no ha respondido" in spanish
    assert answer.spoken_in("en-US") == ""


def test_a_wrong_code_is_asked_again_then_the_call_ends(client, personas, code):
    wrong = "1" * 16 if code.replace("-", "") != "1" * 16 else "2" * 16
    caller, _prompt, answer = _call_back(client, wrong)
    assert "not found" in answer.text and answer.gather is not None
    answer = caller.press(answer, wrong)
    answer = caller.press(answer, wrong)
    assert answer.hangup and answer.gather is None
    assert "Reply from staff" not in answer.text


def test_a_counselor_replies_on_the_case_page_and_the_caller_hears_it(
    client, client_for, personas, code
):
    case = Case.objects.get()
    reporter = case.tips.get().reporter
    staff = client_for(personas.counselor_a)
    response = staff.post(
        f"/staff/cases/{case.id}/reply/",
        {"reporter": reporter.id, "body": "Thank you for calling. We spoke to them."},
        follow=True,
    )
    assert "the caller hears it read aloud when they call back" in response.content.decode()
    staff.logout()
    _caller, _prompt, answer = _call_back(client, code)
    assert "Reply from staff: Thank you for calling. We spoke to them." in answer.text
