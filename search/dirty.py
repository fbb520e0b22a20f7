"""Marking articles for re-indexing: the dirty mark and the task queued after the commit.

Apart from ``search.service`` because ``search.tasks`` calls the service: the module that queues a
task and the module the task runs cannot import each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from search.models import IndexQueue
from search.tasks import reindex_article


def articles_mark_dirty(*, page_ids: Iterable[int]) -> list[int]:
    """Mark articles for re-indexing and queue one task each once the transaction commits."""
    ids = sorted({int(page_id) for page_id in page_ids})
    if not ids:
        return []
    now = timezone.now()
    IndexQueue.objects.bulk_create(
        [IndexQueue(page_id=page_id, marked_at=now) for page_id in ids],
        update_conflicts=True,
        unique_fields=["page_id"],
        update_fields=["marked_at"],
    )
    for page_id in ids:
        reindex_article.delay_on_commit(page_id)
    return ids
