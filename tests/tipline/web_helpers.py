"""Helpers for the web-tip tests: files made in memory, and a valid form payload."""

import io
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .pdf_samples import pdf

GPS_IFD = 0x8825
EXIF_MAKE = 0x010F


def jpeg_with_gps(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    """A real JPEG carrying a camera make and a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[EXIF_MAKE] = "SpyCam Inc"
    exif[GPS_IFD] = {1: "N", 2: (39.0, 44.0, 21.0), 3: "W", 4: (104.0, 59.0, 3.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_file(name: str = "shot.png", size=(20, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_file(name: str = "note.pdf", catalog: bytes = b"") -> SimpleUploadedFile:
    """A one-page PDF; `catalog` adds entries to its catalog."""
    return SimpleUploadedFile(name, pdf(catalog=catalog), content_type="application/pdf")


def huge_png(width: int, height: int) -> bytes:
    """A greyscale PNG of width x height black pixels that is only kilobytes long: the
    header says how large it is, the rows compress to almost nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    rows = zlib.compressobj(6)
    row = b"\x00" * (width + 1)
    idat = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@dataclass
class PillowAllocations:
    canvases: int = 0
    megabytes: int = 0


@contextmanager
def pillow_allocations():
    """What Pillow's own allocator handed out while the block ran: image canvases created and
    memory in its 16 MB blocks. Decoded pixels live there, out of tracemalloc's sight."""
    before = Image.core.get_stats()
    measured = PillowAllocations()
    yield measured
    after = Image.core.get_stats()
    blocks = sum(after[key] - before[key] for key in ("allocated_blocks", "reused_blocks"))
    measured.canvases = after["new_count"] - before["new_count"]
    measured.megabytes = blocks * Image.core.get_block_size() // (1024 * 1024)


def tip_payload(**overrides) -> dict:
    payload = {
        "body": "Someone is selling vapes in the east bathroom.",
        "category": "substances",
        "danger_now": "no",
        "who_involved": "",
        "location": "East bathroom",
        "when_happened": "Mornings",
        "contact_details": "",
    }
    payload.update(overrides)
    return payload


def submit_tip(client, slug: str = "lincoln-high", **overrides):
    """POST a valid tip and follow the redirect to its receipt (the last response).
    UPPER_CASE keywords (REMOTE_ADDR...) go to the request's META."""
    meta = {key: overrides.pop(key) for key in list(overrides) if key.isupper()}
    return client.post(f"/s/{slug}/", tip_payload(**overrides), follow=True, **meta)


def receipt_code_from(response) -> str:
    return response.context["receipt_code"]


_TOKEN_INPUT = re.compile(r'name="submission_token" value="([^"]+)"')


def form_token(response) -> str:
    """The one-time token a rendered public form carries."""
    return _TOKEN_INPUT.search(response.content.decode()).group(1)


@pytest.fixture(autouse=True)
def web_env(settings, tmp_path):
    """Files into a temporary MEDIA_ROOT; throttle counters start from zero."""
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield
    cache.clear()
