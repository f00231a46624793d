"""Files from tipsters: checked by content, cleaned, and stored encrypted.

Contract:
- `upload_clean(upload, *, budget)` accepts JPEG, PNG, GIF and WebP images and PDF documents,
  judged by their bytes, never by name or declared type. An image's size is read from its
  header and checked before any pixel is decoded: at most MAX_IMAGE_PIXELS are decoded for
  one picture (a larger JPEG is decoded at 1/2, 1/4 or 1/8 scale by the decoder itself; any
  other format is refused), and at most MAX_REQUEST_PIXELS for all the pictures of one tip,
  answer or MMS (`PixelBudget`, shared by the caller across its files). Images are
  re-encoded from their pixels alone, so EXIF, GPS, XMP, ICC, comments and text chunks are
  gone; orientation is applied first. PDFs are rebuilt from their pages alone
  (tipline.pdfs): no actions, links, forms, annotations, embedded files or metadata survive,
  and a PDF that does not parse, needs a password or hides active content is refused.
- `attachment_store(...)` writes the cleaned bytes Fernet-encrypted (MultiFernet, see
  tipline.crypto) under MEDIA_ROOT/attachments/, which is never served by URL; staff download
  through a permission-checked view.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import crypto, pdfs
from .models import Attachment, Case, Message, Tip

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# The largest picture decoded: 24 megapixels (about 96 MB of pixels in memory), room for a
# long scrolling screenshot. Larger phone photos (48, 108 MP) are JPEGs, decoded reduced.
MAX_IMAGE_PIXELS = 24_000_000
# All the pictures of one tip, answer or MMS together: five 12 MP photos fit whole, and a
# request full of pictures costs a few seconds of CPU at most.
MAX_REQUEST_PIXELS = 64_000_000
STORAGE_DIRECTORY = "attachments"

ERROR_TOO_LARGE = _("“%(name)s” is larger than 10 MB.")
ERROR_TYPE = _("“%(name)s” is not a photo (JPEG, PNG, GIF, WebP) or a PDF.")
ERROR_BROKEN = _("“%(name)s” could not be read as a picture. Try another photo.")
ERROR_TOO_MANY_PIXELS = _("“%(name)s” is too large a picture. Try a smaller one.")
ERROR_TOO_MANY_PIXELS_TOGETHER = _(
    "“%(name)s” was not added: together, your pictures are too large. Send fewer or smaller "
    "pictures."
)
ERROR_PDF = _(
    "“%(name)s” could not be read as a PDF we can accept. Try saving it again as a PDF, or "
    "send a photo of the page instead."
)
ERROR_PDF_PASSWORD = _("“%(name)s” is protected by a password. Send it without one.")
ERROR_TOO_MANY = _("You can add at most 5 files.")

IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)


@dataclass
class PixelBudget:
    """Pixels one request may still decode, across all its pictures."""

    remaining: int = MAX_REQUEST_PIXELS


@dataclass(frozen=True)
class CleanUpload:
    data: bytes
    content_type: str
    extension: str
    original_name: str


def _sniff(head: bytes) -> str | None:
    for signature, kind in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    return None


def _pixels_at(width: int, height: int, scale: int) -> int:
    return -(-width // scale) * -(-height // scale)


def _reduce_jpeg(image: Image.Image, allowance: int) -> None:
    """Have the JPEG decoder produce a 1/2, 1/4 or 1/8 scale image when the full one is over
    `allowance` pixels: it then never holds the full-size canvas."""
    width, height = image.size
    scale = 1
    while scale < 8 and _pixels_at(width, height, scale) > allowance:
        scale *= 2
    if scale > 1:
        image.draft(image.mode, (width // scale, height // scale))


def _decode(data: bytes, kind: str, name: str, budget: PixelBudget) -> Image.Image:
    """The image's pixels, decoded only once its size is known to fit both limits."""
    params = {"name": name}
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels and refuses from 179: the limits here are lower,
            # and are checked below, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
        # Only the header has been read.
        if kind == "JPEG":
            _reduce_jpeg(image, min(MAX_IMAGE_PIXELS, budget.remaining))
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(ERROR_TOO_MANY_PIXELS, code="pixels", params=params)
        if width * height > budget.remaining:
            raise ValidationError(
                ERROR_TOO_MANY_PIXELS_TOGETHER, code="pixels_together", params=params
            )
        budget.remaining -= width * height
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise ValidationError(ERROR_TOO_MANY_PIXELS, code="pixels", params=params) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(ERROR_BROKEN, code="broken", params=params) from error
    return image


def _clean_image(data: bytes, kind: str, name: str, budget: PixelBudget) -> CleanUpload:
    image = _decode(data, kind, name, budget)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "JPEG" or (kind == "WEBP" and not has_alpha):
        mode = "L" if image.mode == "L" else "RGB"
        out_format, content_type, extension = "JPEG", "image/jpeg", "jpg"
    else:
        mode = "RGBA" if has_alpha else "RGB"
        out_format, content_type, extension = "PNG", "image/png", "png"
    # Converted only when it must be: each copy is another canvas in memory.
    clean = image if image.mode == mode else image.convert(mode)
    del image
    # Only pixels are saved: the encoders write metadata only from `info` (comment, ICC
    # profile, transparency) or from what save() is given, and both are empty here.
    clean.info = {}
    # No `optimize`: for JPEG it holds every coefficient in memory (37 MB more for a 12 MP
    # photo), for PNG it triples the CPU time, each for a file about 10-20 % smaller.
    buffer = io.BytesIO()
    clean.save(buffer, format=out_format, **({"quality": 88} if out_format == "JPEG" else {}))
    return CleanUpload(buffer.getvalue(), content_type, extension, name)


def _clean_pdf(data: bytes, name: str) -> CleanUpload:
    params = {"name": name}
    try:
        rebuilt = pdfs.pdf_rebuild(data)
    except pdfs.PdfRefused as refusal:
        # The reason is a word of ours or an exception's class name, never the file's content.
        logger.info("pdf refused", extra={"event": f"pdf_refused:{refusal}"})
        if str(refusal) == "password":
            raise ValidationError(ERROR_PDF_PASSWORD, code="pdf_password", params=params) from None
        raise ValidationError(ERROR_PDF, code="pdf", params=params) from None
    return CleanUpload(rebuilt, "application/pdf", "pdf", name)


def upload_clean(upload, *, budget: PixelBudget | None = None) -> CleanUpload:
    """Check one uploaded file by its content and return it cleaned, or raise ValidationError.

    `budget` is shared by all the files of one request; without one, this file gets a budget
    of its own.
    """
    name = os.path.basename(getattr(upload, "name", "") or "file")[:200]
    params = {"name": name}
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(ERROR_TOO_LARGE, code="size", params=params)
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(ERROR_TOO_LARGE, code="size", params=params)
    kind = _sniff(data[:16])
    if kind is None:
        raise ValidationError(ERROR_TYPE, code="type", params=params)
    if kind == "PDF":
        return _clean_pdf(data, name)
    return _clean_image(data, kind, name, budget if budget is not None else PixelBudget())


def storage_root() -> Path:
    return Path(settings.MEDIA_ROOT) / STORAGE_DIRECTORY


def attachment_path(attachment: Attachment) -> Path:
    return storage_root() / attachment.storage_name


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def attachment_store(
    *,
    case: Case,
    upload: CleanUpload,
    tip: Tip | None = None,
    message: Message | None = None,
) -> Attachment:
    """Encrypt the cleaned bytes to disk and record them against the case (and tip/message)."""
    storage_name = f"{secrets.token_hex(16)}.{upload.extension}.bin"
    _write_atomically(storage_root() / storage_name, crypto.encrypt_bytes(upload.data))
    return Attachment.objects.create(
        case=case,
        tip=tip,
        message=message,
        storage_name=storage_name,
        content_type=upload.content_type,
        size=len(upload.data),
        original_name=upload.original_name,
    )


def attachment_read(attachment: Attachment) -> bytes:
    """The decrypted bytes. Callers must have checked the reader may see the case."""
    return crypto.decrypt_bytes(attachment_path(attachment).read_bytes())


def attachment_reencrypt(attachment: Attachment) -> bool:
    """Re-encrypt the stored file under the newest key; False when the file is missing."""
    path = attachment_path(attachment)
    if not path.exists():
        return False
    _write_atomically(path, crypto.rotate_token(path.read_bytes()))
    return True
