"""StreamField blocks of an article body; the block names are a contract with the demo data and search."""

from __future__ import annotations

import html
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from cms.anchors import HEADING, anchor_ids, heading_text

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


def _rich_text_source(value: object) -> str:
    return value.source if hasattr(value, "source") else str(value or "")


def _html_to_text_with_headings(value: str) -> tuple[str, list[tuple[int, str]]]:
    """``_html_to_text`` of ``value`` and, per h2/h3, where its text starts in it and the heading's text.

    The text is cut at each heading and the pieces joined with the space ``_html_to_text`` would
    have put there, so the result is the same string.
    """
    matches = list(HEADING.finditer(value))
    if not matches:
        return _html_to_text(value), []
    text = _html_to_text(value[: matches[0].start()])
    headings: list[tuple[int, str]] = []
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(value)
        piece = _html_to_text(value[match.start() : end])
        if text and piece:
            text += " "
        headings.append((len(text), heading_text(match.group(3))))
        text += piece
    return text, headings


def stream_to_sections(stream: object) -> tuple[str, list[tuple[int, str, str]]]:
    """Plain text of a body (``stream_to_text``) and its sections: where each h2/h3 starts in that
    text, the heading's anchor on the rendered page (``cms.anchors``) and the heading's text.
    """
    parts: list[str] = []
    headings: list[tuple[int, int, str]] = []  # (part, offset in the part, heading text)
    for block in stream or []:
        kind, value = block.block_type, block.value
        if kind in ("paragraph", "callout"):
            source = _rich_text_source(value if kind == "paragraph" else value.get("text"))
            text, found = _html_to_text_with_headings(source)
            if text:
                headings += [(len(parts), offset, heading) for offset, heading in found]
                parts.append(text)
        elif kind == "steps":
            parts.extend(step for step in (" ".join(str(step).split()) for step in value) if step)
        elif kind == "image":
            parts.append(value.get("caption") or "")
        elif kind == "code":
            parts.append(value.get("code") or "")
    starts: list[int] = []
    kept: list[str] = []
    length = 0
    for part in parts:
        starts.append(length + (1 if kept and part else 0) if part else -1)
        if part:
            length = starts[-1] + len(part)
            kept.append(part)
    anchors = anchor_ids(heading for _part, _offset, heading in headings)
    sections = [
        (starts[part] + offset, anchor, heading)
        for (part, offset, heading), anchor in zip(headings, anchors, strict=True)
    ]
    return "\n".join(kept), sections


def stream_to_text(stream: object) -> str:
    """Plain text of a body, block by block, for search indexing and the API (no markup)."""
    return stream_to_sections(stream)[0]
