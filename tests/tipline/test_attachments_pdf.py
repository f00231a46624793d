"""PDF files are parsed and rebuilt from their pages: what could act, link out, carry another
file or name the author does not survive; what cannot be rebuilt safely is refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter

from tipline import attachments, pdfs

from . import pdf_samples
from .pdf_samples import AUTHOR, CLEAN, HELLO, HOSTILE, REFUSED


def _clean(data: bytes, name: str = "file.pdf") -> attachments.CleanUpload:
    return attachments.upload_clean(SimpleUploadedFile(name, data))


def _page_content(data: bytes) -> bytes:
    return PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()


def test_it_keeps_a_clean_pdf_s_pages_and_drops_its_author():
    clean = _clean(CLEAN)
    assert clean.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(clean.data))
    assert len(reader.pages) == 1
    assert _page_content(clean.data) == HELLO
    assert "Hello from page one" in reader.pages[0].extract_text()
    assert reader.metadata is None
    assert AUTHOR not in clean.data and b"My notes" not in clean.data


@pytest.mark.parametrize("label", list(HOSTILE))
def test_it_rebuilds_a_hostile_pdf_without_what_it_carried(label):
    data, forbidden = HOSTILE[label]
    # Each sample is what the old byte filter let through, stored unchanged.
    assert all(needle in data for needle in forbidden)
    clean = _clean(data)
    for needle in forbidden:
        assert needle not in clean.data, needle
    reader = PdfReader(io.BytesIO(clean.data))
    assert set(reader.trailer["/Root"]) == {"/Type", "/Pages"}
    page = reader.pages[0]
    assert not {"/Annots", "/AA", "/Metadata"} & set(page)
    assert _page_content(clean.data) == HELLO


@pytest.mark.parametrize("label", list(REFUSED))
def test_it_refuses_a_pdf_it_cannot_rebuild_safely(label):
    with pytest.raises(ValidationError) as error:
        _clean(REFUSED[label])
    assert error.value.code == "pdf"
    assert "could not be read as a PDF we can accept" in error.value.messages[0]


def test_it_strips_the_metadata_of_the_pictures_a_pdf_draws():
    data = pdf_samples.with_photo()
    assert b"SpyCam" in data and AUTHOR in data
    clean = _clean(data)
    assert b"SpyCam" not in clean.data and AUTHOR not in clean.data
    image = PdfReader(io.BytesIO(clean.data)).pages[0]["/Resources"]["/XObject"]["/Im1"]
    picture = Image.open(io.BytesIO(image.get_object().get_data()))
    assert picture.size == (16, 16) and not picture.getexif()
    assert "comment" not in picture.info


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(CLEAN))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_it_refuses_a_pdf_that_needs_a_password_and_says_so():
    with pytest.raises(ValidationError) as error:
        _clean(_encrypted("open-sesame"), "locked.pdf")
    assert error.value.code == "pdf_password"
    assert "“locked.pdf” is protected by a password" in error.value.messages[0]


def test_it_rebuilds_a_pdf_locked_only_against_editing_unlocked():
    clean = _clean(_encrypted(""))
    reader = PdfReader(io.BytesIO(clean.data))
    assert not reader.is_encrypted
    assert _page_content(clean.data) == HELLO


def test_it_refuses_more_pages_than_it_rebuilds(monkeypatch):
    monkeypatch.setattr(pdfs, "MAX_PAGES", 0)
    with pytest.raises(ValidationError):
        _clean(CLEAN)


def test_it_strips_only_metadata_segments_from_a_jpeg():
    photo = pdf_samples.jpeg_with_gps()
    stripped = pdfs.jpeg_without_metadata(photo)
    assert b"SpyCam" not in stripped and AUTHOR not in stripped
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(photo)).tobytes()
    assert pdfs.jpeg_without_metadata(b"not a jpeg") == b"not a jpeg"
    assert pdfs.jpeg_without_metadata(photo[:30]) == photo[:30]
