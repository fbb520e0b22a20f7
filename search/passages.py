"""Long articles ranked by their passages as well as whole (issue 14 item 2).

The engines score whole documents: a long article holding one of the reader's words in its
introduction, another in a table and a third in its troubleshooting section ranks as high as one
whose single section answers the question. Among the hits of one page, an article whose matched
words are scattered loses ``PASSAGE_WEIGHT`` × the page's best score × the share of the query's
information (terms weighted by inverse document frequency) that it holds but its best passage
does not; a passage is one section (``Section.terms``, stored at index time by every engine)
read with the article's title and summary. An article with fewer than two sections is a single passage and keeps its
score, so short articles rank exactly as before and can only gain on scattered long ones.

Only the page the engine returned is re-ordered (nothing moves between pages); the engine's own
scores are compared relative to the page's best one. The same code runs after SQLite FTS5,
PostgreSQL and Elasticsearch. Measured in ``deflection/suggestions.py``'s table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from search.analysis import analyze
from search.documents import PreparedQuery, StoredDocument
from search.query import Statistics

PASSAGE_WEIGHT = 0.5  # of the page's best score, for the whole query's information out of the best passage
MIN_SECTIONS = 2
MIN_IDF = 1e-6  # FTS5's floor: a term in most documents still counts a little


def rank_by_passages(
    documents: Sequence[StoredDocument], query: PreparedQuery, statistics: Statistics
) -> list[StoredDocument]:
    """``documents`` (one page of an engine's ranking) re-ordered by score minus the scattering penalty.

    ``statistics`` gives the engine's document frequencies; it is asked only when a hit has
    sections and the query two terms or more (one term cannot be scattered).
    """
    documents = list(documents)
    terms = query.terms
    if len(terms) < 2 or not any(len(document.sections) >= MIN_SECTIONS for document in documents):
        return documents
    top = max(document.score for document in documents)
    if top <= 0:
        return documents
    weights = idf_weights(*statistics(terms))
    total = sum(weights.values())
    if len(weights) < 2 or not total:
        return documents
    scored = []
    for document in documents:
        scattered = scattered_share(document, weights) / total
        score = document.score - PASSAGE_WEIGHT * top * scattered if scattered else document.score
        scored.append((score, document))
    ranked = sorted(range(len(scored)), key=lambda index: (-scored[index][0], index))
    return [
        replace(document, score=round(score, 6)) if score != document.score else document
        for score, document in (scored[index] for index in ranked)
    ]


def idf_weights(frequencies: dict[str, int], documents: int) -> dict[str, float]:
    """Each term's inverse document frequency as FTS5's bm25() computes it; terms no document holds
    are left out (they cannot be found anywhere, in a passage or not)."""
    if documents <= 0:
        return {}
    return {
        term: max(math.log((documents - frequency + 0.5) / (frequency + 0.5)), MIN_IDF)
        for term, frequency in frequencies.items()
        if frequency > 0
    }


def scattered_share(document: StoredDocument, weights: dict[str, float]) -> float:
    """The weight of the query terms the article holds outside its best passage (0: one passage has them all).

    Text before the first heading belongs to no section and is left out on both sides.
    """
    if len(document.sections) < MIN_SECTIONS:
        return 0.0
    wanted = set(weights)
    head = wanted & {*analyze(document.title, document.language), *analyze(document.summary, document.language)}
    found = [(section.terms & wanted) | head for section in document.sections]
    held = sum(weights[term] for term in set().union(*found))
    best = max(sum(weights[term] for term in terms) for terms in found)
    return held - best
