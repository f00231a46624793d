"""Files from tipsters: checked by content, cleaned, and stored encrypted.

Contract:
- `upload_clean(upload)` accepts JPEG, PNG, GIF and WebP images and PDF documents, judged by
  their bytes, never by name or declared type. Images are decoded within a pixel budget
  (decompression bombs are refused) and re-encoded from their pixels alone, so EXIF, GPS,
  XMP, ICC and text chunks are gone; orientation is applied first. PDFs must look like PDFs
  and carry no active content (JavaScript, launch actions, embedded files).
- `attachment_store(...)` encrypts the cleaned bytes (MultiFernet, see accounts.crypto) and
  only then hands them to the "attachments" storage (STORAGES in settings: the file system
  under MEDIA_ROOT/attachments/ by default, an object store through django-storages when web
  nodes must be stateless). Nothing there is served by URL; staff download through a
  permission-checked view, which decrypts.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts import crypto
from cases.models import Case
from tipline.models import Attachment, Message, Tip

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# 40 megapixels: any phone photo, far below what would exhaust memory when decoded.
MAX_IMAGE_PIXELS = 40_000_000
STORAGE_ALIAS = "attachments"
STORAGE_DIRECTORY = "attachments"

ERROR_TOO_LARGE = _("“%(name)s” is larger than 10 MB.")
ERROR_TYPE = _("“%(name)s” is not a photo (JPEG, PNG, GIF, WebP) or a PDF.")
ERROR_BROKEN = _("“%(name)s” could not be read as a picture. Try another photo.")
ERROR_TOO_MANY_PIXELS = _("“%(name)s” is too large a picture. Try a smaller one.")
ERROR_PDF = _("“%(name)s” is not a PDF we can accept (it may contain scripts or other files).")
ERROR_TOO_MANY = _("You can add at most 5 files.")

IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
# Names of PDF features that run code or smuggle other files in.
PDF_ACTIVE_CONTENT = (
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/RichMedia",
    b"/XFA",
    b"/SubmitForm",
)


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


def _clean_image(data: bytes, kind: str, name: str) -> CleanUpload:
    params = {"name": name}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            # Only the header has been read: refuse huge canvases before decoding pixels.
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(ERROR_TOO_MANY_PIXELS, code="pixels", params=params)
            image = ImageOps.exif_transpose(image)
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ValidationError(ERROR_TOO_MANY_PIXELS, code="pixels", params=params) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(ERROR_BROKEN, code="broken", params=params) from error
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "JPEG" or (kind == "WEBP" and not has_alpha):
        pixels = image.convert("L" if image.mode == "L" else "RGB")
        out_format, content_type, extension = "JPEG", "image/jpeg", "jpg"
    else:
        pixels = image.convert("RGBA" if has_alpha else "RGB")
        out_format, content_type, extension = "PNG", "image/png", "png"
    # A new image from the pixels alone: nothing of the original's metadata comes along.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    buffer = io.BytesIO()
    if out_format == "JPEG":
        clean.save(buffer, format="JPEG", quality=88, optimize=True)
    else:
        clean.save(buffer, format="PNG", optimize=True)
    return CleanUpload(buffer.getvalue(), content_type, extension, name)


def _clean_pdf(data: bytes, name: str) -> CleanUpload:
    params = {"name": name}
    if b"%%EOF" not in data[-2048:] or any(marker in data for marker in PDF_ACTIVE_CONTENT):
        raise ValidationError(ERROR_PDF, code="pdf", params=params)
    return CleanUpload(data, "application/pdf", "pdf", name)


def upload_clean(upload) -> CleanUpload:
    """Check one uploaded file by its content and return it cleaned, or raise ValidationError."""
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
    return _clean_image(data, kind, name)


def attachment_storage() -> Storage:
    """The storage tipsters' files live in, encrypted (settings.STORAGES["attachments"])."""
    return storages[STORAGE_ALIAS]


def _stored(data: bytes, extension: str) -> str:
    """Save encrypted bytes under a fresh random name; returns the name the storage chose."""
    name = f"{STORAGE_DIRECTORY}/{secrets.token_hex(16)}.{extension}.bin"
    return attachment_storage().save(name, ContentFile(crypto.encrypt_bytes(data)))


def attachment_store(
    *,
    case: Case,
    upload: CleanUpload,
    tip: Tip | None = None,
    message: Message | None = None,
) -> Attachment:
    """Encrypt the cleaned bytes into storage and record them against the case (and
    tip/message)."""
    storage_name = _stored(upload.data, upload.extension)
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
    with attachment_storage().open(attachment.storage_name, "rb") as handle:
        return crypto.decrypt_bytes(handle.read())


def attachment_reencrypt(attachment: Attachment) -> bool:
    """Re-encrypt the stored file under the newest key; False when the file is missing.

    The new token is saved under a new name before the row points at it and the old file is
    deleted, so a crash half-way leaves the old, still readable file in place.
    """
    storage, old_name = attachment_storage(), attachment.storage_name
    if not storage.exists(old_name):
        return False
    with storage.open(old_name, "rb") as handle:
        token = crypto.rotate_token(handle.read())
    extension = old_name.rsplit("/", 1)[-1].split(".")[1]
    new_name = f"{STORAGE_DIRECTORY}/{secrets.token_hex(16)}.{extension}.bin"
    new_name = storage.save(new_name, ContentFile(token))
    Attachment.objects.filter(id=attachment.id).update(storage_name=new_name)
    attachment.storage_name = new_name
    storage.delete(old_name)
    return True


def attachment_files_delete(names: list[str]) -> int:
    """Delete stored files (retention); returns how many were there. Errors are logged with
    no name or content, and the rest go on."""
    storage, deleted = attachment_storage(), 0
    for name in names:
        try:
            if storage.exists(name):
                storage.delete(name)
                deleted += 1
        except OSError:
            logger.exception("could not erase an attachment file")
    return deleted
