"""Celery tasks of ticket email: load by id, call one service, safe to run twice."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import DatabaseError

from tickets.mail import outbound

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
