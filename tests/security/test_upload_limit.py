"""The per-file size limit holds while the body streams in: an oversized file is refused as the
attachment checks always refuse it (413 from the API, the form again with its message on the
web), nothing is saved, and no more than the limit is ever handed to the storage handlers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client

from accounts.models import User
from tests.accounts.factories import member
from tickets.models import Attachment, Comment, Ticket

pytestmark = pytest.mark.django_db

LIMIT = 300_000  # bytes; Django reads uploads in 64 KiB chunks


class ChunkCounter(FileUploadHandler):
    """Installed after the limit: counts the bytes the real storage handlers would receive."""

    received: list[int] = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        ChunkCounter.received.append(len(raw_data))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def limited(settings: object, tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(media)  # where ticket files go
    settings.TICKETS_ATTACHMENT_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_HANDLERS = [
        "tests.security.test_upload_limit.ChunkCounter",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    ChunkCounter.received = []
    cache.clear()  # rate limits
    return media


@pytest.fixture
def customer() -> User:
    return member("pro", "licensed")


def text_file(size: int, name: str = "server.log") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"a" * size, content_type="text/plain")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_api_refuses_an_oversized_file_and_never_spools_it(limited: Path, customer: User) -> None:
    response = signed_in(customer).post(
        "/api/tickets/", {"subject": "Logs", "description": "Attached.", "files": [text_file(LIMIT * 10)]}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "“server.log” is too large (2.9\xa0MB); the limit is 293.0\xa0KB per file."}
    assert sum(ChunkCounter.received) <= LIMIT  # 3 MB sent; never more than the limit handed to storage
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert not any(limited.rglob("*.log"))


def test_the_portal_form_shows_the_refusal_and_keeps_what_was_typed(limited: Path, customer: User) -> None:
    client = signed_in(customer)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    response = client.post(
        "/requests/new/ticket",
        {
            "subject": "Journaux",
            "description": "Ci-joints.",
            "route": "standard",
            "product_area": "other",
            "files": [text_file(LIMIT + 1)],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "« server.log » est trop volumineux (293,0\xa0Kio) ; la limite est de 293,0\xa0Kio par fichier." in page
    assert 'value="Journaux"' in page and "Ci-joints." in page
    assert sum(ChunkCounter.received) <= LIMIT
    assert not Ticket.objects.exists()


def test_a_reply_with_an_oversized_file_is_refused_whole(limited: Path, customer: User) -> None:
    from tickets import services

    ticket = services.ticket_create(requester=customer, subject="Sync stopped", description="Since Monday.")
    response = signed_in(customer).post(
        f"/requests/{ticket.number}", {"body": "Here are the logs.", "files": [text_file(100), text_file(LIMIT + 1)]}
    )
    assert response.status_code == 400
    assert "is too large" in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists() and not Attachment.objects.exists()


def test_the_api_says_413_in_french_too(limited: Path, customer: User) -> None:
    response = signed_in(customer).post(
        "/api/tickets/",
        {"subject": "Journaux", "description": "Ci-joints.", "files": [text_file(LIMIT + 1)]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 413
    assert "est trop volumineux" in response.json()["detail"]


def test_a_file_at_the_limit_goes_through(limited: Path, customer: User) -> None:
    response = signed_in(customer).post(
        "/api/tickets/", {"subject": "Logs", "description": "Attached.", "files": [text_file(LIMIT)]}
    )
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().size == LIMIT


def test_uploads_elsewhere_are_not_limited_by_the_ticket_rule(limited: Path) -> None:
    """Wagtail's image and document uploads keep their own limits: the ticket rule only covers ticket URLs."""
    Client().post("/accounts/login/", {"files": [text_file(LIMIT * 2)]})
    assert sum(ChunkCounter.received) == LIMIT * 2  # every byte reached the storage handlers
