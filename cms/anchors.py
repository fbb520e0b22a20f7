"""Stable anchors on the headings of an article body, so a link can jump to the section that answers.

An id is the slug of the heading's own text (``#reset-your-password``), so editing another section
never moves it; a heading repeated on the page gets ``-2``, ``-3`` in page order. The same ids are
given to the rendered body (``add_heading_anchors``) and to the indexed passages
(``cms.blocks.stream_to_passages``), which is how a search hit links to its section.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.utils.html import strip_tags
from django.utils.text import slugify

# The headings editors can add (``RICH_TEXT_FEATURES``): h2 and h3.
HEADING = re.compile(r"<h([23])(\s[^>]*)?>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_ID_ATTRIBUTE = re.compile(r"""\sid\s*=\s*(["']).*?\1""", re.IGNORECASE | re.DOTALL)
MAX_ANCHOR_CHARS = 80


def heading_text(inner_html: str) -> str:
    """The plain text of a heading's inner HTML, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(inner_html)).split())


def anchor_ids(headings: Iterable[str]) -> list[str]:
    """One id per heading text, in page order: its slug (any script kept), made unique on the page."""
    used: set[str] = set()
    ids: list[str] = []
    for text in headings:
        base = slugify(text, allow_unicode=True)[:MAX_ANCHOR_CHARS].strip("-_") or "section"
        candidate, count = base, 1
        while candidate in used:
            count += 1
            candidate = f"{base}-{count}"
        used.add(candidate)
        ids.append(candidate)
    return ids


def add_heading_anchors(body_html: str) -> str:
    """``body_html`` with an ``id`` on every h2/h3 (an editor's id is replaced: ours must match the index)."""
    matches = list(HEADING.finditer(body_html))
    if not matches:
        return body_html
    ids = anchor_ids(heading_text(match.group(3)) for match in matches)
    parts: list[str] = []
    cursor = 0
    for match, anchor in zip(matches, ids, strict=True):
        attributes = _ID_ATTRIBUTE.sub("", match.group(2) or "")
        parts.append(body_html[cursor : match.start()])
        parts.append(f'<h{match.group(1)} id="{anchor}"{attributes}>{match.group(3)}</h{match.group(1)}>')
        cursor = match.end()
    parts.append(body_html[cursor:])
    return "".join(parts)
