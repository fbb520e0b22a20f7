"""Celery tasks of the tickets app: thin wrappers that load by id and call one service.

Every task is safe to run twice (the services check what is already done, and notifications
carry unique keys). Transient errors (database busy, mail server down) retry with backoff.
"""

from __future__ import annotations

import logging
import smtplib

from celery import Task, shared_task
from django.db import DatabaseError

from tickets import services
from tickets.ingest.imap import poll
from tickets.mail import conf as mail_conf
from tickets.models import OutboxTask

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (DatabaseError, smtplib.SMTPException, ConnectionError, TimeoutError)


class OutboxTaskBase(Task):
    """Records why outbox work failed for good, so agents and the sweeper's logs can tell."""

    def on_failure(self, exc: BaseException, task_id: str, args: tuple, kwargs: dict, einfo: object) -> None:
        ticket_id = args[0] if args else kwargs.get("ticket_id")
        logger.error("%s failed for ticket %s: %r", self.name, ticket_id, exc)
        OutboxTask.objects.filter(ticket_id=ticket_id, kind=self.name.split(".", 1)[1], done_at__isnull=True).update(
            last_error=repr(exc)[:2000]
        )


@shared_task(
    base=OutboxTaskBase,
    name="tickets.process_new_ticket",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def process_new_ticket(ticket_id: int) -> bool:
    """Triage, SLA, acknowledgement and agent notifications for a new ticket."""
    return services.new_ticket_process(ticket_id=ticket_id)


@shared_task(name="tickets.sweep_outbox")
def sweep_outbox() -> int:
    """Queue again outbox work whose task never ran or never finished."""
    return len(services.outbox_sweep())


@shared_task(name="tickets.auto_close_solved", autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def auto_close_solved() -> int:
    """Close tickets solved longer ago than the grace period."""
    return len(services.tickets_auto_close())


@shared_task(name="tickets.purge_attachment_files")
def purge_attachment_files() -> int:
    """Remove stored files of attachments that no longer exist (deleted tickets, crashed uploads)."""
    return len(services.attachment_files_purge())


@shared_task(name="tickets_mail.poll_imap", autoretry_for=(ConnectionError, TimeoutError), max_retries=2)
def poll_imap() -> int:
    """Fetch unread messages from ``IMAP_URL`` and ingest them; nothing when it is not set (name kept)."""
    if not mail_conf.imap_url():
        return 0
    return poll(mail_conf.imap_url())
