"""Request bodies and uploaded files: held in memory within hard limits, never on disk, and a
body declared too large is refused with a page before a byte of it is read."""

import io
import re
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import RequestDataTooBig
from django.http.multipartparser import MultiPartParser

from tipline.attachments import MAX_UPLOAD_BYTES
from tipline.models import Attachment, Tip
from tipline.upload_handlers import MAX_REQUEST_BYTES, MemoryOnlyUploadHandler

from .web_helpers import png_file, tip_payload, web_env  # noqa: F401

pytestmark = pytest.mark.django_db

TWELVE_MB = 12 * 1024 * 1024
NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "tipline.conf"
BOUNDARY = "xYzZY"


class WatchedBody(io.BytesIO):
    """A request body that remembers whether anything read it."""

    was_read = False

    def read(self, *args):
        self.was_read = True
        return super().read(*args)

    def readline(self, *args):
        self.was_read = True
        return super().readline(*args)


def _multipart_file(name: str, content: bytes) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.fixture
def no_temporary_directory(settings, tmp_path, monkeypatch):
    """Point every temporary file at a directory that does not exist: writing one fails."""
    absent = tmp_path / "absent"
    settings.FILE_UPLOAD_TEMP_DIR = str(absent)
    monkeypatch.setattr(tempfile, "tempdir", str(absent))
    return absent


def test_it_refuses_a_twelve_megabyte_file_without_writing_it_anywhere(
    client, personas, no_temporary_directory
):
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * TWELVE_MB)
    big.name = "big.png"
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [big, png_file()]})
    assert response.status_code == 400
    assert "“big.png” is larger than 10 MB." in response.content.decode()
    uploads = response.wsgi_request.FILES.getlist("files")
    assert [upload.size for upload in uploads] == [TWELVE_MB + 8, png_file().size]
    assert not any(hasattr(upload, "temporary_file_path") for upload in uploads)
    assert not no_temporary_directory.exists()
    assert Tip.objects.count() == Attachment.objects.count() == 0


def test_it_keeps_several_files_in_memory_where_django_would_spool_them(
    client, personas, no_temporary_directory, settings
):
    # Django spools every file of a request over FILE_UPLOAD_MAX_MEMORY_SIZE to disk.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(
        "/s/lincoln-high/", {**tip_payload(), "files": [png_file("a.png"), png_file("b.png")]}
    )
    assert response.status_code == 303
    assert Attachment.objects.count() == 2


@pytest.mark.parametrize("language,text", [("en", "Your files are too large"), ("es", "grandes")])
def test_it_refuses_a_declared_body_over_the_cap_before_reading_it(
    client, personas, language, text
):
    body = WatchedBody(b"x" * 1024)
    response = client.generic(
        "POST",
        "/s/lincoln-high/",
        b"ignored",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(MAX_REQUEST_BYTES + 1),
        HTTP_ACCEPT_LANGUAGE=language,
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert text in response.content.decode()
    assert "911" in response.content.decode()
    assert not body.was_read
    assert Tip.objects.count() == 0


def test_it_reads_nothing_of_a_body_without_a_declared_length(client, personas):
    """A chunked body reaches a WSGI application without CONTENT_LENGTH: Django reads none of
    it (so it is never spooled), and the form answers as for an empty post."""
    body = WatchedBody(_multipart_file("big.png", b"\x00" * TWELVE_MB))
    response = client.generic(
        "POST",
        "/s/lincoln-high/",
        b"ignored",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": body},
    )
    assert response.status_code == 400
    assert not body.was_read
    assert Tip.objects.count() == 0


def test_it_stops_a_body_longer_than_it_declared():
    """A server that hands Django more than CONTENT_LENGTH still cannot fill its memory."""
    body = _multipart_file("big.png", b"\x00" * (MAX_REQUEST_BYTES + 1))
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": "1000",
    }
    parser = MultiPartParser(meta, io.BytesIO(body), [MemoryOnlyUploadHandler()])
    with pytest.raises(RequestDataTooBig):
        parser.parse()


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES + 1])
def test_it_keeps_a_file_of_ten_megabytes_whole_and_drops_a_larger_one(size):
    content = b"\x89PNG\r\n\x1a\n" + b"\x00" * (size - 8)
    body = _multipart_file("file.png", content)
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(body)),
    }
    _post, files = MultiPartParser(meta, io.BytesIO(body), [MemoryOnlyUploadHandler()]).parse()
    upload = files["files"]
    assert upload.size == size
    # A file over the limit arrives empty: only its size tells the form it was too large.
    assert upload.read() == (content if size == MAX_UPLOAD_BYTES else b"")


def test_it_serves_the_same_page_where_the_proxy_refuses_a_body(client):
    response = client.get("/too-large/")
    assert response.status_code == 413
    assert "up to 5 files of 10 MB each" in response.content.decode()


def test_it_keeps_the_reference_proxy_in_step_with_the_cap():
    """nginx refuses bodies over the app's cap with the app's page, and holds the ones it
    accepts in memory (its default writes any body over 16 KB to a temporary file)."""
    conf = NGINX_CONF.read_text()
    sizes = dict(
        re.findall(r"^\s*(client_max_body_size|client_body_buffer_size) (\d+)m;", conf, re.M)
    )
    assert int(sizes["client_max_body_size"]) * 1024 * 1024 == MAX_REQUEST_BYTES
    assert int(sizes["client_body_buffer_size"]) * 1024 * 1024 >= MAX_REQUEST_BYTES
    assert re.search(r"^\s*error_page 413 /too-large/;", conf, re.M)


def test_it_buffers_an_asgi_body_of_any_accepted_size_in_memory(settings):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= MAX_REQUEST_BYTES
    assert settings.FILE_UPLOAD_HANDLERS == ["tipline.upload_handlers.MemoryOnlyUploadHandler"]
