"""The values that cross the search door: documents in, prepared queries and hits out."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from django.utils.html import escape

from search.analysis import analyze, first_match_offset, tokens


@dataclass(frozen=True)
class Section:
    """A passage of a body under a heading: it runs from ``start`` (in the body text) to the next one."""

    start: int
    anchor: str  # the heading's id on the article page (``cms.anchors``)
    heading: str
    terms: frozenset[str] = frozenset()  # its analyzed terms, filled at index time (``sections_to_json``)


def section_spans(document: SearchDocument) -> list[tuple[Section, int]]:
    """The body's sections in order, each with where its text ends (the next one's start)."""
    ordered = sorted(document.sections, key=lambda section: section.start)
    ends = [section.start for section in ordered[1:]] + [len(document.body)]
    return list(zip(ordered, ends, strict=False))  # no sections: no ends either


def sections_to_json(document: SearchDocument, terms: Sequence[Iterable[str]] | None = None) -> str:
    """The compact form the engines store next to the body: ``[[start, anchor, heading, terms], ...]``.

    Each section's distinct terms are analyzed once, at index time (or given in ``terms``, in
    ``section_spans`` order, by an engine that analyzed the body section by section), so that
    picking the section that answers a query reads sets instead of re-analyzing a long body per
    hit and keystroke.
    """
    spans = section_spans(document)
    if terms is None:
        terms = [analyze(document.body[section.start : end], document.language) for section, end in spans]
    return json.dumps(
        [
            [section.start, section.anchor, section.heading, " ".join(sorted(set(section_terms)))]
            for (section, _end), section_terms in zip(spans, terms, strict=True)
        ],
        ensure_ascii=False,
    )


@lru_cache(maxsize=256)  # a few drafts' hits; a long article's sections weigh tens of KB
def sections_from_json(value: str | None) -> tuple[Section, ...]:
    """``sections_to_json`` read back; an index written before sections existed has none.

    Remembered per process (the value is immutable): a draft being typed finds the same articles
    keystroke after keystroke, and reading a long article's section terms is most of a hit's cost.
    """
    if not value:
        return ()
    return tuple(
        Section(int(start), str(anchor), str(heading), frozenset(str(terms).split()))
        for start, anchor, heading, terms in json.loads(value)
    )


@dataclass(frozen=True)
class Embedding:
    """A document's vector (float32, unit length) and the model that made it: written with the
    document by engines that keep vectors in their index (``search.embeddings.with_vectors``)."""

    model: str
    vector: bytes  # float32 values in this machine's byte order

    def values(self) -> list[float]:
        return array("f", self.vector).tolist()


@dataclass(frozen=True)
class SearchDocument:
    """One article in one language, as plain text (and, when the semantic signal runs, its vector)."""

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
    sections: tuple[Section, ...] = ()  # the body's passages under headings, in order
    embedding: Embedding | None = field(default=None, repr=False)


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
    anchor: str = ""  # the heading id of the section that answers (``url + "#" + anchor``), if any
    section: str = ""  # that section's heading


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
    cognates: tuple[str, ...] = ()  # the reader's word beginnings, matched as prefixes (search.query)

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(word.term for word in self.words))

    @property
    def surface_words(self) -> list[str]:
        return list(dict.fromkeys(word.word for word in self.words))


@dataclass(frozen=True)
class Coverage:
    """A document's distinct analyzed terms and word beginnings, each a space-separated string with a
    space at both ends: stored as is and asked about a few words per query, so never split into sets."""

    terms: str
    beginnings: str

    @classmethod
    def of(cls, terms: Iterable[str], beginnings: Iterable[str]) -> Coverage:
        return cls(f" {' '.join(terms)} ", f" {' '.join(beginnings)} ")  # any order: only searched

    def has_term(self, term: str) -> bool:
        return bool(term) and f" {term} " in self.terms

    def has_beginning(self, beginning: str) -> bool:
        return bool(beginning) and f" {beginning} " in self.beginnings


def batches_by_article(documents: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    """``documents`` (grouped by article, as rebuilds stream them) in lists of about ``size``, each
    ending between two articles: an article's languages are always written together."""
    pending: list[SearchDocument] = []
    for document in documents:
        if len(pending) >= size and pending[-1].article_id != document.article_id:
            yield pending
            pending = []
        pending.append(document)
    if pending:
        yield pending


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
    # The text's analyzed terms and word beginnings, computed at index time where the engine stores
    # them (search.query.text_coverage); None: computed from the text when needed.
    coverage: Coverage | None = None
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Snippet:
    html: str  # HTML-escaped text with <mark> around matches
    section: Section | None = None  # the passage that answers best, when the body has headings


def make_snippet(document: StoredDocument, query: PreparedQuery, *, extra_terms: set[str] | None = None) -> str:
    """An HTML-escaped window of the summary or body with ``<mark>`` around the query's terms."""
    return answer_snippet(document, query, extra_terms=extra_terms).html


def answer_snippet(document: StoredDocument, query: PreparedQuery, *, extra_terms: set[str] | None = None) -> Snippet:
    """The snippet of a hit and the section it comes from ("jump to the answer").

    Built here rather than by each engine so every backend shows the same snippets. A body with
    headings is cut into its sections and the one holding the most distinct query terms answers:
    its window is the snippet unless the summary holds more. Otherwise the summary wins when it
    matches, and the body is scanned only up to the end of the first window.
    """
    wanted = set(query.terms) | set(extra_terms or ()) | set(document.extra_terms)
    if document.sections and document.body:
        section, span, found = _best_section(document, wanted, query.prefix, query.cognates)
        if section is not None:
            summary = document.summary
            summary_found = _distinct_matches(summary, document.language, wanted, query.prefix, query.cognates)
            if found >= summary_found:
                start, end = span  # the section's own text: its window starts at its heading at the earliest
                html = _window(document.body[start:end], document.language, wanted, query.prefix, query.cognates)
                return Snippet(html, section)
            return Snippet(_window(summary, document.language, wanted, query.prefix, query.cognates), section)
    for text in (document.summary, document.body):
        if text:
            snippet = _window(text, document.language, wanted, query.prefix, query.cognates)
            if snippet:
                return Snippet(snippet)
    fallback = document.summary or document.body
    return Snippet(escape(_clip(fallback, 0)) if fallback else "")


def _distinct_matches(text: str, language: str, wanted: set[str], prefix: str, cognates: tuple[str, ...]) -> int:
    return len({token.term for token in tokens(text, language) if _matches(token, wanted, prefix, cognates)})


def _best_section(
    document: StoredDocument, wanted: set[str], prefix: str, cognates: tuple[str, ...]
) -> tuple[Section | None, tuple[int, int], int]:
    """The section (under a heading) holding the most distinct query terms; the first wins ties.

    Reads each section's terms stored at index time (a prefix or a cognate beginning matches a
    term that starts with it), not the body: a long article costs no analysis here.
    """
    sections = sorted(document.sections, key=lambda section: section.start)
    beginnings = tuple(cognates) + ((prefix,) if prefix and len(prefix) >= 3 else ())
    found = [
        len(section.terms & wanted) + sum(1 for term in section.terms - wanted if term.startswith(beginnings))
        if beginnings
        else len(section.terms & wanted)
        for section in sections
    ]
    best = max(range(len(sections)), key=lambda number: (found[number], -number), default=None)
    if best is None or not found[best]:
        return None, (0, 0), 0
    end = sections[best + 1].start if best + 1 < len(sections) else len(document.body)
    return sections[best], (sections[best].start, end), found[best]


def _window(text: str, language: str, wanted: set[str], prefix: str, cognates: tuple[str, ...]) -> str:
    # Analyze from the piece of text holding the first match, not from the start of a long body.
    beginnings = (*cognates, prefix) if len(prefix) >= 3 else cognates  # as _matches takes them
    offset = first_match_offset(text, language, wanted, beginnings)
    if offset is None:
        return ""
    matches: list = []
    window_start = window_end = 0
    for token in tokens(text[offset:], language):
        token = replace(token, start=token.start + offset, end=token.end + offset)
        if matches and token.start >= window_end:
            break
        if not _matches(token, wanted, prefix, cognates):
            continue
        if not matches:
            window_start = _window_start(text, token.start)
            window_end = _window_end(text, window_start)
        if token.end <= window_end:
            matches.append(token)
    if not matches:
        return ""
    parts: list[str] = ["…" if window_start > 0 else ""]
    cursor = window_start
    for token in matches:
        parts.append(escape(text[cursor : token.start]))
        parts.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        cursor = token.end
    parts.append(escape(text[cursor:window_end]))
    if window_end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def _matches(token: object, wanted: set[str], prefix: str, cognates: tuple[str, ...]) -> bool:
    if token.term in wanted or token.word.startswith(cognates):
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
