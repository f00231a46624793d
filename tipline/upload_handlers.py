"""Uploaded files are held in memory only, within hard limits, and never written to disk.

Django's default handlers spool any request over FILE_UPLOAD_MAX_MEMORY_SIZE into a temporary
file, unencrypted, before a view can refuse it. `MemoryOnlyUploadHandler` (the only entry of
FILE_UPLOAD_HANDLERS) keeps at most MAX_UPLOAD_BYTES of each file: the rest of a larger file is
read from the request and dropped, and the file is handed on empty with its true size, so the
form answers "larger than 10 MB" (tipline.attachments.upload_clean) instead of the connection
breaking. A request declaring more than MAX_REQUEST_BYTES is refused before its body is read
(config.middleware.RefuseOversizedRequestsMiddleware); the handler refuses one that turns out
larger anyway, so memory per request stays under MAX_REQUEST_BYTES whatever the client says.
"""

from __future__ import annotations

from io import BytesIO

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .attachments import MAX_FILES, MAX_UPLOAD_BYTES

# The text fields of the largest form (a tip: 5,000 characters and a few short answers, in
# UTF-8) and the multipart headers fit many times over in one more megabyte.
FORM_TEXT_ALLOWANCE = 1024 * 1024
MAX_REQUEST_BYTES = MAX_FILES * MAX_UPLOAD_BYTES + FORM_TEXT_ALLOWANCE
TOO_LARGE = "The request body is larger than any form here accepts."


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Each file into a BytesIO, at most MAX_UPLOAD_BYTES of it; nothing on disk, ever."""

    def __init__(self, request=None):
        super().__init__(request)
        self.request_bytes = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > MAX_REQUEST_BYTES:
            raise RequestDataTooBig(TOO_LARGE)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        # Under WSGI Django reads no more than CONTENT_LENGTH; this guards servers that do not.
        self.request_bytes += len(raw_data)
        if self.request_bytes > MAX_REQUEST_BYTES:
            raise RequestDataTooBig(TOO_LARGE)
        room = MAX_UPLOAD_BYTES - self.kept
        if room > 0:
            piece = raw_data[:room]
            self.file.write(piece)
            self.kept += len(piece)
        # Nothing is passed on: no later handler may keep (or spool) what was dropped here.
        return None

    def file_complete(self, file_size):
        if file_size > self.kept:
            # Too large: only its size is kept, for the form's error message.
            self.file = BytesIO()
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
