"""``make bench``'s summary: a benchmark that failed or printed less than usual is named, never a crash."""

from __future__ import annotations

import pytest

from bench import run_all

AGENT_QUEUE = {"tickets": 500, "slowest_median_ms": 12.5, "views": {"inbox": {"queries": 9}, "mine": {"queries": 7}}}


def test_the_summary_reads_each_benchmarks_headline() -> None:
    lines = run_all.summary({"started": "2026-12-06T07:00:00Z", "agent_queue": AGENT_QUEUE})
    assert "agent queue (500 tickets): slowest list view median 12.5 ms, 9 queries" in lines


def test_a_failed_or_incomplete_benchmark_is_named_and_the_others_still_read() -> None:
    report = {
        "started": "2026-12-06T07:00:00Z",
        "search": {"engine": "sqlite-fts5", "articles": 2000},  # stopped before its figures
        "long_articles": {"error": "Traceback …"},
        "agent_queue": AGENT_QUEUE,
    }
    lines = run_all.summary(report)
    assert "search: incomplete result, see the JSON report" in lines
    assert "long_articles: FAILED, see the JSON report" in lines
    assert any(line.startswith("agent queue (500 tickets)") for line in lines)
    assert "load: incomplete result, see the JSON report" in lines  # absent from the report


def test_the_report_is_the_last_json_object_printed() -> None:
    output = 'warming up {not json\n{\n  "a": {\n    "b": 1\n  }\n}\n'
    assert run_all._last_json(output) == {"a": {"b": 1}}
    with pytest.raises(ValueError):
        run_all._last_json("no figures at all")
