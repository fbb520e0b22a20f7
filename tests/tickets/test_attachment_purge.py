"""Stored files no attachment row points at are purged after a grace period; the others stay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.tickets.conftest import World, png
from tickets import services
from tickets.models import ATTACHMENTS_DIR, Attachment
from tickets.tasks import purge_attachment_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: object, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_orphans_go_after_the_grace_period_and_referenced_files_stay(world: World, media: Path) -> None:
    ticket = services.ticket_create(requester=world.alice, subject="Sync", description="Broken.", files=[png()])
    kept = Attachment.objects.get().file.name
    storage = Attachment._meta.get_field("file").storage
    crashed = storage.save(f"{ATTACHMENTS_DIR}/left-by-a-crash.png", ContentFile(b"orphan"))
    doomed = services.ticket_create(requester=world.alice, subject="Spam", description="Delete me.", files=[png()])
    deleted = doomed.attachments.get().file.name
    doomed.delete()  # rows cascade; the file stays behind

    assert services.attachment_files_purge() == []  # too young: an upload may still be committing
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        purged = purge_attachment_files.apply().get()
    assert purged == 2
    assert storage.exists(kept) and not storage.exists(crashed) and not storage.exists(deleted)
    assert ticket.attachments.get().file.read() == png().read()


def test_nothing_to_do_before_the_first_upload(media: Path) -> None:
    assert services.attachment_files_purge() == []
