"""Celery tasks that keep the index in step with publishing; each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from search.errors import SearchUnavailable
from search.service import article_reindex, dirty_reindex


@shared_task(
    name="search.reindex_article",
    autoretry_for=(SearchUnavailable,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def reindex_article(page_id: int) -> int:
    """Re-index one article (or remove it when it is no longer live); the dirty mark is the safety net."""
    return article_reindex(page_id=int(page_id))


@shared_task(name="search.reindex_dirty")
def reindex_dirty() -> int:
    """Periodic sweep: re-index articles whose task never ran or failed for good."""
    return dirty_reindex()
