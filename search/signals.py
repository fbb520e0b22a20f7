"""Keep the index in sync with Wagtail: publishing, unpublishing, moving and deleting mark articles dirty.

Signals only mark and queue (``articles_mark_dirty``); the re-indexing runs in a Celery task
after the commit. A category's change reaches its articles (URLs and category paths change).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import ArticlePage
from search.dirty import articles_mark_dirty
from search.models import Synonym
from search.service import synonyms_changed


def _article_ids_under(page: Any) -> list[int]:
    if isinstance(page, ArticlePage):
        return [page.pk]
    return list(ArticlePage.objects.descendant_of(page).values_list("pk", flat=True))


def on_publish_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    articles_mark_dirty(page_ids=_article_ids_under(instance))


def on_article_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    articles_mark_dirty(page_ids=[instance.pk])


def connect() -> None:
    page_published.connect(on_publish_change, dispatch_uid="search-page-published")
    page_unpublished.connect(on_publish_change, dispatch_uid="search-page-unpublished")
    post_page_move.connect(on_publish_change, dispatch_uid="search-page-moved")
    post_delete.connect(on_article_deleted, sender="cms.ArticlePage", dispatch_uid="search-article-deleted")

    post_save.connect(synonyms_changed, sender=Synonym, dispatch_uid="search-synonym-saved")
    post_delete.connect(synonyms_changed, sender=Synonym, dispatch_uid="search-synonym-deleted")
