"""A call left on the tip line plays on the counselor's case page: the call is walked by
`voice_simulate` against the live server (a WAV served from this machine as the
recording), and Chromium plays the recording through the audited attachment view with no
Content-Security-Policy violation."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import PhoneNumber
from cases.models import Case, CaseEvent
from tests.factories import TEST_PASSWORD
from tests.tipline.voice_support import WAV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}
SCHOOL_NUMBER = "+13035550101"


def test_the_counselor_plays_a_callers_message(page, personas, live_server, settings, tmp_path):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    PhoneNumber.objects.create(
        number=SCHOOL_NUMBER, district=personas.school_a.district, school=personas.school_a
    )
    out = io.StringIO()
    call_command(
        "voice_simulate",
        "--url",
        live_server.url,
        "--to",
        SCHOOL_NUMBER,
        "--recording",
        str(WAV),
        stdout=out,
    )
    case = Case.objects.get()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(personas.counselor_a.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.goto(f"/staff/cases/{case.id}/")
    expect(page.get_by_text("Recorded message")).to_be_visible()
    expect(page.get_by_text("0:01 long")).to_be_visible()  # voice_simulate rounds up to 1 s
    player = page.locator("audio.call-recording")
    expect(player).to_be_visible()
    seconds = player.evaluate(
        "audio => { audio.muted = true; return audio.play().then(() => audio.duration); }"
    )
    assert 0.4 < seconds < 0.6  # the half-second fixture, decoded by the browser
    assert violations == []
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ATTACHMENT_VIEWED).exists()
