"""API fields whose value depends on who is asking (the request in the serializer context)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class RelatedArticlesField(serializers.Field):
    """Related articles the caller may read: id, title, summary and URL in the current language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, page: Any) -> list[dict[str, Any]]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [
            {"id": related.pk, "title": related.title, "summary": related.summary, "url": related.url}
            for related in page.related_articles(user)
        ]
