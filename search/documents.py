"""The values that cross the search door: documents in, prepared queries and hits out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.html import escape

from search.analysis import tokens


@dataclass(frozen=True)
class SearchDocument:
    """One article in one language, as plain text."""

    article_id: str
    language: str
    title: str
    summary: str
    body: str
    category_path: list[str]
    audience: str
    tags: list[str]
    url: str
    published_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class SearchHit:
    article_id: str
    language: str
    title: str
    summary: str
    url: str
    score: float
    snippet: str  # HTML-escaped text with <mark> around matches
    is_fallback: bool


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int
    degraded: bool


@dataclass(frozen=True)
class QueryWord:
    """One word of a prepared query: its folded surface form and its analyzed term."""

    word: str
    term: str
    synonym: bool = False  # added by a synonym group, not typed by the reader


@dataclass(frozen=True)
class PreparedQuery:
    """User text made safe: only words survive (no engine syntax), deduplicated and capped."""

    text: str
    language: str
    words: tuple[QueryWord, ...]
    short: bool  # few words: typo tolerance and prefix matching apply
    prefix: str = ""  # folded last typed word, for prefix matching while typing

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(word.term for word in self.words))

    @property
    def surface_words(self) -> list[str]:
        return list(dict.fromkeys(word.word for word in self.words))


@dataclass(frozen=True)
class StoredDocument:
    """A document as a backend returns it from a query, before the snippet is made."""

    article_id: str
    language: str
    title: str
    summary: str
    body: str
    url: str
    score: float
    extra_terms: frozenset[str] = field(default_factory=frozenset)  # e.g. typo corrections that matched


SNIPPET_WORDS = 30


def make_snippet(document: StoredDocument, query: PreparedQuery, *, extra_terms: set[str] | None = None) -> str:
    """An HTML-escaped window of the summary or body with ``<mark>`` around the query's terms.

    Built here rather than by each engine so every backend shows the same snippets.
    """
    wanted = set(query.terms) | set(extra_terms or ()) | set(document.extra_terms)
    prefix = query.prefix
    best: tuple[int, str, list] = (-1, "", [])
    for text in (document.summary, document.body):
        if not text:
            continue
        found = list(tokens(text, document.language, keep_stop_words=False))
        matches = [token for token in found if _matches(token, wanted, prefix, document.language)]
        if len(matches) > best[0]:
            best = (len(matches), text, matches)
        if matches and text is document.summary and len(matches) >= len(wanted):
            break
    _count, text, matches = best
    if not text:
        return ""
    if not matches:
        return escape(_clip(text, 0))
    first = matches[0].start
    window_start = _window_start(text, first)
    clipped_end = _window_end(text, window_start)
    parts: list[str] = ["…" if window_start > 0 else ""]
    cursor = window_start
    for token in matches:
        if token.start < cursor or token.end > clipped_end:
            continue
        parts.append(escape(text[cursor : token.start]))
        parts.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        cursor = token.end
    parts.append(escape(text[cursor:clipped_end]))
    if clipped_end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def _matches(token: object, wanted: set[str], prefix: str, language: str) -> bool:
    if token.term in wanted:
        return True
    return bool(prefix) and len(prefix) >= 3 and token.word.startswith(prefix)


def _window_start(text: str, position: int) -> int:
    """Start a few words before the first match, on a word boundary."""
    start = max(0, position - 60)
    if start == 0:
        return 0
    space = text.find(" ", start, position)
    return space + 1 if space != -1 else start


def _window_end(text: str, start: int) -> int:
    end = start + 240
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", start, end)
    return space if space > start else end


def _clip(text: str, start: int) -> str:
    end = _window_end(text, start)
    return text[start:end] + ("…" if end < len(text) else "")
