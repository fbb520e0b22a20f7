"""Help-center pieces for templates: the page tree's own and those outside it (the portal home page).

The pages' reads run here rather than in ``get_context``: the selectors import the page models,
so the models cannot import the selectors.
"""

from __future__ import annotations

from typing import Any

from django import template

from cms.models import ArticleFeedback, ArticlePage, CategoryPage, HelpCenterPage
from cms.selectors import feedback_for_visitor, popular_articles, visible_categories, visitor_key_for

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


@register.simple_tag(takes_context=True)
def visible_sections(context: dict[str, Any], parent: Any) -> list[CategoryPage]:
    """The categories under ``parent`` holding an article the reader may see."""
    request = context.get("request")
    return visible_categories(parent, getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def reader_feedback(context: dict[str, Any], article: ArticlePage) -> ArticleFeedback | None:
    """The reader's own vote on ``article``, if any (a visitor who never voted has none)."""
    request = context.get("request")
    if request is None:
        return None
    return feedback_for_visitor(article=article, visitor_key=visitor_key_for(request))
