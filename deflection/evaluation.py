"""Offline evaluation: index a labelled article set in a temporary index, run every query through
the real suggestion ranking, and score the rankings (``manage.py evaluate_deflection``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from deflection.metrics import QueryOutcome, summarize, summarize_by_language
from deflection.suggestions import rank_for_draft

EVALUATION_AUDIENCE = "public"


class DatasetError(ValueError):
    """A line of an evaluation file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class EvalArticle:
    id: str
    lang: str
    title: str
    body: str


@dataclass(frozen=True)
class EvalQuery:
    id: str
    lang: str
    text: str
    relevant: list[str]


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise DatasetError(f"{path}:{number}: not JSON ({error.msg})") from error
            if not isinstance(value, dict):
                raise DatasetError(f"{path}:{number}: expected a JSON object")
            yield number, value


def _field(path: Path, number: int, value: dict, name: str, kind: type) -> object:
    if name not in value or not isinstance(value[name], kind):
        raise DatasetError(f"{path}:{number}: field {name!r} is missing or not a {kind.__name__}")
    return value[name]


def _language(path: Path, number: int, value: dict) -> str:
    language = str(_field(path, number, value, "lang", str))
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise DatasetError(f"{path}:{number}: language {language!r} is not one of {', '.join(codes)}")
    return language


def load_articles(path: Path) -> list[EvalArticle]:
    articles = []
    for number, value in _lines(path):
        articles.append(
            EvalArticle(
                id=str(_field(path, number, value, "id", (str, int))),  # type: ignore[arg-type]
                lang=_language(path, number, value),
                title=str(_field(path, number, value, "title", str)),
                body=str(_field(path, number, value, "body", str)),
            )
        )
    return articles


def load_queries(path: Path) -> list[EvalQuery]:
    queries = []
    for number, value in _lines(path):
        relevant = _field(path, number, value, "relevant", list)
        queries.append(
            EvalQuery(
                id=str(_field(path, number, value, "id", (str, int))),  # type: ignore[arg-type]
                lang=_language(path, number, value),
                text=str(_field(path, number, value, "text", str)),
                relevant=[str(article_id) for article_id in relevant],  # type: ignore[union-attr]
            )
        )
    return queries


def documents_for(articles: Iterable[EvalArticle]) -> list:
    """Search documents for the articles, grouped by article id (all languages of one article together)."""
    from search.service import SearchDocument

    ordered = sorted(articles, key=lambda article: (article.id, article.lang))
    return [
        SearchDocument(
            article_id=article.id,
            language=article.lang,
            title=article.title,
            summary="",
            body=article.body,
            category_path=[],
            audience=EVALUATION_AUDIENCE,
            tags=[],
            url=f"/evaluation/{article.id}/",
            published_at=None,
            updated_at=None,
        )
        for article in ordered
    ]


@dataclass(frozen=True)
class EvaluationReport:
    k: int
    signals: list[str]
    articles: int
    documents: int
    index_seconds: float
    query_seconds: float
    overall: dict[str, float]
    by_language: dict[str, dict[str, float]]

    def as_dict(self) -> dict:
        return {
            "k": self.k,
            "signals": self.signals,
            "articles": self.articles,
            "documents": self.documents,
            "index_seconds": round(self.index_seconds, 3),
            "query_seconds": round(self.query_seconds, 3),
            "overall": self.overall,
            "by_language": self.by_language,
        }


def evaluate(
    articles: list[EvalArticle], queries: list[EvalQuery], *, k: int = 10, signals: Iterable[str] | None = None
) -> EvaluationReport:
    """Index ``articles`` in a fresh temporary index and score ``rank_for_draft`` on ``queries``."""
    from search.service import index_documents, temporary_index

    signal_list = sorted(signals) if signals is not None else None
    documents = documents_for(articles)
    outcomes: list[QueryOutcome] = []
    with temporary_index() as backend:
        started = time.perf_counter()
        index_documents(documents, backend=backend)
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for query in queries:
            before = time.perf_counter()
            ranking = rank_for_draft(
                subject="",
                description=query.text,
                language=query.lang,
                audiences=[EVALUATION_AUDIENCE],
                limit=k,
                backend=backend,
                signals=signal_list,
            )
            seconds = time.perf_counter() - before
            ranked = list(dict.fromkeys(item.article_id for item in ranking.items))
            outcomes.append(QueryOutcome(query.id, query.lang, ranked, set(query.relevant), seconds))
        query_seconds = time.perf_counter() - started
    from deflection.suggestions import KEPT_SIGNALS

    return EvaluationReport(
        k=k,
        signals=signal_list if signal_list is not None else sorted(KEPT_SIGNALS),
        articles=len({article.id for article in articles}),
        documents=len(documents),
        index_seconds=index_seconds,
        query_seconds=query_seconds,
        overall=summarize(outcomes, k=k),
        by_language=summarize_by_language(outcomes, k=k),
    )


# --- A synthetic set, for timing the evaluation at scale ------------------------------------------

_TOPICS = [
    "password", "invoice", "billing", "export", "import", "login", "account", "report", "dashboard",
    "notification", "email", "calendar", "integration", "webhook", "token", "permission", "role",
    "team", "project", "upload", "download", "attachment", "language", "timezone", "subscription",
    "refund", "payment", "receipt", "security", "backup", "restore", "archive", "search", "filter",
    "template", "workflow", "automation", "mobile", "desktop", "browser", "printer", "scanner",
]  # fmt: skip
_VERBS = ["reset", "change", "configure", "delete", "create", "share", "sync", "enable", "disable", "update"]
_SYLLABLES = ["ba", "ko", "ri", "tem", "lu", "sa", "ven", "dor", "mi", "pel", "qua", "zet", "no", "fra", "gil", "hu"]
VOCABULARY = 8000


def _vocabulary(rng: random.Random) -> list[str]:
    """Pseudo-words standing in for an article set's long tail of vocabulary."""
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_dataset(articles: int, queries: int, *, seed: int = 7) -> tuple[list[EvalArticle], list[EvalQuery]]:
    """English articles whose words follow a Zipf-like law, and queries paraphrasing one article each.

    Real help articles share a few frequent words and many rare ones; drawing every word from a
    small list instead would make each term match every document, which no real set does.
    """
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    weights = [1.0 / rank for rank in range(1, len(vocabulary) + 1)]
    made: list[EvalArticle] = []
    for number in range(articles):
        verb, topic, other = rng.choice(_VERBS), rng.choice(_TOPICS), rng.choice(_TOPICS)
        rare = rng.choices(vocabulary, weights=weights, k=120)
        title = f"How to {verb} {topic} {other} {rare[0]}"
        body = " ".join([*rare, topic, other, verb])
        made.append(EvalArticle(id=str(number), lang="en", title=title, body=body))
    asked: list[EvalQuery] = []
    for number in range(queries):
        target = made[rng.randrange(articles)]
        words = target.title.split()
        extra = " ".join(rng.sample(target.body.split()[:120], 2))
        text = f"hi, I cannot {words[2]} my {words[3]} {words[4]} {words[5]} anymore ({extra}), please help"
        asked.append(EvalQuery(id=f"q{number}", lang="en", text=text, relevant=[target.id]))
    return made, asked
