"""Metric functions on a tiny set checked by hand."""

import math

import pytest

from deflection.metrics import (
    QueryOutcome,
    hit_at,
    ndcg_at,
    percentile,
    recall_at,
    reciprocal_rank,
    summarize,
    summarize_by_language,
)

RANKED = ["a", "b", "c", "d", "e"]


def test_recall_counts_relevant_found_within_k() -> None:
    assert recall_at(RANKED, {"b", "x"}, 1) == 0.0
    assert recall_at(RANKED, {"b", "x"}, 2) == 0.5
    assert recall_at(RANKED, {"a", "e"}, 5) == 1.0
    assert recall_at(RANKED, set(), 5) == 0.0


def test_hit_is_one_when_anything_relevant_is_within_k() -> None:
    assert hit_at(RANKED, {"c"}, 2) == 0.0
    assert hit_at(RANKED, {"c"}, 3) == 1.0


def test_reciprocal_rank_uses_first_relevant_position() -> None:
    assert reciprocal_rank(RANKED, {"c", "e"}, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(RANKED, {"e"}, 4) == 0.0


def test_ndcg_hand_computed() -> None:
    # relevant at positions 2 and 4: DCG = 1/log2(3) + 1/log2(5); ideal = 1/log2(2) + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at(RANKED, {"b", "d"}, 10) == pytest.approx(expected)
    assert ndcg_at(RANKED, {"a"}, 10) == 1.0
    # more relevant articles than k: the ideal is capped at k positions
    assert ndcg_at(["a", "b"], {"a", "b", "z"}, 2) == 1.0


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
    assert percentile([10.0], 0.95) == 10.0
    assert percentile([], 0.5) == 0.0
    assert percentile(list(map(float, range(1, 101))), 0.95) == pytest.approx(95.05)


def test_summarize_means_over_queries_and_per_language() -> None:
    outcomes = [
        QueryOutcome("q1", "en", ["a", "b"], {"a"}, 0.010),  # rr 1, ndcg 1, recall@1 1
        QueryOutcome("q2", "en", ["a", "b"], {"b"}, 0.020),  # rr 1/2, recall@1 0, recall@5 1
        QueryOutcome("q3", "fr", ["x"], {"y"}, 0.030),  # nothing
    ]
    figures = summarize(outcomes, k=10)
    assert figures["queries"] == 3
    assert figures["recall@1"] == pytest.approx(round(1 / 3, 4))
    assert figures["hit@5"] == pytest.approx(round(2 / 3, 4))
    assert figures["mrr@10"] == pytest.approx(round(1.5 / 3, 4))
    assert figures["ndcg@10"] == pytest.approx(round((1 + 1 / math.log2(3)) / 3, 4))
    assert figures["latency_p50_ms"] == pytest.approx(20.0)
    assert figures["latency_p95_ms"] == pytest.approx(29.0)
    assert figures["latency_p99_ms"] == pytest.approx(29.8)  # closest ranks interpolated: 20 + 10 × 0.98
    by_language = summarize_by_language(outcomes, k=10)
    assert list(by_language) == ["en", "fr"]
    assert by_language["en"]["mrr@10"] == pytest.approx(0.75)
    assert by_language["fr"]["hit@1"] == 0.0
