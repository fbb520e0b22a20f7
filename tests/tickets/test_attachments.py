"""Attachment checks: limits, sniffed-type allowlist, safe names, checksums."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets.conftest import PDF, PNG, pdf, png
from tickets.attachments import AttachmentRejected, check_uploads, safe_name


def test_accepted_files_carry_sniffed_type_size_and_checksum() -> None:
    checked = check_uploads([png("Screen shot.PNG"), pdf()])
    assert [c.content_type for c in checked] == ["image/png", "application/pdf"]
    assert checked[0].name == "Screen shot.png"
    assert checked[0].size == len(PNG)
    assert checked[1].checksum == hashlib.sha256(PDF).hexdigest()


def test_the_browser_claim_is_ignored() -> None:
    disguised = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with pytest.raises(AttachmentRejected, match=r"photo\.png"):
        check_uploads([disguised])


def test_a_png_named_exe_keeps_a_png_extension() -> None:
    [checked] = check_uploads([SimpleUploadedFile("tool.exe", PNG, content_type="application/x-msdownload")])
    assert checked.content_type == "image/png" and checked.name == "tool.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("page.html", b"<!doctype html><p>hi</p>"),
        ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("notes.txt", "caf\xe9".encode("latin-1")),  # not UTF-8
        ("binary.txt", b"\x00\x01\x02text"),
    ],
)
def test_disallowed_types_are_refused(name: str, content: bytes) -> None:
    with pytest.raises(AttachmentRejected, match="not an accepted file type"):
        check_uploads([SimpleUploadedFile(name, content)])


def test_text_and_office_files_are_accepted() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("logs/app.log", "line\n")
    checked = check_uploads(
        [SimpleUploadedFile("app.log", "Erreur à 10:02\n".encode()), SimpleUploadedFile("logs.zip", buffer.getvalue())]
    )
    assert [c.content_type for c in checked] == ["text/plain", "application/zip"]


def test_size_limit(settings) -> None:
    settings.TICKETS_ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 200)
    with pytest.raises(AttachmentRejected, match="too large"):
        check_uploads([big])


def test_empty_files_are_refused() -> None:
    with pytest.raises(AttachmentRejected, match="empty"):
        check_uploads([SimpleUploadedFile("empty.txt", b"")])


def test_count_limits(settings) -> None:
    settings.TICKETS_ATTACHMENT_MAX_FILES_PER_UPLOAD = 2
    with pytest.raises(AttachmentRejected, match="at most 2 at a time"):
        check_uploads([png("a.png"), png("b.png"), png("c.png")])
    settings.TICKETS_ATTACHMENT_MAX_FILES_PER_TICKET = 3
    with pytest.raises(AttachmentRejected, match="at most 3 attachments"):
        check_uploads([png("a.png"), png("b.png")], already_on_ticket=2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\me\\shot.png", "shot.png"),
        ('<img src=x onerror="alert(1)">.png', "_img src_x onerror__alert(1)__.png"),
        ("\u202eevil\x00gnp.png", "evilgnp.png"),
        ("", "file.png"),
        ("a" * 300 + ".png", "a" * 116 + ".png"),
    ],
)
def test_safe_names(raw: str, expected: str) -> None:
    assert safe_name(raw, "image/png") == expected
