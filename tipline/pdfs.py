"""PDF files from tipsters, rebuilt from their pages with nothing that acts, links out, carries
other files or names its author.

A PDF is parsed (pypdf, pure Python: no native parser meets a hostile file here) and a new
file is written holding only the pages' drawing: each page keeps its content, resources and
boxes; everything else is left behind with the original's catalog and trailer. So these
never reach the stored copy:

- actions of any kind: JavaScript, Launch, URI, SubmitForm, ImportData, GoToR/GoToE, the
  document's OpenAction and the additional actions (/AA) of the document and its pages;
- annotations: links, comments, form fields (an AcroForm and its XFA), file attachments,
  RichMedia, sound and movie;
- embedded files, outlines, named destinations, article threads, the structure tree;
- metadata: the information dictionary (author, title, producer, dates), XMP streams of the
  document, its pages and its pictures, and the EXIF, XMP and comment segments of the JPEG
  pictures it draws.

Names are compared after pypdf has decoded their #xx escapes, so /J#61vaScript is JavaScript.
What is left is walked once more: a dictionary that still looks like an action or active
content (say, JavaScript hidden in a font's resources) refuses the file rather than being
patched; so does HTML in the rebuilt bytes (a PDF/HTML polyglot), a file that does not parse,
one that needs a password, and one with no pages or more than MAX_PAGES.

Contract: `pdf_rebuild(data)` returns the rebuilt bytes or raises `PdfRefused`.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

MAX_PAGES = 500
# What a page keeps: how to draw it, and where.
PAGE_KEYS_KEPT = frozenset(
    {
        "/Type",
        "/Contents",
        "/Resources",
        "/MediaBox",
        "/CropBox",
        "/BleedBox",
        "/TrimBox",
        "/ArtBox",
        "/Rotate",
        "/UserUnit",
        "/Group",
    }
)
# Keys that only active content carries; none belongs in a page's drawing.
ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/OpenAction",
        "/A",
        "/Launch",
        "/URI",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
        "/AcroForm",
        "/Annots",
    }
)
ACTION_TYPES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/URI",
        "/SubmitForm",
        "/ImportData",
        "/ResetForm",
        "/GoTo",
        "/GoToR",
        "/GoToE",
        "/GoTo3DView",
        "/Rendition",
        "/Sound",
        "/Movie",
        "/Hide",
        "/Named",
        "/SetOCGState",
        "/Trans",
        "/RichMediaExecute",
        "/Thread",
    }
)
ACTIVE_TYPES = frozenset({"/Action", "/Annot", "/Filespec", "/EmbeddedFile"})
# PostScript XObjects run code in printers that still honour them.
ACTIVE_SUBTYPES = frozenset({"/PS", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
METADATA_KEYS = ("/Metadata", "/PieceInfo")
HTML_MARKERS = re.compile(rb"<\s*(?:html|script|body|iframe|svg|!doctype)\b", re.IGNORECASE)
# JPEG markers: APP1 to APP13 and APP15 (EXIF, GPS, XMP, ICC, IPTC...) and COM go; APP0
# (JFIF) and APP14 (Adobe: how to read the colours) stay.
JPEG_METADATA_MARKERS = frozenset({*range(0xE1, 0xEE), 0xEF, 0xFE})
JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})


class PdfRefused(Exception):
    """The file is not a PDF we can rebuild without active content."""


def pdf_rebuild(data: bytes) -> bytes:
    """The PDF rebuilt from its pages alone (see the module's docstring), or PdfRefused."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfRefused("password")
        page_count = len(reader.pages)
        if not 0 < page_count <= MAX_PAGES:
            raise PdfRefused("pages")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page, excluded_keys=[key for key in page if key not in PAGE_KEYS_KEPT])
        writer.metadata = None
        _scrub(writer.root_object)
        # Objects cut off above (metadata streams) would still be written: drop them.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        buffer = io.BytesIO()
        writer.write(buffer)
    except PdfRefused:
        raise
    except Exception as error:
        # A parser meeting hostile bytes can fail in any way (its own errors, but also
        # KeyError, RecursionError...): all of them mean this file is not taken.
        raise PdfRefused(type(error).__name__) from None
    rebuilt = buffer.getvalue()
    if HTML_MARKERS.search(rebuilt):
        raise PdfRefused("html")
    return rebuilt


def _scrub(root: DictionaryObject) -> None:
    """Walk every object reachable from the rebuilt catalog: drop metadata, strip JPEG
    pictures' metadata, and refuse anything active."""
    stack: list = [root]
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if _is_active(item):
                raise PdfRefused("active")
            for key in METADATA_KEYS:
                item.pop(key, None)
            if isinstance(item, StreamObject) and _filters(item) == ["/DCTDecode"]:
                # pypdf hands DCT data over as it is stored (it does not decode JPEG); the
                # base class's setter stores it back the same way, still DCT-encoded.
                StreamObject.set_data(item, jpeg_without_metadata(item.get_data()))
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _is_active(dictionary: DictionaryObject) -> bool:
    if any(key in ACTIVE_KEYS for key in dictionary):
        return True
    return (
        dictionary.get("/S") in ACTION_TYPES
        or dictionary.get("/Type") in ACTIVE_TYPES
        or dictionary.get("/Subtype") in ACTIVE_SUBTYPES
    )


def _filters(stream: StreamObject) -> list[str]:
    filters = stream.get("/Filter")
    if filters is None:
        return []
    filters = filters.get_object()
    return [str(name) for name in filters] if isinstance(filters, ArrayObject) else [str(filters)]


def jpeg_without_metadata(data: bytes) -> bytes:
    """The JPEG without its metadata segments (JPEG_METADATA_MARKERS); the bytes unchanged
    when they do not parse as a JPEG (a viewer could not draw them either)."""
    if not data.startswith(b"\xff\xd8"):
        return data
    kept = [b"\xff\xd8"]
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in JPEG_STANDALONE_MARKERS:
            kept.append(data[position : position + 2])
            position += 2
            continue
        if marker == 0xDA:  # start of scan: the compressed pixels follow, to the end
            kept.append(data[position:])
            return b"".join(kept)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return data
        if marker not in JPEG_METADATA_MARKERS:
            kept.append(data[position:end])
        position = end
    return data
