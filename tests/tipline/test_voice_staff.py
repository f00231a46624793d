"""Staff see a call as a Voice case: the recording plays on the case page (served by the
audited attachment view, inline for the player), with its length; staff of another school
get nothing."""

import pytest
from django.utils import translation

from accounts.models import User
from cases.models import Case, CaseEvent
from tests.workspace.test_staff_pages_spanish import english_left, said
from tipline.models import Attachment

from .sms_support import SCHOOL_A_NUMBER, TIPSTER
from .voice_support import WAV, Caller, twilio_recording_backend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


@pytest.fixture
def call_case(client, settings, django_capture_on_commit_callbacks):
    twilio_recording_backend(settings)
    with django_capture_on_commit_callbacks(execute=True):
        Caller(client, SCHOOL_A_NUMBER).leave_message()
    client.logout()
    return Case.objects.get()


def test_the_case_page_plays_the_recording_with_its_length(client_for, personas, call_case):
    page = client_for(personas.counselor_a).get(f"/staff/cases/{call_case.id}/")
    html = page.content.decode()
    attachment = Attachment.objects.get()
    src = f"/staff/cases/{call_case.id}/attachments/{attachment.id}/"
    assert f'<audio class="w-100 call-recording" controls preload="none" src="{src}"' in html
    assert "Phone call" in html and "0:42 long" in html
    assert TIPSTER not in html and TIPSTER[2:] not in html


def test_playing_the_recording_is_audited(client_for, personas, call_case):
    attachment = Attachment.objects.get()
    url = f"/staff/cases/{call_case.id}/attachments/{attachment.id}/"
    response = client_for(personas.counselor_a).get(url)
    assert response.status_code == 200 and response.content == WAV.read_bytes()
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "no-store, private"
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.ATTACHMENT_VIEWED)
    assert (event.case, event.actor) == (call_case, personas.counselor_a)


def test_staff_of_another_school_cannot_play_it(client_for, personas, call_case):
    attachment = Attachment.objects.get()
    url = f"/staff/cases/{call_case.id}/attachments/{attachment.id}/"
    assert client_for(personas.counselor_b).get(url).status_code == 404
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.ATTACHMENT_VIEWED).exists()


def test_the_page_says_when_the_recording_has_not_arrived(client, client_for, personas):
    Caller(client, SCHOOL_A_NUMBER).leave_message()  # the fetch is never run here
    case = Case.objects.get()
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "has not arrived from the phone service yet" in html


def test_the_page_says_when_there_was_nothing_to_record(client, client_for, personas):
    caller = Caller(client, SCHOOL_A_NUMBER)
    record = caller.wait(caller.wait(caller.dial_in()))
    caller.finish_recording(record, RecordingDuration="0")
    caller.recording_ready(record, RecordingStatus="absent", RecordingDuration="0")
    case = Case.objects.get()
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "hung up before saying anything" in html
    assert Attachment.objects.count() == 0


def test_a_spanish_reader_sees_the_call_in_spanish(client_for, personas, call_case):
    """The voice case, its recording and its length, read by a counselor who chose Spanish:
    no tell-tale English word left (tests/workspace/test_staff_pages_spanish.py's check)."""

    User.objects.filter(id=personas.counselor_a.id).update(language="es")
    personas.counselor_a.refresh_from_db()
    try:
        html = client_for(personas.counselor_a).get(f"/staff/cases/{call_case.id}/").content
        text = said(html.decode())
        names = [personas.school_a.name, personas.counselor_a.full_name, call_case.reference]
        assert english_left(text, names) == []
        assert "Llamada telefónica" in text and "0:42" in text
    finally:
        translation.deactivate()
