"""Hostile uploads through the REST API: path traversal names, spoofed types, archives.

Whatever the name says, the stored file gets a random name under PRIVATE_MEDIA_ROOT; whatever the
browser claims, the bytes decide the type; an archive is kept as one opaque file, never unpacked.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.factories import member
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def media(settings: object, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(root)  # where ticket files go
    cache.clear()  # rate limits
    return root


@pytest.fixture
def customer() -> User:
    return member("pro", "licensed")


def file_ticket(user: User, *files: SimpleUploadedFile) -> object:
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/tickets/",
        {"subject": "Upload check", "description": "See the attached file.", "files": list(files)},
        format="multipart",
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/cron.d/evil.png",
        "..\\..\\..\\Windows\\System32\\evil.png",
        "/var/www/evil.png",
        "C:\\evil.png",
        "....//....//evil.png",
        "evil\x00.png",
    ],
)
def test_traversal_names_never_reach_the_storage(media: Path, customer: User, tmp_path: Path, name: str) -> None:
    response = file_ticket(customer, SimpleUploadedFile(name, PNG, content_type="image/png"))
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    assert ".." not in attachment.original_name.replace("....", "")[:2]
    assert not attachment.original_name.startswith(".")
    assert "\x00" not in attachment.original_name
    (stored,) = stored_files(media)
    assert stored.resolve().is_relative_to((media / "tickets" / "attachments").resolve())
    assert "evil" not in stored.name  # the original name never names the stored file
    assert stored.read_bytes() == PNG
    assert not any(path.name.startswith("evil") for path in tmp_path.rglob("*") if path != stored)


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("screenshot.png", b"<html><script>alert(document.cookie)</script></html>", "image/png"),
        ("photo.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg"),
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "application/pdf"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        ("notes.txt", b"\xff\xfe\x00\x00binary\x00\x01\x02", "text/plain"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", "text/plain"),
    ],
)
def test_spoofed_types_are_refused_and_nothing_is_saved(
    media: Path, customer: User, name: str, content: bytes, claimed: str
) -> None:
    response = file_ticket(customer, SimpleUploadedFile(name, content, content_type=claimed))
    assert response.status_code == 400, response.content
    assert name.split(".")[0] in response.content.decode()  # the message names the file
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_png_claiming_to_be_a_pdf_is_stored_as_what_it_is(media: Path, customer: User) -> None:
    response = file_ticket(customer, SimpleUploadedFile("invoice.pdf", PNG, content_type="application/pdf"))
    if response.status_code == 400:
        assert not Attachment.objects.exists()
        return
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert not attachment.original_name.endswith(".pdf")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return buffer.getvalue()


def test_archives_are_kept_whole_and_never_unpacked(media: Path, customer: User, tmp_path: Path) -> None:
    inner = _zip({"deeper/../../escape.txt": b"nested"})
    archive = _zip(
        {
            "../../../../tmp/zip-slip.txt": b"owned",
            "/etc/absolute.txt": b"owned",
            "bomb.txt": b"0" * 5_000_000,  # compresses to a few KB
            "inner.zip": inner,
        }
    )
    response = file_ticket(customer, SimpleUploadedFile("logs.zip", archive, content_type="application/zip"))
    assert response.status_code == 201, response.content
    (stored,) = stored_files(media)
    assert stored.read_bytes() == archive
    names = {path.name for path in tmp_path.rglob("*")}
    assert not names & {"zip-slip.txt", "absolute.txt", "bomb.txt", "inner.zip", "escape.txt"}
    assert not Path("/tmp/zip-slip.txt").exists()

    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/zip"
    client = APIClient()
    client.force_login(customer)
    download = client.get(f"/requests/{attachment.ticket.number}/files/{attachment.pk}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == archive
