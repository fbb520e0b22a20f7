"""Storing a ticket's files and removing the ones no row points at.

Storage writes are not transactional: the files a failed transaction wrote are deleted by
``files_removed_on_error``, and ``attachment_files_purge`` catches what a crash left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from tickets.attachments import CheckedFile
from tickets.audit import event_record
from tickets.models import ATTACHMENTS_DIR, Attachment, Comment, Ticket, TicketEvent

logger = logging.getLogger(__name__)

# Files younger than this are left alone: their row may be in a transaction not yet committed.
ORPHAN_GRACE = dt.timedelta(days=1)


def attachments_store(
    ticket: Ticket,
    files: Sequence[CheckedFile],
    *,
    comment: Comment | None,
    uploaded_by: AbstractBaseUser | None,
    written: list[tuple[object, str]],
) -> list[Attachment]:
    """Save checked files; ``written`` collects (storage, name) so a rollback can remove them."""
    stored = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            uploaded_by=uploaded_by,
            original_name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
            checksum=checked.checksum,
        )
        checked.upload.seek(0)
        attachment.file.save(checked.name, checked.upload, save=False)
        written.append((attachment.file.storage, attachment.file.name))
        attachment.save()
        event_record(ticket=ticket, actor=uploaded_by, kind=TicketEvent.Kind.ATTACHMENT, new=checked.name)
        stored.append(attachment)
    return stored


@contextmanager
def files_removed_on_error() -> Iterator[list[tuple[object, str]]]:
    """Storage writes are not transactional: delete the files of a transaction that failed."""
    written: list[tuple[object, str]] = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:  # best effort; an orphan file is never served (no row points at it)
                logger.exception("could not remove orphan attachment %s", name)
        raise


def attachment_files_purge(*, grace: dt.timedelta = ORPHAN_GRACE) -> list[str]:
    """Delete stored attachment files no row points at: left by a crashed upload (the process died
    between the storage write and the commit) or by deleted tickets (rows cascade, files do not)."""
    storage = Attachment._meta.get_field("file").storage
    try:
        _dirs, names = storage.listdir(ATTACHMENTS_DIR)
    except FileNotFoundError:
        return []
    kept = set(Attachment.objects.values_list("file", flat=True))
    cutoff = timezone.now() - grace
    purged = []
    for name in names:
        path = f"{ATTACHMENTS_DIR}/{name}"
        if path in kept or storage.get_modified_time(path) > cutoff:
            continue
        storage.delete(path)
        purged.append(path)
    if purged:
        logger.info("purged %d attachment files no request refers to", len(purged))
    return purged
