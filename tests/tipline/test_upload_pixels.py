"""Pictures are decoded only within limits known from their headers, and only for a client
within its limit: a decompression bomb costs a header read, whatever the channel."""

import io
import tracemalloc

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tipline import attachments
from tipline.models import Attachment, Message, Tip

from .sms_support import (  # noqa: F401
    FakeTwilioHttp,
    inbound_params,
    numbers,
    post_signed,
    sms_fresh_state,
)
from .web_helpers import (
    huge_png,
    pillow_allocations,
    png_file,
    receipt_code_from,
    submit_tip,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db

# 6300 x 6300, the attack's size: under the old 40 MP limit, over the 24 MP one.
BOMB_SIDE = 6300
MEDIA_URL = (
    "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000"
    "/Messages/MM5c0ffee5c0ffee5c0ffee5c0ffee5c0f/Media/ME0f3c0f3c0f3c0f3c0f3c0f3c0f3c0f3"
)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return huge_png(BOMB_SIDE, BOMB_SIDE)


def _upload(data: bytes, name: str = "bomb.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _jpeg(size, mode="L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, format="JPEG", quality=50)
    return buffer.getvalue()


def test_it_refuses_a_huge_png_from_its_header_without_decoding_it(bomb):
    assert len(bomb) < 200 * 1024
    tracemalloc.start()
    try:
        with pillow_allocations() as pillow, pytest.raises(ValidationError) as error:
            attachments.upload_clean(_upload(bomb))
        _current, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.value.code == "pixels"
    assert (pillow.canvases, pillow.megabytes) == (0, 0)
    # The file's own bytes and a little more: 40 MB of pixels were never produced.
    assert python_peak < 2 * 1024 * 1024


def test_it_decodes_a_large_jpeg_reduced_never_at_full_size():
    photo = _jpeg((8000, 6000))  # 48 MP: a large phone camera's photo
    with pillow_allocations() as pillow:
        clean = attachments.upload_clean(_upload(photo, "photo.jpg"))
    assert Image.open(io.BytesIO(clean.data)).size == (4000, 3000)
    # The full canvas would be 48 MB (one byte a pixel); the decoder produced a quarter.
    assert pillow.megabytes < 48


def test_it_shares_one_pixel_budget_across_the_pictures_of_a_request():
    budget = attachments.PixelBudget(remaining=1000)
    for _ in range(2):
        attachments.upload_clean(png_file(size=(20, 20)), budget=budget)
    assert budget.remaining == 200
    third = png_file(size=(20, 20))
    with pillow_allocations() as pillow, pytest.raises(ValidationError) as error:
        attachments.upload_clean(third, budget=budget)
    assert error.value.code == "pixels_together"
    assert pillow.canvases == 0
    # A JPEG over what is left is decoded at a smaller scale instead of being refused.
    budget = attachments.PixelBudget(remaining=2000)
    clean = attachments.upload_clean(_upload(_jpeg((80, 60)), "a.jpg"), budget=budget)
    assert Image.open(io.BytesIO(clean.data)).size == (40, 30)
    assert budget.remaining == 800


def test_it_refuses_five_bombs_on_the_tip_form_without_decoding_one(client, personas, bomb):
    files = [_upload(bomb, f"bomb-{n}.png") for n in range(5)]
    with pillow_allocations() as pillow:
        response = client.post("/s/lincoln-high/", {**tip_payload(), "files": files})
    assert response.status_code == 400
    errors = response.context["form"].errors["files"]
    assert len(errors) == 5 and all("is too large a picture" in error for error in errors)
    assert pillow.canvases == 0
    assert Tip.objects.count() == 0


def test_it_decodes_nothing_while_the_text_is_invalid_and_spends_no_try(client, personas, settings):
    settings.TIPLINE_TIPS_PER_CLIENT = 1
    picture = png_file()
    with pillow_allocations() as pillow:
        response = client.post("/s/lincoln-high/", {**tip_payload(category=""), "files": [picture]})
    assert response.status_code == 400
    assert pillow.canvases == 0
    sent = client.post("/s/lincoln-high/", {**tip_payload(), "files": [png_file()]})
    assert sent.status_code == 303
    assert Attachment.objects.count() == 1


def test_it_decodes_nothing_for_a_client_over_its_tip_limit(client, personas, settings):
    settings.TIPLINE_TIPS_PER_CLIENT = 1
    assert submit_tip(client).status_code == 200
    picture = png_file()
    with pillow_allocations() as pillow:
        response = client.post(
            "/s/lincoln-high/", {**tip_payload(body="again"), "files": [picture]}
        )
    assert response.status_code == 429
    assert "wait about 10 minutes" in response.content.decode()
    assert "again" in response.content.decode()
    assert pillow.canvases == 0
    assert Tip.objects.count() == 1


def test_it_limits_answers_per_client_and_decodes_nothing_past_the_limit(
    client, personas, settings
):
    settings.TIPLINE_REPLIES_PER_CLIENT = 1
    code = receipt_code_from(submit_tip(client))
    client.post("/followup/", {"code": code})
    first = client.post("/followup/thread/", {"body": "It was Tuesday", "files": [png_file()]})
    assert first.status_code == 302
    picture = png_file()
    with pillow_allocations() as pillow:
        blocked = client.post("/followup/thread/", {"body": "And Friday", "files": [picture]})
    assert blocked.status_code == 429
    assert "several answers" in blocked.content.decode()
    assert pillow.canvases == 0
    assert Message.objects.count() == Attachment.objects.count() == 1
    # Another client (another address) is not affected.
    other = client.post("/followup/thread/", {"body": "And Friday"}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


def test_it_refuses_an_answer_carrying_a_bomb_without_decoding_it(client, personas, bomb):
    code = receipt_code_from(submit_tip(client))
    client.post("/followup/", {"code": code})
    with pillow_allocations() as pillow:
        response = client.post("/followup/thread/", {"body": "see", "files": [_upload(bomb)]})
    assert response.status_code == 400
    assert "is too large a picture" in response.content.decode()
    assert pillow.canvases == 0
    assert Message.objects.filter(direction="in").count() == 0


def test_it_refuses_an_mms_bomb_without_decoding_it(
    client,
    numbers,  # noqa: F811
    settings,
    bomb,
    django_capture_on_commit_callbacks,
):
    def twilio_cdn(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.twilio.com":
            location = "https://s3-external-1.amazonaws.com/media/" + request.url.path[-34:]
            return httpx.Response(307, headers={"location": location})
        return httpx.Response(200, headers={"content-type": "image/png"}, content=bomb)

    settings.SMS_BACKEND = "tipline.sms.backends.TwilioBackend"
    settings.SMS_BACKEND_OPTIONS = {
        "http_client": FakeTwilioHttp(),
        "media_http_client": httpx.Client(transport=httpx.MockTransport(twilio_cdn)),
    }
    settings.TWILIO_DELETE_MEDIA = False
    params = inbound_params(
        "look", NumMedia="2", MediaUrl0=MEDIA_URL, MediaUrl1=MEDIA_URL[:-1] + "4"
    )
    with pillow_allocations() as pillow, django_capture_on_commit_callbacks(execute=True):
        assert post_signed(client, params).status_code == 200
    assert Tip.objects.count() == 1
    assert Attachment.objects.count() == 0
    assert pillow.canvases == 0
