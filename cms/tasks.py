"""Periodic work of the help center."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from cms.services import article_views_flush


@shared_task(name="cms.publish_scheduled")
def publish_scheduled() -> None:
    """Publish pages whose "go live" time has come and unpublish expired ones (Wagtail's own command).

    Safe to run twice: the command only acts on revisions still waiting for their time.
    """
    call_command("publish_scheduled")


@shared_task(name="cms.flush_article_views")
def flush_article_views() -> int:
    """Move the article views counted in the cache into the daily rows (safe to run twice)."""
    return article_views_flush()
