"""Long-article benchmark (issue 14 item 7): suggestion latency per drafted question and indexing rate
on thousands of long real articles.

The articles are the long-article development set (``tests/data/deflection_long``: Linux manual
pages in English and French). To reach the size the issue asks for (3,000 articles of 5,000
characters or more), each page is used ``--copies`` times under distinct ids, and a page shorter
than ``MIN_CHARS`` is followed by the text of the next pages until it is long enough: the text
stays real, the vocabulary and lengths stay those of real documentation. Drafts are the set's
hand-written questions, framed as a customer writes them (a greeting before, a sentence of
context and a sign-off after) to 150–300 characters.

Reports, on the configured engine (a fresh SQLite file unless ``--database-url`` names a
PostgreSQL one): indexing rate in articles and documents per second (documents in memory into a
temporary index, as ``evaluate_deflection`` does), and p50/p95/p99 of ``rank_for_draft`` per
draft, overall and per language, in wall time and in this process's CPU time (a shared, loaded
machine inflates wall time; CPU time is what a draft costs). Prints one JSON object; never part
of the test suite.

    python -m bench.long_articles [--copies 3] [--drafts 200] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.search import _percentiles, _phase, _setup_django

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "deflection_long"
MIN_CHARS = 5000
DRAFT_CHARS = (150, 300)
FRAMES = {
    "en": (
        ["Hello,", "Hi team,", "Good morning,", "Hi there,"],
        [
            "This is blocking our release today.",
            "I already read a few pages but I am lost.",
            "We run Debian 12 on all our servers.",
        ],
        ["Thanks in advance.", "Best regards, Sam", "Thanks a lot!"],
    ),
    "fr": (
        ["Bonjour,", "Bonjour a tous,", "Salut,", "Bonjour l'equipe,"],
        [
            "C'est assez urgent pour nous aujourd'hui.",
            "J'ai deja lu plusieurs pages mais je suis perdu.",
            "Nous sommes sous Debian 12 sur tous nos serveurs.",
        ],
        ["Merci d'avance.", "Cordialement, Camille", "Merci beaucoup !"],
    ),
}


def long_articles(copies: int) -> list[Any]:
    """The set's articles, each ``copies`` times, every body at least ``MIN_CHARS`` long."""
    # Imported once Django is set up (main), as bench/search.py does: the app modules need it.
    from deflection.evaluation import EvalArticle, load_articles

    articles = load_articles(CORPUS / "articles.jsonl")
    by_language: dict[str, list[EvalArticle]] = {}
    for article in articles:
        by_language.setdefault(article.lang, []).append(article)
    made: list[EvalArticle] = []
    for copy in range(copies):
        for language, pages in by_language.items():
            for index, page in enumerate(pages):
                body, sections, following = page.body, page.sections, index
                while len(body) < MIN_CHARS:
                    following = (following + 1) % len(pages)
                    shift = len(body) + 2
                    body += "\n\n" + pages[following].body
                    sections += tuple((start + shift, heading) for start, heading in pages[following].sections)
                made.append(
                    EvalArticle(id=f"{page.id}#{copy}", lang=language, title=page.title, body=body, sections=sections)
                )
    return made


def drafts(count: int, seed: int) -> list[tuple[str, str]]:
    """(language, draft) pairs: a question of the set framed to 150–300 characters."""
    # Imported once Django is set up (main), as bench/search.py does.
    from deflection.evaluation import load_queries

    rng = random.Random(seed)
    queries = load_queries(CORPUS / "queries.jsonl")
    made: list[tuple[str, str]] = []
    while len(made) < count:
        query = rng.choice(queries)
        greetings, context, endings = FRAMES[query.lang]
        ending = rng.choice(endings)
        text = f"{rng.choice(greetings)} {query.text}"
        for sentence in rng.sample(context, len(context)):
            if len(text) + len(ending) + 1 >= DRAFT_CHARS[0]:
                break
            text += f" {sentence}"
        made.append((query.lang, f"{text} {ending}"[: DRAFT_CHARS[1]]))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3, help="times each page is used (3: about 3,100 articles)")
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="keep the semantic signal on (embeds every article first: minutes on 3,000 long articles)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="af-bench-long-") as var_dir:
        started = time.perf_counter()
        # The indexing target is without embeddings; --semantic measures drafts with the signal.
        os.environ["SEARCH_SEMANTIC"] = "true" if args.semantic else "false"
        _setup_django(args.database_url, var_dir)
        from django.db import connection

        from deflection.evaluation import EVALUATION_AUDIENCE, documents_for
        from deflection.suggestions import rank_for_draft
        from search.service import index_documents, temporary_index

        articles = long_articles(args.copies)
        documents = documents_for(articles)
        asked = drafts(args.drafts, args.seed)
        _phase("corpus", started)
        with temporary_index() as backend:
            began, began_cpu = time.perf_counter(), time.process_time()
            index_documents(documents, backend=backend)
            index_seconds = time.perf_counter() - began
            index_cpu_seconds = time.process_time() - began_cpu
            _phase("index", started)
            rank_for_draft(
                subject="", description="warm up", language="en", audiences=[EVALUATION_AUDIENCE], backend=backend
            )
            samples: dict[str, list[float]] = {}
            cpu_samples: dict[str, list[float]] = {}
            for language, text in asked:
                began, began_cpu = time.perf_counter(), time.process_time()
                rank_for_draft(
                    subject="",
                    description=text,
                    language=language,
                    audiences=[EVALUATION_AUDIENCE],
                    limit=10,
                    backend=backend,
                )
                seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - began_cpu
                for key in (language, "overall"):
                    samples.setdefault(key, []).append(seconds)
                    cpu_samples.setdefault(key, []).append(cpu_seconds)
            _phase("drafts", started)
        result = {
            "engine": backend.describe(),
            "semantic": args.semantic,
            "database": connection.vendor,
            "articles": len({article.id for article in articles}),
            "documents": len(documents),
            "median_body_chars": sorted(len(article.body) for article in articles)[len(articles) // 2],
            "index": {
                "seconds": round(index_seconds, 2),
                "articles_per_second": round(len({a.id for a in articles}) / index_seconds, 1),
                "documents_per_second": round(len(documents) / index_seconds, 1),
                "cpu_seconds": round(index_cpu_seconds, 2),
                "articles_per_cpu_second": round(len({a.id for a in articles}) / index_cpu_seconds, 1),
            },
            "drafts": {key: {"count": len(values), **_percentiles(values)} for key, values in sorted(samples.items())},
            # This process's CPU time per draft: what a draft costs when the machine is not shared
            # (wall time above also counts waiting for a core; SQLite runs in-process, so it is included).
            "drafts_cpu": {key: _percentiles(values) for key, values in sorted(cpu_samples.items())},
            "draft_chars": [min(len(text) for _l, text in asked), max(len(text) for _l, text in asked)],
            "total_seconds": round(time.perf_counter() - started, 1),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
