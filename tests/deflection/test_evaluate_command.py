"""``manage.py evaluate_deflection`` on a tiny labelled set, through a temporary index."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from search.backends import get_backend

pytestmark = pytest.mark.django_db

ARTICLES = [
    {"id": "pw", "lang": "en", "title": "Reset your password", "body": "Use the reset link on the sign-in page."},
    {"id": "pw", "lang": "fr", "title": "Réinitialiser le mot de passe", "body": "Utilisez le lien de connexion."},
    {"id": "inv", "lang": "en", "title": "Download invoices", "body": "Invoices are in the billing section as PDF."},
    {"id": "sso", "lang": "en", "title": "Set up single sign-on", "body": "Connect your identity provider."},
]
QUERIES = [
    {"id": "q1", "lang": "en", "text": "i forgot my pasword, how do i reset it", "relevant": ["pw"]},
    {"id": "q2", "lang": "fr", "text": "mot de passe perdu", "relevant": ["pw"]},
    {"id": "q3", "lang": "en", "text": "where are my invoices pdf", "relevant": ["inv"]},
    {"id": "q4", "lang": "fr", "text": "factures pdf invoices", "relevant": ["inv"]},
]


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def test_evaluates_overall_and_per_language_as_json(tmp_path) -> None:
    before = get_backend().count()
    out = StringIO()
    call_command(
        "evaluate_deflection",
        articles=str(write(tmp_path / "a.jsonl", ARTICLES)),
        queries=str(write(tmp_path / "q.jsonl", QUERIES)),
        k=10,
        json=True,
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["articles"] == 3 and report["documents"] == 4
    assert set(report["by_language"]) == {"en", "fr"}
    assert report["overall"]["queries"] == 4
    assert report["overall"]["hit@5"] == 1.0  # every query finds its article (fr q4 through the fallback)
    for name in ("recall@1", "recall@5", "recall@10", "hit@1", "mrr@10", "ndcg@10", "latency_p50_ms", "latency_p95_ms"):
        assert name in report["overall"]
    assert get_backend().count() == before  # the temporary index is gone, the real one untouched


def test_table_output_and_bad_files(tmp_path) -> None:
    out = StringIO()
    articles = write(tmp_path / "a.jsonl", ARTICLES)
    call_command("evaluate_deflection", articles=str(articles), queries=str(write(tmp_path / "q.jsonl", QUERIES)),
                 stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "overall" in text and "mrr@10" in text and "p95 ms" in text
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q", "lang": "xx", "text": "t", "relevant": []}\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.jsonl:1: language 'xx'"):
        call_command("evaluate_deflection", articles=str(articles), queries=str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("evaluate_deflection", articles=str(tmp_path / "missing.jsonl"), queries=str(bad))


def test_synthetic_set_runs() -> None:
    out = StringIO()
    call_command("evaluate_deflection", synthetic="60,10", json=True, stdout=out)
    report = json.loads(out.getvalue())
    assert report["articles"] == 60 and report["overall"]["queries"] == 10
    assert report["overall"]["hit@5"] >= 0.9  # each query paraphrases one article
