"""The caller's number appears nowhere: not in any table (in clear or in any form of it),
not in any log line, not in any stored file; nor do Twilio's Caller*/From* location fields.
The same scan as SMS (test_sms_privacy), over a whole call: dial in, Spanish, a district
menu, press 1 with nobody answering, a message, the recording stored, a staff reply, a call
back that hears it."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import OnCallContact
from cases.models import Case
from tipline.models import VoiceCall
from tipline.retention import retention_sweep
from tipline.services.tips import message_to_reporter

from .sms_support import DISTRICT_NUMBER, SCHOOL_A_NUMBER, TIPSTER
from .test_sms_privacy import _all_stored_values
from .voice_support import Caller, receipt_code_heard, twilio_recording_backend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
NUMBER_FORMS = (TIPSTER, TIPSTER[1:], TIPSTER[2:], "555-0100", "(555) 555-0100")
LOCATION_VALUES = ("SPRINGFIELDTOWN", "80999")


def _whole_call(client, personas, settings, django_capture_on_commit_callbacks):
    twilio_recording_backend(settings)
    personas.counselor_a.phone_number = "+13035551001"
    personas.counselor_a.save()
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    caller = Caller(client, DISTRICT_NUMBER)
    schools = caller.press(caller.dial_in(), "2")
    menu = caller.press(schools, "1")
    asked = caller.press(menu, "1")
    record = caller.dial_ends(asked, "no-answer") if asked.dial else asked
    with django_capture_on_commit_callbacks(execute=True):
        receipt = caller.finish_recording(record)
        caller.recording_ready(record)
    case = Case.objects.get()
    message_to_reporter(
        case=case, reporter=case.tips.get().reporter, body="reply", author=personas.counselor_a
    )
    back = Caller(client, DISTRICT_NUMBER, call_sid="CA" + "e" * 32)
    menu = back.press(back.press(back.wait(back.dial_in()), "1"), "3")
    heard = back.press(menu, receipt_code_heard(receipt).replace("-", ""))
    assert "reply" in heard.spoken_in("en-US")


def test_it_stores_the_callers_number_nowhere(
    client, personas, settings, django_capture_on_commit_callbacks
):
    _whole_call(client, personas, settings, django_capture_on_commit_callbacks)
    values = list(_all_stored_values())
    assert len(values) > 100  # the scan really read the tables
    for table, value in values:
        for form in (*NUMBER_FORMS, *LOCATION_VALUES):
            assert form not in value, f"{form!r} stored in {table}"
    files = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert files  # the recording was stored
    for path in files:
        content = path.read_bytes().decode("latin-1")
        for form in (*NUMBER_FORMS, *LOCATION_VALUES):
            assert form not in content and form not in str(path)


def test_it_logs_neither_the_number_nor_the_digits(
    client, personas, settings, caplog, capsys, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    _whole_call(client, personas, settings, django_capture_on_commit_callbacks)
    captured = capsys.readouterr()
    lines = [record.getMessage() for record in caplog.records]
    lines += [str(vars(record)) for record in caplog.records]
    lines += [captured.out, captured.err]
    assert any("voice call" in line for line in lines)
    assert any("recording_stored" in line for line in lines)
    for line in lines:
        for form in (*NUMBER_FORMS, *LOCATION_VALUES):
            assert form not in line


def test_a_call_that_left_no_tip_is_forgotten_after_a_day(client, personas):
    """Its CallSid is the key to Twilio's call log (which has the number): kept a day."""
    quiet = Caller(client, DISTRICT_NUMBER, call_sid="CA" + "1" * 32)
    quiet.dial_in()
    Caller(client, SCHOOL_A_NUMBER).leave_message()
    assert VoiceCall.objects.count() == 2
    assert retention_sweep().calls == 0
    assert retention_sweep(now=timezone.now() + timedelta(days=2)).calls == 1
    assert VoiceCall.objects.get().tip is not None
