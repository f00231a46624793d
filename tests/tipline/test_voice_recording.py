"""A call's recording: fetched through the Twilio seam with the account's credentials
(recorded 302 to the CDN, then the WAV), stored encrypted as the tip's attachment, deleted
at Twilio (recorded 204); whichever of the <Record> action and the recording-status
callback comes first."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from cases.models import Case
from summaries.figures import case_aggregates
from tipline.attachments import attachment_read
from tipline.models import Attachment, Tip, VoiceCall
from tipline.sms.backends import TwilioBackend
from tipline.voice.recording import voice_recording_store, voice_recordings_sweep

from .sms_support import SCHOOL_A_NUMBER, FakeTwilioHttp
from .voice_support import (
    RECORDING,
    WAV,
    Caller,
    payload,
    post_call,
    recorded_delete,
    recording_transport,
    twilio_recording_backend,
)
from .web_helpers import stored_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


@pytest.fixture
def twilio(settings):
    return twilio_recording_backend(settings)


def test_it_stores_the_recording_encrypted_and_deletes_it_at_twilio(
    client, twilio, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Caller(client, SCHOOL_A_NUMBER).leave_message()
    attachment = Attachment.objects.get()
    tip = Tip.objects.get()
    assert (attachment.case, attachment.tip) == (tip.case, tip)
    assert attachment.content_type == "audio/wav"
    assert attachment_read(attachment) == WAV.read_bytes()
    assert b"RIFF" not in stored_bytes(attachment)  # encrypted at rest
    first, redirected = twilio["seen"]
    assert first.url == RECORDING["recording_url"] + ".wav"
    assert first.headers["authorization"].startswith("Basic ")
    assert redirected.url.host == "media.twiliocdn.com"
    assert "authorization" not in redirected.headers
    [delete] = [r for r in twilio["rest"].requests if r["method"] == "DELETE"]
    assert delete["method"] == "DELETE"
    assert delete["url"] == RECORDING["recording_url"] + ".json"
    assert delete["auth"] == (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    call = VoiceCall.objects.get()
    assert call.stored_at and call.deleted_at_twilio_at and call.recording_seconds == 42


def test_it_waits_for_the_message_when_the_recording_callback_comes_first(
    client, twilio, django_capture_on_commit_callbacks
):
    caller = Caller(client, SCHOOL_A_NUMBER)
    record = caller.wait(caller.wait(caller.dial_in()))
    with django_capture_on_commit_callbacks(execute=True):
        assert caller.recording_ready(record).status_code == 204
    assert Attachment.objects.count() == 0 and twilio["seen"] == []
    with django_capture_on_commit_callbacks(execute=True):
        caller.finish_recording(record)
    assert Attachment.objects.get().tip == Tip.objects.get()


def test_it_is_safe_to_run_twice(client, twilio):
    Caller(client, SCHOOL_A_NUMBER).leave_message()
    call = VoiceCall.objects.get()
    backend = TwilioBackend(**twilio_options())
    assert voice_recording_store(call_id=call.id, backend=backend)
    assert voice_recording_store(call_id=call.id, backend=backend)
    assert Attachment.objects.count() == 1
    assert len(backend.http_client.requests) == 1  # deleted once


def twilio_options():
    return {
        "http_client": FakeTwilioHttp(recorded_delete()),
        "media_http_client": httpx.Client(transport=recording_transport()),
    }


def test_it_refuses_a_recording_url_outside_our_account(client, twilio):
    caller = Caller(client, SCHOOL_A_NUMBER)
    record = caller.wait(caller.wait(caller.dial_in()))
    elsewhere = "https://api.twilio.com/2010-04-01/Accounts/AC" + "9" * 32 + "/Recordings/RE1"
    caller.finish_recording(record, RecordingUrl=elsewhere)
    caller.recording_ready(record, RecordingUrl=elsewhere)
    call = VoiceCall.objects.get()
    assert voice_recording_store(call_id=call.id) is False
    assert twilio["seen"] == [] and twilio["rest"].requests == []
    assert Tip.objects.count() == 1  # the message stays stored


def test_a_refused_signature_on_the_callback_changes_nothing(client, twilio):
    caller = Caller(client, SCHOOL_A_NUMBER)
    record = caller.wait(caller.wait(caller.dial_in()))
    params = payload("recording_status", to=SCHOOL_A_NUMBER)
    response = post_call(client, record.record["recordingStatusCallback"], params, token="x")
    assert response.status_code == 403
    assert VoiceCall.objects.get().recording_url == ""


def test_a_fetch_the_broker_lost_is_queued_again_by_the_sweep(client, twilio):
    """Here the after-commit queueing never runs, as when the broker was down."""
    Caller(client, SCHOOL_A_NUMBER).leave_message()
    call = VoiceCall.objects.get()
    assert call.fetch_queued_at is not None and Attachment.objects.count() == 0
    assert voice_recordings_sweep(now=call.fetch_queued_at + timedelta(minutes=1)) == 0
    later = call.fetch_queued_at + timedelta(minutes=20)
    assert voice_recordings_sweep(now=later) == 1  # the task runs eagerly in tests
    assert Attachment.objects.get().tip == Tip.objects.get()
    assert VoiceCall.objects.get().deleted_at_twilio_at is not None
    assert voice_recordings_sweep(now=later + timedelta(hours=1)) == 0


def test_voice_cases_count_in_the_channel_figures(client):
    Caller(client, SCHOOL_A_NUMBER).leave_message()
    figures = Case.objects.aggregate(**case_aggregates(now=timezone.now()))
    assert figures["channel_voice"] == 1 and figures["channel_sms"] == 0
