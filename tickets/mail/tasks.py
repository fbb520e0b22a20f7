"""Celery tasks of ticket email: load by id, call one service, safe to run twice."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import DatabaseError

from tickets.mail import conf, outbound
from tickets.mail.imap import poll

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (DatabaseError, smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="tickets_mail.send_outbound",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_outbound(outbound_id: int) -> bool:
    """Send one promised email; a second run (or a rival worker) sends nothing."""
    return outbound.outbound_send(outbound_id=outbound_id)


@shared_task(name="tickets_mail.sweep_outbound")
def sweep_outbound() -> int:
    """Queue again emails whose send task never ran or never finished."""
    return len(outbound.outbound_sweep())


@shared_task(name="tickets_mail.poll_imap", autoretry_for=(ConnectionError, TimeoutError), max_retries=2)
def poll_imap() -> int:
    """Fetch unread messages from ``IMAP_URL`` and ingest them; does nothing when it is not set."""
    if not conf.imap_url():
        return 0
    return poll(conf.imap_url())
