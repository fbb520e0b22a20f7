"""Help-center pieces for templates outside the page tree (the portal home page)."""

from __future__ import annotations

from typing import Any

from django import template

from cms.models import CategoryPage, HelpCenterPage
from cms.selectors import popular_articles, visible_categories

register = template.Library()


@register.simple_tag(takes_context=True)
def help_categories(context: dict[str, Any]) -> list[CategoryPage]:
    """The top-level categories of the help center, in the editors' order."""
    root = HelpCenterPage.objects.live().first()
    if root is None:
        return []
    request = context.get("request")
    return visible_categories(root, getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def popular_help_articles(context: dict[str, Any], limit: int = 5) -> list[Any]:
    request = context.get("request")
    return popular_articles(user=getattr(request, "user", None), limit=limit)
