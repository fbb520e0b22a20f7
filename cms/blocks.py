"""StreamField blocks of an article body; the block names are a contract with the demo data and search."""

from __future__ import annotations

import html
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "code", "document-link"]


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=[("note", _("Note")), ("warning", _("Warning"))], default="note", label=_("Kind"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "cms/blocks/callout.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("Caption"))

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.CharBlock(required=False, max_length=40, default="text", label=_("Language"))
    code = blocks.TextBlock(label=_("Code"))

    class Meta:
        icon = "code"
        label = _("Code")
        template = "cms/blocks/code.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    callout = CalloutBlock()
    steps = blocks.ListBlock(
        blocks.TextBlock(label=_("Step")), label=_("Numbered steps"), template="cms/blocks/steps.html"
    )
    image = ImageBlock()
    code = CodeBlock()
    video = EmbedBlock(label=_("Video"), icon="media")


_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|br|div|blockquote|pre|tr|td|th)\b[^>]*>", re.IGNORECASE)


def _html_to_text(value: str) -> str:
    """Text of rich-text HTML; block boundaries become spaces so words of two paragraphs don't merge."""
    return " ".join(html.unescape(strip_tags(_BLOCK_TAG.sub(" ", value))).split())


def stream_to_text(stream: object) -> str:
    """Plain text of a body, block by block, for search indexing and the API (no markup)."""
    parts: list[str] = []
    for block in stream or []:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            parts.append(_html_to_text(value.source if hasattr(value, "source") else str(value)))
        elif kind == "callout":
            text = value.get("text")
            parts.append(_html_to_text(text.source if hasattr(text, "source") else str(text or "")))
        elif kind == "steps":
            parts.extend(" ".join(str(step).split()) for step in value)
        elif kind == "image":
            parts.append(value.get("caption") or "")
        elif kind == "code":
            parts.append(value.get("code") or "")
    return "\n".join(part for part in parts if part)
