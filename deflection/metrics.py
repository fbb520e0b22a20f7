"""Ranking metrics for the offline evaluation (binary relevance: an article answers or it does not)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant articles found in the first ``k`` results."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def hit_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1 if any relevant article is in the first ``k`` results, else 0."""
    return 1.0 if set(ranked[:k]) & relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1 / position of the first relevant result within ``k`` (0 when none)."""
    for position, article_id in enumerate(ranked[:k], start=1):
        if article_id in relevant:
            return 1.0 / position
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Normalized discounted cumulative gain: gain 1 per relevant result, discounted by log2(position + 1)."""
    if not relevant:
        return 0.0
    seen: set[str] = set()
    dcg = 0.0
    for position, article_id in enumerate(ranked[:k], start=1):
        if article_id in relevant and article_id not in seen:
            dcg += 1.0 / math.log2(position + 1)
        seen.add(article_id)
    ideal = sum(1.0 / math.log2(position + 1) for position in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile by linear interpolation between closest ranks (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class QueryOutcome:
    query_id: str
    language: str
    ranked: list[str]
    relevant: set[str]
    seconds: float


def summarize(outcomes: Iterable[QueryOutcome], *, k: int = 10) -> dict[str, float]:
    """Mean metrics over queries (Recall@1/5/k, Hit@1/5, MRR@k, nDCG@k) and latency p50/p95 in ms."""
    outcomes = list(outcomes)
    count = len(outcomes)

    def mean(values: Iterable[float]) -> float:
        return round(sum(values) / count, 4) if count else 0.0

    figures = {
        "queries": count,
        "recall@1": mean(recall_at(o.ranked, o.relevant, 1) for o in outcomes),
        "recall@5": mean(recall_at(o.ranked, o.relevant, 5) for o in outcomes),
        f"recall@{k}": mean(recall_at(o.ranked, o.relevant, k) for o in outcomes),
        "hit@1": mean(hit_at(o.ranked, o.relevant, 1) for o in outcomes),
        "hit@5": mean(hit_at(o.ranked, o.relevant, 5) for o in outcomes),
        f"mrr@{k}": mean(reciprocal_rank(o.ranked, o.relevant, k) for o in outcomes),
        f"ndcg@{k}": mean(ndcg_at(o.ranked, o.relevant, k) for o in outcomes),
        "latency_p50_ms": round(percentile([o.seconds for o in outcomes], 0.50) * 1000, 2),
        "latency_p95_ms": round(percentile([o.seconds for o in outcomes], 0.95) * 1000, 2),
        "latency_p99_ms": round(percentile([o.seconds for o in outcomes], 0.99) * 1000, 2),
    }
    return figures


def summarize_by_language(outcomes: Iterable[QueryOutcome], *, k: int = 10) -> dict[str, dict[str, float]]:
    """``summarize`` per query language, languages in alphabetical order."""
    groups: dict[str, list[QueryOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.language, []).append(outcome)
    return {language: summarize(groups[language], k=k) for language in sorted(groups)}
