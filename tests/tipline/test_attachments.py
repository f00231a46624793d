"""Uploads are judged by content, cleaned of metadata, size-limited and stored encrypted."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tipline import attachments
from tipline.models import Tip

from .web_helpers import (
    EXIF_MAKE,
    GPS_IFD,
    jpeg_with_gps,
    pdf_file,
    png_file,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def test_it_removes_exif_and_gps_from_photos():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original.read())).getexif().get(EXIF_MAKE) == "SpyCam Inc"
    original.seek(0)
    clean = attachments.upload_clean(original)
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert GPS_IFD not in image.getexif()
    assert b"SpyCam" not in clean.data
    assert "exif" not in image.info


def test_it_refuses_a_script_renamed_jpg():
    script = SimpleUploadedFile("cat.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        attachments.upload_clean(script)
    assert error.value.code == "type"


def test_it_refuses_a_truncated_image_that_claims_to_be_jpeg():
    broken = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    with pytest.raises(ValidationError) as error:
        attachments.upload_clean(broken)
    assert error.value.code == "broken"


def test_it_refuses_oversized_files():
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        attachments.upload_clean(big)
    assert error.value.code == "size"


def test_it_refuses_decompression_bombs(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValidationError) as error:
        attachments.upload_clean(png_file(size=(20, 20)))
    assert error.value.code == "pixels"


def test_it_accepts_plain_pdfs_and_rebuilds_active_ones_without_their_actions():
    assert attachments.upload_clean(pdf_file()).content_type == "application/pdf"
    active = pdf_file(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")
    clean = attachments.upload_clean(active)
    assert b"app.alert" not in clean.data and b"/OpenAction" not in clean.data


def test_it_keeps_png_transparency_and_drops_text_chunks():
    clean = attachments.upload_clean(png_file())
    image = Image.open(io.BytesIO(clean.data))
    assert (image.format, image.mode) == ("PNG", "RGBA")


def test_it_stores_files_encrypted_on_disk(client, personas):
    client.post("/s/lincoln-high/", {**tip_payload(), "files": [png_file()]})
    attachment = Tip.objects.get().attachments.get()
    on_disk = attachments.attachment_path(attachment).read_bytes()
    assert not on_disk.startswith(b"\x89PNG")
    assert attachments.attachment_read(attachment).startswith(b"\x89PNG")


def test_it_shows_the_form_error_for_a_renamed_script(client, personas):
    script = SimpleUploadedFile("evil.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [script]})
    assert "is not a photo" in str(response.context["form"].errors["files"])
    assert Tip.objects.count() == 0


def test_it_refuses_more_than_five_files(client, personas):
    files = [png_file(f"{n}.png") for n in range(6)]
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": files})
    assert "at most 5" in str(response.context["form"].errors["files"])
