"""``heading_anchors``: ids on an article body's headings, the targets of "jump to the answer" links."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from cms.anchors import add_heading_anchors

register = template.Library()


@register.filter(is_safe=True)
def heading_anchors(body_html: str) -> SafeString:
    """Rendered body HTML (already safe: Wagtail's blocks) with ``cms.anchors`` ids on h2/h3."""
    return mark_safe(add_heading_anchors(str(body_html)))  # noqa: S308 - only id attributes are added
