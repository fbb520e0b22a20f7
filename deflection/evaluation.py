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

from cms.anchors import anchor_ids
from deflection.metrics import QueryOutcome, summarize, summarize_by_language
from deflection.suggestions import KEPT_SIGNALS, rank_for_draft
from search.service import SearchDocument, Section, index_documents, temporary_index

EVALUATION_AUDIENCE = "public"


class DatasetError(ValueError):
    """A line of an evaluation file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class EvalArticle:
    id: str
    lang: str
    title: str
    body: str
    sections: tuple[tuple[int, str], ...] = ()  # (start in the body, heading): where each heading begins


@dataclass(frozen=True)
class EvalQuery:
    id: str
    lang: str
    text: str
    relevant: list[str]


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise DatasetError(f"{path}:{number}: not UTF-8 ({error.reason} at byte {error.start})") from error
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise DatasetError(f"{path}:{number}: not JSON ({error.msg}, column {error.colno})") from error
            if not isinstance(value, dict):
                raise DatasetError(f"{path}:{number}: expected a JSON object")
            yield number, value


def _field(path: Path, number: int, value: dict, name: str, kind: type | tuple[type, ...]) -> object:
    if name not in value or not isinstance(value[name], kind) or isinstance(value[name], bool):
        kinds = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise DatasetError(f"{path}:{number}: field {name!r} is missing or not a {kinds}")
    return value[name]


def _identifier(path: Path, number: int, value: dict, name: str = "id") -> str:
    identifier = str(_field(path, number, value, name, (str, int))).strip()
    if not identifier:
        raise DatasetError(f"{path}:{number}: field {name!r} is empty")
    return identifier


def _language(path: Path, number: int, value: dict) -> str:
    language = str(_field(path, number, value, "lang", str))
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise DatasetError(f"{path}:{number}: language {language!r} is not one of {', '.join(codes)}")
    return language


def _sections(path: Path, number: int, value: dict, body: str) -> tuple[tuple[int, str], ...]:
    """The optional ``"sections": [[start, heading], ...]``: in body order, each heading's text found
    at its start (an offset that drifted from the body would give passages of the wrong text)."""
    if "sections" not in value:
        return ()
    found: list[tuple[int, str]] = []
    for item in _field(path, number, value, "sections", list):  # type: ignore[union-attr]
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not isinstance(item[0], int)
            or isinstance(item[0], bool)
            or not isinstance(item[1], str)
            or not item[1].strip()
        ):
            raise DatasetError(f"{path}:{number}: a section is {item!r}, not [start, heading]")
        start, heading = item
        if found and start <= found[-1][0]:
            raise DatasetError(f"{path}:{number}: section {heading!r} starts before the one above it")
        if not 0 <= start < len(body) or not body.startswith(heading, start):
            raise DatasetError(f"{path}:{number}: section {heading!r} is not in the body at {start}")
        found.append((start, heading))
    return tuple(found)


def load_articles(path: Path) -> list[EvalArticle]:
    """Articles, one per line and language; an (id, lang) pair given twice is an error naming both lines."""
    articles = []
    seen: dict[tuple[str, str], int] = {}
    for number, value in _lines(path):
        body = str(_field(path, number, value, "body", str))
        article = EvalArticle(
            id=_identifier(path, number, value),
            lang=_language(path, number, value),
            title=str(_field(path, number, value, "title", str)),
            body=body,
            sections=_sections(path, number, value, body),
        )
        first = seen.setdefault((article.id, article.lang), number)
        if first != number:
            raise DatasetError(f"{path}:{number}: article {article.id!r} in {article.lang!r} already on line {first}")
        articles.append(article)
    return articles


def load_queries(path: Path, *, known_articles: Iterable[str] | None = None) -> list[EvalQuery]:
    """Queries; each relevant id must name an article of ``known_articles`` when given (a typo there
    would silently count as a miss)."""
    known = set(known_articles) if known_articles is not None else None
    queries = []
    for number, value in _lines(path):
        relevant = _field(path, number, value, "relevant", list)
        ids = []
        for article_id in relevant:  # type: ignore[union-attr]
            if not isinstance(article_id, str | int) or isinstance(article_id, bool) or not str(article_id).strip():
                raise DatasetError(f"{path}:{number}: 'relevant' holds {article_id!r}, not an article id")
            if known is not None and str(article_id) not in known:
                raise DatasetError(f"{path}:{number}: relevant article {article_id!r} is not in the article set")
            ids.append(str(article_id).strip())
        queries.append(
            EvalQuery(
                id=_identifier(path, number, value),
                lang=_language(path, number, value),
                text=str(_field(path, number, value, "text", str)),
                relevant=ids,
            )
        )
    return queries


def documents_for(articles: Iterable[EvalArticle]) -> list:
    """Search documents for the articles, grouped by article id (all languages of one article together)."""
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
            sections=tuple(
                Section(start, anchor, heading)
                for (start, heading), anchor in zip(
                    article.sections, anchor_ids(heading for _start, heading in article.sections), strict=True
                )
            ),
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
    engine: str = ""

    def as_dict(self) -> dict:
        return {
            "engine": self.engine,
            "k": self.k,
            "signals": self.signals,
            "articles": self.articles,
            "documents": self.documents,
            "index_seconds": round(self.index_seconds, 3),
            "query_seconds": round(self.query_seconds, 3),
            "overall": self.overall,
            "by_language": self.by_language,
        }


def no_synonyms(language: str) -> list[list[str]]:
    """An article set comes without the installation's synonyms (they are written for its own articles)."""
    return []


def evaluate(
    articles: list[EvalArticle],
    queries: list[EvalQuery],
    *,
    k: int = 10,
    signals: Iterable[str] | None = None,
    engine: str | None = None,
    page_language: str | None = None,
) -> EvaluationReport:
    """Index ``articles`` in a fresh temporary index on ``engine`` (default: the configured one) and
    score ``rank_for_draft`` on ``queries``.

    Touches no table of the application (only the temporary index, created and dropped here), so
    it runs on a database that was never migrated. Raises ``EngineNotConfigured`` for an engine
    the settings lack. ``page_language`` asks every query as a reader whose page is in that language
    (a French draft on an English page); figures stay grouped by the query's own language.
    """
    signal_list = sorted(signals) if signals is not None else None
    documents = documents_for(articles)
    outcomes: list[QueryOutcome] = []
    with temporary_index(engine) as backend:
        started = time.perf_counter()
        index_documents(documents, backend=backend)
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for query in queries:
            before = time.perf_counter()
            ranking = rank_for_draft(
                subject="",
                description=query.text,
                language=page_language or query.lang,
                audiences=[EVALUATION_AUDIENCE],
                limit=k,
                backend=backend,
                signals=signal_list,
                synonyms=no_synonyms,
            )
            seconds = time.perf_counter() - before
            ranked = list(dict.fromkeys(item.article_id for item in ranking.items))
            outcomes.append(QueryOutcome(query.id, query.lang, ranked, set(query.relevant), seconds))
        query_seconds = time.perf_counter() - started
        described = backend.describe()

    return EvaluationReport(
        engine=described,
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
