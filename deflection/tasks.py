"""Periodic deflection work; each task recounts or re-checks, so running it twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from deflection import services

# Late events (an outcome after the abandon sweep, a purge) can change recent days' figures.
FUNNEL_RECOUNT_DAYS = 7


@shared_task(name="deflection.close_abandoned_sessions")
def close_abandoned_sessions() -> int:
    return services.sessions_close_abandoned()


@shared_task(name="deflection.purge_drafts")
def purge_drafts() -> int:
    return services.drafts_purge()


@shared_task(name="deflection.recompute_funnel")
def recompute_funnel(days: int = FUNNEL_RECOUNT_DAYS) -> int:
    today = timezone.localdate()
    return services.funnel_recompute(start=today - timedelta(days=max(days, 1) - 1), end=today)
