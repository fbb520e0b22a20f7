"""The per-file size limit, applied while the request body streams in.

Django spools an upload to a temporary file before any view sees it, so a check in the view comes
after a multi-gigabyte file has been written to disk. Here a handler watches each file's bytes as
they arrive on the ticket URLs, stops keeping them once a file passes the limit, and the
middleware answers 413 before the view runs, so nothing of the request is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tickets.attachments import max_file_bytes

logger = logging.getLogger(__name__)

# Where customers and agents upload ticket files (web forms, agent workspace, REST API).
UPLOAD_PATH_PREFIXES = ("/requests/", "/agent/tickets/", "/api/tickets/")


class FileSizeLimitHandler(FileUploadHandler):
    """First in the chain: passes each chunk on until the file outgrows the limit, then stops the parse."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > max_file_bytes():
            self.request.upload_too_large = self.file_name
            # Not a connection reset: the rest of the body is read and dropped, so the client gets our answer.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


class UploadLimitMiddleware:
    """Parses multipart bodies on the ticket URLs with the limit in place; refuses an oversized file."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.content_type == "multipart/form-data"
            and request.path.startswith(UPLOAD_PATH_PREFIXES)
        ):
            request.upload_handlers.insert(0, FileSizeLimitHandler(request))
            request.POST  # noqa: B018 - parse now, under the limit (views and DRF reuse the result)
            name = getattr(request, "upload_too_large", None)
            if name is not None:
                return too_large(request, name)
        return self.get_response(request)


def too_large(request: HttpRequest, name: str) -> HttpResponse:
    message = _("“%(name)s” is larger than %(limit)s, the limit per file. Nothing was saved.") % {
        "name": name[:80],
        "limit": filesizeformat(max_file_bytes()),
    }
    logger.warning("upload refused while streaming: %s over %d bytes on %s", name[:80], max_file_bytes(), request.path)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "tickets/upload_too_large.html", {"message": message}, status=413)
