"""Periodic work of the agent workspace."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from tickets.agents.sla import sla_breaches_detect


@shared_task(
    name="tickets_agents.detect_sla_breaches", autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3
)
def detect_sla_breaches() -> int:
    """Mark tickets whose SLA targets passed (once each) and refresh next-response due times."""
    return sla_breaches_detect().new_breaches
