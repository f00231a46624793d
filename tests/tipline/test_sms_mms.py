"""MMS: pictures fetched with the account's credentials, stripped, stored encrypted, deleted
at Twilio. Twilio is faked at its seams: an httpx transport replaying a recorded media
response, and the SDK's HttpClient for the DELETE."""

import io

import pytest
from PIL import Image

from tipline.attachments import attachment_read
from tipline.models import Attachment, Message, Tip
from tipline.sms.backends import TwilioBackend
from tipline.sms.media import sms_media_store

from .sms_support import (
    FIXTURES,
    FakeTwilioHttp,
    inbound_params,
    post_signed,
    recorded_media_transport,
    replies,
    text,
)
from .web_helpers import stored_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


@pytest.fixture
def twilio(settings, tmp_path):
    """The Twilio backend with both seams faked; returns what each seam saw."""
    import httpx

    settings.MEDIA_ROOT = tmp_path
    media_requests: list = []
    transport, media_url = recorded_media_transport(media_requests)
    rest = FakeTwilioHttp()
    settings.SMS_BACKEND = "tipline.sms.backends.TwilioBackend"
    settings.SMS_BACKEND_OPTIONS = {
        "http_client": rest,
        "media_http_client": httpx.Client(transport=transport),
    }
    return {"media_requests": media_requests, "rest": rest, "media_url": media_url}


def _mms(client, twilio, body="look at this", django_capture_on_commit_callbacks=None):
    params = inbound_params(
        body, NumMedia="1", MediaUrl0=twilio["media_url"], MediaContentType0="image/jpeg"
    )
    with django_capture_on_commit_callbacks(execute=True):
        return post_signed(client, params)


def test_it_stores_an_mms_picture_stripped_and_encrypted(
    client, twilio, django_capture_on_commit_callbacks
):
    response = _mms(
        client, twilio, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert len(replies(response)) == 1
    tip = Tip.objects.get()
    attachment = Attachment.objects.get()
    assert (attachment.case, attachment.tip) == (tip.case, tip)
    assert attachment.content_type == "image/jpeg"
    on_disk = stored_bytes(attachment)
    original = (FIXTURES / "twilio_media_ME0f3c.jpg").read_bytes()
    assert b"ExifCameraMakerMarker" in original
    assert b"ExifCameraMakerMarker" not in on_disk and b"\xff\xd8\xff" not in on_disk
    picture = Image.open(io.BytesIO(attachment_read(attachment)))
    assert picture.size == (120, 90) and not picture.getexif()


def test_it_fetches_with_credentials_and_deletes_the_media_at_twilio(
    client, twilio, settings, django_capture_on_commit_callbacks
):
    _mms(client, twilio, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    first, redirected = twilio["media_requests"]
    assert first.url == twilio["media_url"] and first.headers["authorization"].startswith("Basic ")
    assert redirected.url.host == "s3-external-1.amazonaws.com"
    assert "authorization" not in redirected.headers  # credentials stay with Twilio's API
    [delete] = twilio["rest"].requests
    assert delete["method"] == "DELETE"
    assert delete["url"] == twilio["media_url"] + ".json"
    assert delete["auth"] == (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)


def test_it_keeps_the_media_at_twilio_when_told_to(
    client, twilio, settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_DELETE_MEDIA = False
    _mms(client, twilio, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert Attachment.objects.count() == 1 and twilio["rest"].requests == []


def test_it_attaches_a_later_picture_to_its_message(
    client, twilio, django_capture_on_commit_callbacks
):
    text(client, "first a text")
    _mms(
        client,
        twilio,
        body="",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    message = Message.objects.get()
    assert Attachment.objects.get().message == message
    assert message.body == "(picture message without text)"


def test_it_is_safe_to_run_twice(client, twilio):
    text(client, "a tip")
    tip = Tip.objects.get()
    backend = TwilioBackend(**twilio_options(twilio))
    sms_media_store(media_urls=[twilio["media_url"]], tip_id=tip.id, backend=backend)
    sms_media_store(media_urls=[twilio["media_url"]], tip_id=tip.id, backend=backend)
    assert Attachment.objects.count() == 1 and len(twilio["rest"].requests) == 1


def test_it_refuses_media_from_anywhere_but_our_twilio_account(client, twilio):
    text(client, "a tip")
    tip = Tip.objects.get()
    backend = TwilioBackend(**twilio_options(twilio))
    foreign = "https://evil.example.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    other_account = twilio["media_url"].replace("AC" + "0" * 32, "AC" + "9" * 32)
    outcome = sms_media_store(media_urls=[foreign, other_account], tip_id=tip.id, backend=backend)
    assert outcome.rejected == 2 and Attachment.objects.count() == 0
    assert twilio["media_requests"] == []


def test_it_refuses_what_the_web_form_refuses(client, twilio, settings):
    import httpx

    text(client, "a tip")
    not_a_picture = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"Content-Type": "image/jpeg"}, content=b"MZ\x90"
        )
    )
    backend = TwilioBackend(
        http_client=twilio["rest"], media_http_client=httpx.Client(transport=not_a_picture)
    )
    outcome = sms_media_store(
        media_urls=[twilio["media_url"]], tip_id=Tip.objects.get().id, backend=backend
    )
    assert outcome.rejected == 1 and Attachment.objects.count() == 0


def twilio_options(twilio) -> dict:
    from django.conf import settings

    return settings.SMS_BACKEND_OPTIONS
