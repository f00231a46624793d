"""The anonymous follow-up: status in plain words, staff messages, replies, merges."""

import pytest
from django.core import mail

from cases.models import Case, CaseNote, CaseStatus
from tipline.models import Message
from tipline.services.tips import message_to_reporter

from .web_helpers import png_file, receipt_code_from, submit_tip

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client, personas):
    code = receipt_code_from(submit_tip(client))
    client.cookies.clear()
    return code


def _open(client, code):
    return client.post("/followup/", {"code": code})


def test_it_opens_the_thread_with_the_code_and_keeps_it_out_of_urls_and_session(
    client, personas, sent
):
    response = _open(client, sent)
    assert response.status_code == 302
    assert response["Location"] == "/followup/thread/"
    assert sent not in response["Location"]
    session = client.session
    assert sent not in str(dict(session.items()))
    assert session["followup_reporter_id"]
    thread = client.get("/followup/thread/").content.decode()
    assert "Received" in thread


def test_it_gives_one_generic_message_for_any_wrong_code(client, personas, sent):
    wrong = _open(client, "AAAA-BBBB-CCCC-DDDD").content.decode()
    malformed = _open(client, "hello").content.decode()
    message = "We could not open a tip with that code."
    assert message in wrong and message in malformed
    assert "followup_reporter_id" not in client.session
    assert client.get("/followup/thread/")["Location"] == "/followup/"


def test_it_does_not_echo_the_typed_code_back(client, personas, sent):
    response = _open(client, "ZZZZ-YYYY-XXXX-WWWW")
    assert "ZZZZ-YYYY" not in response.content.decode()


def test_it_round_trips_a_conversation(client, personas, sent, django_capture_on_commit_callbacks):
    case = Case.objects.get()
    reporter = case.tips.get().reporter
    message_to_reporter(
        case=case, reporter=reporter, body="Which bathroom exactly?", author=personas.counselor_a
    )
    CaseNote.objects.create(case=case, author=personas.counselor_a, body="INTERNAL ONLY note")
    _open(client, sent)
    thread = client.get("/followup/thread/").content.decode()
    assert "Which bathroom exactly?" in thread
    assert "INTERNAL ONLY" not in thread
    assert Message.objects.get(direction="out").read_by_reporter_at is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/followup/thread/", {"body": "The one by the gym", "files": [png_file()]}
        )
    assert response.status_code == 302
    answer = Message.objects.get(direction="in")
    assert (answer.body, answer.case, answer.reporter) == ("The one by the gym", case, reporter)
    assert answer.attachments.count() == 1
    assert len(mail.outbox) == 1 and "gym" not in mail.outbox[0].body
    assert "The one by the gym" in client.get("/followup/thread/").content.decode()


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (CaseStatus.NEW, "Received"),
        (CaseStatus.TRIAGED, "Being reviewed"),
        (CaseStatus.IN_PROGRESS, "Being reviewed"),
        (CaseStatus.CLOSED, "Closed"),
    ],
)
def test_it_says_the_status_in_plain_words(client, personas, sent, status, word):
    Case.objects.update(status=status)
    _open(client, sent)
    html = client.get("/followup/thread/").content.decode()
    assert f"<strong>{word}</strong>" in html
    assert ("Send my answer" in html) == (status != CaseStatus.CLOSED)


def test_it_follows_a_merged_case_to_its_survivor(client, personas, sent):
    merged = Case.objects.get()
    survivor = Case.objects.create(
        school=personas.school_a, reference="SURV01", channel="web", status=CaseStatus.TRIAGED
    )
    Case.objects.filter(id=merged.id).update(merged_into=survivor, status=CaseStatus.CLOSED)
    _open(client, sent)
    assert "Being reviewed" in client.get("/followup/thread/").content.decode()
    client.post("/followup/thread/", {"body": "more info"})
    assert Message.objects.get(direction="in").case == survivor


def test_it_forgets_the_thread_on_leave(client, personas, sent):
    _open(client, sent)
    client.post("/followup/leave/")
    assert client.get("/followup/thread/")["Location"] == "/followup/"
