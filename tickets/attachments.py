"""Checking uploaded files before anything is saved: limits, a type allowlist by content, safe names.

The type comes from the file's bytes (``filetype``), never from the browser's claim or the
extension alone, so a script renamed ``.png`` is refused. Plain text has no magic number: a file
is accepted as text only if it has a text extension and decodes as UTF-8.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Sniffed type -> extensions a file of that type may keep.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "application/zip": (".zip",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "text/plain": (".txt", ".log", ".csv", ".json", ".xml", ".md"),
}
# Images the browser may show inline; everything else is served as a download.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_SNIFF_BYTES = 8192
_UNSAFE_CHARS = re.compile(r"[^\w.\- ()\[\]+]", re.UNICODE)


def max_file_bytes() -> int:
    return int(getattr(settings, "TICKETS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_files_per_upload() -> int:
    return int(getattr(settings, "TICKETS_ATTACHMENT_MAX_FILES_PER_UPLOAD", 5))


def max_files_per_ticket() -> int:
    return int(getattr(settings, "TICKETS_ATTACHMENT_MAX_FILES_PER_TICKET", 20))


class AttachmentRejected(Exception):
    """An upload refused before anything was stored; ``message`` is translated and names the file,
    ``too_large`` tells callers (the API's 413) what the message says in any language."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with what we learned about it."""

    upload: UploadedFile
    name: str
    size: int
    content_type: str
    checksum: str


def safe_name(raw: str, content_type: str) -> str:
    """A display name with no path, no control or markup characters, and an extension matching the type."""
    base = PureWindowsPath(PurePosixPath(raw or "").name).name  # drop both kinds of directories
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_CHARS.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    allowed = ALLOWED_TYPES.get(content_type, ())
    extension = f".{ext.lower()}" if ext else ""
    if extension not in allowed:
        extension = allowed[0] if allowed else ""
    stem = (stem or "file")[: 120 - len(extension)]
    return f"{stem}{extension}"


def sniff(upload: UploadedFile, claimed_name: str) -> str | None:
    """The allowlisted type of ``upload`` judged from its bytes, or None."""
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_TYPES and kind.mime != "text/plain" else None
    extension = PurePosixPath(claimed_name.lower()).suffix
    if extension not in ALLOWED_TYPES["text/plain"] or b"\x00" in head:
        return None
    try:
        _read_all(upload).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    return data


def _checksum(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_uploads(uploads: Iterable[UploadedFile], *, already_on_ticket: int = 0) -> list[CheckedFile]:
    """Validate every file of one upload; raise ``AttachmentRejected`` on the first problem.

    All files are checked before any is stored, so a bad file in a batch saves none of them.
    """
    files = [upload for upload in uploads if upload is not None]
    if len(files) > max_files_per_upload():
        raise AttachmentRejected(
            _("Too many files: attach at most %(count)d at a time.") % {"count": max_files_per_upload()}
        )
    if already_on_ticket + len(files) > max_files_per_ticket():
        raise AttachmentRejected(
            _("Too many files: a request can hold at most %(count)d attachments.") % {"count": max_files_per_ticket()}
        )
    checked: list[CheckedFile] = []
    for upload in files:
        claimed = upload.name or "file"
        display = PurePosixPath(claimed).name[:80]
        if upload.size is None or upload.size == 0:
            raise AttachmentRejected(_("“%(name)s” is empty.") % {"name": display})
        if upload.size > max_file_bytes():
            raise AttachmentRejected(
                _("“%(name)s” is too large (%(size)s); the limit is %(limit)s per file.")
                % {"name": display, "size": filesizeformat(upload.size), "limit": filesizeformat(max_file_bytes())},
                too_large=True,
            )
        content_type = sniff(upload, claimed)
        if content_type is None:
            raise AttachmentRejected(
                _("“%(name)s” is not an accepted file type. Accepted: images, PDF, office documents, ZIP and text.")
                % {"name": display}
            )
        checked.append(
            CheckedFile(
                upload=upload,
                name=safe_name(claimed, content_type),
                size=upload.size,
                content_type=content_type,
                checksum=_checksum(upload),
            )
        )
    return checked
