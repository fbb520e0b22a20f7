"""The per-file size limit, applied while the request body streams in.

Django spools each upload to a temporary file before any view sees it, so a check in the view
comes after a multi-gigabyte file has been written to disk. On the ticket URLs a first upload
handler passes a file's bytes on only up to the limit; past it, it keeps counting and hands the
view an empty stand-in of the full size, which the usual attachment checks refuse ("too large"),
with the form or the API answer they always give. Nothing past the limit is stored anywhere.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse

from tickets.attachments import max_file_bytes

# Where customers and agents upload ticket files (web forms, agent workspace, REST API).
UPLOAD_PATH_PREFIXES = ("/requests/", "/agent/tickets/", "/api/tickets/")


class OversizedUpload(UploadedFile):
    """A file that passed the limit: its name and full size, none of its bytes."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class FileSizeLimitHandler(FileUploadHandler):
    """First in the chain: forwards a file's chunks while it is within the limit, then only counts."""

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        return raw_data if self.received <= max_file_bytes() else None  # None: later handlers get nothing

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= max_file_bytes():
            return None  # the next handler builds the file
        return OversizedUpload(self.file_name, self.content_type, self.received, self.charset)


class UploadLimitMiddleware:
    """Puts ``FileSizeLimitHandler`` first on the ticket URLs (Wagtail's uploads keep their own limits)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(UPLOAD_PATH_PREFIXES):
            request.upload_handlers.insert(0, FileSizeLimitHandler(request))
        return self.get_response(request)
