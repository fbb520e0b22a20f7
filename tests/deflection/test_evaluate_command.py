"""``manage.py evaluate_deflection`` on a tiny labelled set, through a temporary index."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from deflection.evaluation import documents_for, load_articles
from search.backends import get_backend

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

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
    for name in (
        "recall@1",
        "recall@5",
        "recall@10",
        "hit@1",
        "mrr@10",
        "ndcg@10",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
    ):
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


def test_runs_on_a_database_never_migrated(tmp_path) -> None:
    """A fresh clone: no ``migrate`` was run, the SQLite file does not even exist (issue 14, item 8)."""
    articles = write(tmp_path / "a.jsonl", ARTICLES)
    queries = write(tmp_path / "q.jsonl", QUERIES)
    env = {
        **{name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "ELASTICSEARCH_URL"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "VAR_DIR": str(tmp_path / "var"),
    }
    command = [sys.executable, "manage.py", "evaluate_deflection", "--articles", str(articles), "--queries",
               str(queries), "--engine", "sqlite", "--json"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["engine"].startswith("sqlite-fts5") and report["overall"]["queries"] == 4
    assert report["overall"]["hit@5"] == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"id": "a", "lang": "en", "title": "t", "body": "b"}\n\xff\xfe\n', r"a\.jsonl:2: not UTF-8"),
        (b'{"id": "a", "lang": "en", "title": "t", "body": "b"}\n{"id": "a", "lang": "en"', r"a\.jsonl:2: not JSON"),
        (
            b'{"id": "a", "lang": "en", "title": "t", "body": "b"}\n'
            b'{"id": "a", "lang": "en", "title": "u", "body": "c"}',
            r"a\.jsonl:2: article 'a' in 'en' already on line 1",
        ),
        (b'{"id": "", "lang": "en", "title": "t", "body": "b"}', r"a\.jsonl:1: field 'id' is empty"),
        (b'{"id": "a", "lang": "en", "title": 3, "body": "b"}', r"a\.jsonl:1: field 'title' is missing or not a str"),
        (
            b'{"id": "a", "lang": "en", "title": "t", "body": "Intro Usage run it"}\n'
            b'{"id": "b", "lang": "en", "title": "t", "body": "Intro Usage run it", '
            b'"sections": [[6, "Usage"], [7, "x"]]}',
            r"a\.jsonl:2: section 'x' is not in the body at 7",
        ),
        (
            b'{"id": "a", "lang": "en", "title": "t", "body": "Usage run it", '
            b'"sections": [[0, "Usage"], [0, "Usage"]]}',
            r"a\.jsonl:1: section 'Usage' starts before the one above it",
        ),
        (
            b'{"id": "a", "lang": "en", "title": "t", "body": "Usage run it", "sections": [["0", "Usage"]]}',
            r"a\.jsonl:1: a section is \['0', 'Usage'\], not \[start, heading\]",
        ),
    ],
)
def test_a_bad_article_file_names_its_line(tmp_path, content: bytes, message: str) -> None:
    bad = tmp_path / "a.jsonl"
    bad.write_bytes(content)
    queries = write(tmp_path / "q.jsonl", QUERIES)
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_deflection", articles=str(bad), queries=str(queries))


def test_a_relevant_id_missing_from_the_articles_names_its_line(tmp_path) -> None:
    rows = [*QUERIES, {"id": "q5", "lang": "en", "text": "sso setup", "relevant": ["single-sign-on"]}]
    queries = write(tmp_path / "q.jsonl", rows)
    with pytest.raises(CommandError, match=r"q\.jsonl:5: relevant article 'single-sign-on' is not in the article set"):
        call_command("evaluate_deflection", articles=str(write(tmp_path / "a.jsonl", ARTICLES)), queries=str(queries))


def test_engine_option_picks_the_engine_or_says_what_is_missing(tmp_path) -> None:
    articles = write(tmp_path / "a.jsonl", ARTICLES)
    queries = write(tmp_path / "q.jsonl", QUERIES)
    configured = "postgres" if connection.vendor == "postgresql" else "sqlite"
    other = "sqlite" if configured == "postgres" else "postgres"
    out = StringIO()
    call_command("evaluate_deflection", articles=str(articles), queries=str(queries), engine=configured, json=True,
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["engine"].startswith("postgresql" if configured == "postgres" else "sqlite")
    with pytest.raises(CommandError, match=f"--engine: the {other} engine keeps its index in the database"):
        call_command("evaluate_deflection", articles=str(articles), queries=str(queries), engine=other)
    with override_settings(ELASTICSEARCH_URL=""), pytest.raises(CommandError, match="needs ELASTICSEARCH_URL"):
        call_command("evaluate_deflection", articles=str(articles), queries=str(queries), engine="elasticsearch")


def test_page_language_asks_every_query_from_that_page(tmp_path) -> None:
    """A French draft on an English page finds the French article (the draft's language is searched too)."""
    articles = write(tmp_path / "a.jsonl", ARTICLES)
    queries = write(tmp_path / "q.jsonl", [{"id": "q1", "lang": "fr", "text": "j'ai perdu mon mot de passe",
                                           "relevant": ["pw"]}])  # fmt: skip
    out = StringIO()
    call_command("evaluate_deflection", articles=str(articles), queries=str(queries), page_language="en", json=True,
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["by_language"]["fr"]["hit@1"] == 1.0
    with pytest.raises(CommandError, match="--page-language must be one of"):
        call_command("evaluate_deflection", articles=str(articles), queries=str(queries), page_language="xx")


def test_sections_of_an_article_become_its_passages_with_anchors(tmp_path) -> None:
    body = "Intro text.\n\nLost phone\nUse a recovery code.\n\nLost phone\nCall us."
    path = write(
        tmp_path / "a.jsonl",
        [
            {
                "id": "g",
                "lang": "en",
                "title": "Guide",
                "body": body,
                "sections": [[13, "Lost phone"], [46, "Lost phone"]],
            }
        ],
    )
    (article,) = load_articles(path)
    assert article.sections == ((13, "Lost phone"), (46, "Lost phone"))
    (document,) = documents_for([article])
    assert [(section.start, section.anchor, section.heading) for section in document.sections] == [
        (13, "lost-phone", "Lost phone"),
        (46, "lost-phone-2", "Lost phone"),  # the anchors an article page gives repeated headings
    ]
    assert documents_for(load_articles(write(tmp_path / "b.jsonl", ARTICLES)))[0].sections == ()
