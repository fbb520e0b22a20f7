"""Ranking the articles that may answer a draft: one query to ``search/``, then optional re-ranking.

Only ``search.service.search_articles`` is called (never an engine). The signals below re-order
the candidates search returns; a signal stays in ``KEPT_SIGNALS`` only if the offline evaluation
(``manage.py evaluate_deflection`` on ``tests/data/deflection_dev/``) shows it helps.

Evaluation figures: see ``KEPT_SIGNALS`` below (filled in from the dev-set runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from deflection import conf
from deflection.text import cut, words


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    title: str
    summary: str
    url: str
    snippet: str  # HTML-escaped text with <mark> around matches (from search)
    language: str
    is_fallback: bool
    rank: int  # 1-based position shown to the customer
    score: float


@dataclass(frozen=True)
class Ranking:
    items: list[Suggestion]
    degraded: bool  # search answered from its fallback path
    truncated: bool  # the draft was longer than the limit and was cut
    query: str = ""


@dataclass(frozen=True)
class Candidate:
    hit: Any  # search.service.SearchHit
    score: float
    features: dict[str, float] = field(default_factory=dict)


def draft_query(subject: str, description: str, *, limit: int | None = None) -> tuple[str, bool]:
    """The text sent to search: subject then description, cut (not refused) at ``limit`` characters."""
    text = "\n".join(part.strip() for part in (subject, description) if part and part.strip())
    return cut(text, conf.max_draft_chars() if limit is None else limit)


# --- Re-ranking signals ---------------------------------------------------------------------------
# Each signal takes the query words and the candidates (in search order) and returns new scores.


def _title_overlap(query_words: set[str], candidates: list[Candidate]) -> list[Candidate]:
    """Favour articles whose title shares words with the draft: titles name the task a customer has."""
    result = []
    for candidate in candidates:
        title_words = {word for word in words(candidate.hit.title) if len(word) > 2}
        overlap = len(title_words & query_words) / len(title_words) if title_words else 0.0
        result.append(
            Candidate(candidate.hit, candidate.score + 0.5 * overlap, {**candidate.features, "title": overlap})
        )
    return result


SIGNALS: dict[str, Callable[[set[str], list[Candidate]], list[Candidate]]] = {
    "title": _title_overlap,
}

# Signals measured and kept (see the module docstring for the figures). Empty until a signal
# beats the baseline on the development set.
KEPT_SIGNALS: frozenset[str] = frozenset()

# Re-ranking needs more candidates than are shown; without signals we ask for exactly ``limit``.
CANDIDATE_POOL = 20


def rank_for_draft(
    *,
    subject: str,
    description: str,
    language: str,
    audiences: Iterable[str],
    limit: int | None = None,
    backend: object | None = None,
    signals: Iterable[str] | None = None,
) -> Ranking:
    """The ``limit`` best articles for a draft, among those ``audiences`` may read, in ``language``.

    Reads only: recording what was shown is the caller's business (``services.suggest_for_draft``),
    so the offline evaluation runs exactly this function.
    """
    from search.health import SearchUnavailable
    from search.service import search_articles

    limit = conf.default_limit() if limit is None else limit
    active = list(KEPT_SIGNALS if signals is None else signals)
    unknown = set(active) - set(SIGNALS)
    if unknown:
        raise ValueError(f"Unknown ranking signals: {', '.join(sorted(unknown))}")
    query, truncated = draft_query(subject, description)
    if len(query.strip()) < 3 or limit <= 0:
        return Ranking(items=[], degraded=False, truncated=truncated, query=query)

    pool = max(limit, CANDIDATE_POOL) if active else limit
    try:
        results = search_articles(query, language=language, audiences=audiences, limit=pool, backend=backend)
    except SearchUnavailable:
        return Ranking(items=[], degraded=True, truncated=truncated, query=query)

    candidates = _initial_candidates(results.hits)
    if active:
        query_words = {word for word in words(query) if len(word) > 2}
        for name in active:
            candidates = SIGNALS[name](query_words, candidates)
        candidates = sorted(candidates, key=lambda candidate: candidate.score, reverse=True)
    items = [_suggestion(candidate, rank) for rank, candidate in enumerate(candidates[:limit], start=1)]
    return Ranking(items=items, degraded=results.degraded, truncated=truncated, query=query)


def _initial_candidates(hits: Sequence[Any]) -> list[Candidate]:
    """Search's order turned into a score in [0, 1] (1 for the first hit, linear in position).

    Engines' raw scores are not comparable across backends, their order is; re-ranking on
    positions behaves the same on SQLite, PostgreSQL and Elasticsearch.
    """
    count = len(hits)
    return [Candidate(hit, 1.0 - position / max(count, 1)) for position, hit in enumerate(hits)]


def _suggestion(candidate: Candidate, rank: int) -> Suggestion:
    hit = candidate.hit
    return Suggestion(
        article_id=str(hit.article_id),
        title=hit.title,
        summary=hit.summary,
        url=hit.url,
        snippet=hit.snippet,
        language=hit.language,
        is_fallback=hit.is_fallback,
        rank=rank,
        score=round(candidate.score, 6),
    )
