"""Template pieces other apps include: the suggestions list and the article page's outcome box."""

from __future__ import annotations

import html
import json
import re

from django import template
from django.utils.html import escape, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext

from deflection.exceptions import SessionNotFound
from deflection.labels import language_note, language_notes
from deflection.selectors import session_for
from deflection.visitors import existing_visitor_key

register = template.Library()

_MARK = re.compile(r"(</?mark>)")
# The most suggestions one answer can hold (the API's ``limit`` bound).
MAX_SUGGESTIONS = 10


@register.filter
def safe_snippet(snippet: str) -> SafeString:
    """A search snippet reduced to escaped text and ``<mark>`` tags, whatever else it contained.

    Search promises escaped text with marks; re-escaping here keeps a snippet from any engine or
    a stored title from ever injecting markup into the page.
    """
    parts = []
    for part in _MARK.split(snippet or ""):
        if part in {"<mark>", "</mark>"}:
            parts.append(part)
        else:
            parts.append(escape(html.unescape(part)))
    text = "".join(parts)
    if text.count("<mark>") != text.count("</mark>"):
        text = text.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(text)  # noqa: S308 - only escaped text and balanced <mark> tags remain


@register.inclusion_tag("deflection/_article_outcome_box.html", takes_context=True)
def deflection_article_outcome(context: template.Context, page: object | None = None) -> dict:
    """The "this answered my question" box, shown when the article was opened from a suggestion.

    Renders nothing unless ``?from_session=<id>`` names a session of the current reader that is
    still undecided; reads only (the open itself was recorded when the suggestion was followed).
    """
    request = context.get("request")
    page = page if page is not None else (context.get("article") or context.get("page"))
    empty = {"show": False}
    if request is None or page is None:
        return empty
    session_id = request.GET.get("from_session", "")
    if not session_id:
        return empty
    try:
        session = session_for(request.user, session_id, visitor_key=existing_visitor_key(request))
    except SessionNotFound:
        return empty
    return {
        "show": True,
        "session": session,
        "article_id": str(getattr(page, "pk", "")),
        "decided": session.is_closed,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def suggestion_announcements() -> SafeString:
    """What the live region says for each number of suggestions, in the page's language (JSON).

    The script fills in ``%(title)s`` (the first suggestion). Plural rules differ per language,
    so the sentences are chosen here by gettext rather than assembled in the browser.
    """
    sentences = {
        str(count): ngettext(
            "%(count)s article may answer your question: %(title)s",
            "%(count)s articles may answer your question. The first: %(title)s",
            count,
        )
        % {"count": count, "title": "%(title)s"}
        for count in range(1, MAX_SUGGESTIONS + 1)
    }
    return json_script(sentences, "deflection-announcements")


@register.simple_tag
def suggestion_language_note(item: dict) -> str:
    """The note for a suggestion shown in another language than the page's ("" otherwise)."""
    return language_note(
        language=str(item.get("language") or ""),
        is_fallback=bool(item.get("is_fallback")),
        page_language=get_language() or "",
    )


@register.simple_tag
def suggestion_language_notes_json() -> str:
    """``language_notes()`` as JSON, for a ``data-`` attribute the live list's script reads."""
    return json.dumps(language_notes(), ensure_ascii=False)
