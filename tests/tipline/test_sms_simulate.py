"""`manage.py sms_simulate` holds a conversation with a running server, as Twilio would."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from accounts.models import PhoneNumber
from cases.models import Case
from tests.conftest import REPO_ROOT
from tipline.models import Attachment, Message, Reporter

from .sms_support import FIXTURES, TIPSTER

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
    call_command(
        "sms_simulate", "--url", url, "--from", TIPSTER, "--to", SCHOOL_NUMBER, *args, stdout=out
    )
    return out.getvalue()


def test_it_holds_a_conversation_with_the_running_server(served):
    first = _simulate(served, "kids are planning a fight at the park")
    case = Case.objects.get()
    assert case.reference in first and "911" in first
    assert _simulate(served, "it is on friday").strip() == "(no reply)"
    assert Message.objects.get().body == "it is on friday"
    assert "START" in _simulate(served, "STOP")
    assert Reporter.objects.get().opted_out_at is not None
    assert "back on" in _simulate(served, "START")


def test_it_sends_a_picture(served):
    _simulate(served, "--media", str(FIXTURES / "twilio_media_ME0f3c.jpg"), "this photo")
    assert Attachment.objects.get().case == Case.objects.get()


def test_it_is_refused_when_signed_with_another_token(served):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env["TWILIO_AUTH_TOKEN"] = "not-the-servers-token"
    command = [
        "manage.py",
        "sms_simulate",
        "--url",
        served,
        "--from",
        TIPSTER,
        "--to",
        SCHOOL_NUMBER,
    ]
    result = subprocess.run(
        [sys.executable, *command, "hello"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "403" in result.stderr
    assert Case.objects.count() == 0


def test_it_takes_the_webhook_url_itself(served):
    """`--url http://127.0.0.1:8001/sms/twilio/inbound/`, as Twilio's console shows it."""
    reply = _simulate(served + "/sms/twilio/inbound/", "someone has a knife in their locker")
    assert Case.objects.get().reference in reply
