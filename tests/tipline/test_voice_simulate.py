"""`manage.py voice_simulate` walks a call through a running server, as Twilio would: signed
steps, the caller's keys, a WAV served from this machine as the recording, and what the
caller hears printed in order."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from accounts.models import PhoneNumber
from cases.models import Case, Channel
from tests.conftest import REPO_ROOT
from tipline.attachments import attachment_read
from tipline.models import Attachment, Tip
from tipline.services.tips import message_to_reporter

from .voice_support import WAV

SCHOOL_NUMBER = "+13035550101"


@pytest.fixture
def served(live_server, personas, settings, tmp_path):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    PhoneNumber.objects.create(
        number=SCHOOL_NUMBER, district=personas.school_a.district, school=personas.school_a
    )
    return live_server.url


def _simulate(url, *args) -> str:
    out = io.StringIO()
    call_command("voice_simulate", "--url", url, "--to", SCHOOL_NUMBER, *args, stdout=out)
    return out.getvalue()


def _code(heard: str) -> str:
    for line in heard.splitlines():
        digits = "".join(ch for ch in line if ch.isdigit())
        if "receipt code is" in line and len(digits) == 16:
            return digits
    raise AssertionError(heard)


def test_it_leaves_a_message_in_spanish_and_hears_the_code(served):
    heard = _simulate(served, "--keys", "2", "--recording", str(WAV))
    lines = heard.splitlines()
    assert "911" in lines[0] and lines[0].startswith("[en-US]")
    assert "(caller presses 2)" in heard and "[es-MX] Gracias. Recibimos tu mensaje." in heard
    assert "(the line hangs up)" in heard
    tip = Tip.objects.get()
    assert tip.case.channel == Channel.VOICE and tip.language == "es"
    attachment = Attachment.objects.get()
    assert attachment.tip == tip and attachment_read(attachment) == WAV.read_bytes()


def test_it_calls_back_and_hears_the_reply(served, personas):
    code = _code(_simulate(served))  # a tone made on the spot as the message
    assert Attachment.objects.get().content_type == "audio/wav"
    case = Case.objects.get()
    message_to_reporter(
        case=case, reporter=case.tips.get().reporter, body="We talked to them.", author=None
    )
    heard = _simulate(served, "--keys", "- 3 " + code)
    assert "Reply from staff: We talked to them." in heard


def test_it_is_refused_when_signed_with_another_token(served):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env["TWILIO_AUTH_TOKEN"] = "not-the-servers-token"
    command = ["manage.py", "voice_simulate", "--url", served, "--to", SCHOOL_NUMBER]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "403" in result.stderr
    assert Case.objects.count() == 0
