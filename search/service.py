"""The one door: index articles, query them, and degrade to the database when the engine fails.

Views, the API, deflection and the tasks call these functions; none of them knows which engine
runs (``search.backends`` picks it from settings).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page, PageLogEntry

from cms.models import ArticlePage
from search import embeddings
from search.analysis import analyze, tokens
from search.backends import ENGINES, EngineNotConfigured, SearchBackend, get_backend
from search.backends.base import language_codes
from search.documents import (
    PreparedQuery,
    SearchDocument,
    SearchHit,
    SearchResults,
    Section,
    StoredDocument,
    answer_snippet,
)
from search.errors import SearchUnavailable
from search.models import IndexQueue, Synonym
from search.passages import rank_by_passages
from search.query import COGNATE_LENGTH, Statistics, cognate_beginnings, prepare_query, text_coverage

__all__ = [
    "ENGINES",
    "EngineNotConfigured",
    "SearchDocument",
    "SearchHit",
    "SearchResults",
    "SearchUnavailable",
    "Section",
    "article_reindex",
    "fuse_by_meaning",
    "index_documents",
    "index_rebuild",
    "search_articles",
    "temporary_index",
    "vector_ranking",
]

logger = logging.getLogger(__name__)

MAX_LIMIT = 100
DEGRADED_WORDS = 6


# --- Queries ------------------------------------------------------------------------------------


def search_articles(
    text: str,
    *,
    language: str,
    audiences: Iterable[str],
    limit: int = 10,
    offset: int = 0,
    backend: SearchBackend | None = None,
    promote_untranslated: bool = False,
    synonyms: Callable[[str], list[list[str]]] | None = None,
) -> SearchResults:
    """Articles matching ``text``: the reader's language first, then untranslated articles in the default one.

    With ``promote_untranslated`` (one unpaged list, as suggestions are), an untranslated article
    that contains more of the reader's words than every translated hit comes before them.
    ``synonyms`` gives the synonym groups of a language (default: the editors' ones, from the
    database); an offline evaluation of its own article set passes its own.
    Blank text finds nothing. Engine failures are logged and answered from the database
    (``degraded=True``); this function does not raise for them.
    """
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    audiences = sorted({str(audience) for audience in audiences})
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    if not text or not text.strip() or not audiences:
        return SearchResults(hits=[], total=0, degraded=False)
    backend = backend or get_backend()
    try:
        return _engine_search(
            backend,
            text,
            language=language,
            audiences=audiences,
            limit=limit,
            offset=offset,
            promote_untranslated=promote_untranslated and offset == 0,
            synonyms=synonyms or synonym_groups,
        )
    except SearchUnavailable as error:
        logger.warning("search engine %s unavailable, answering from the database: %s", backend.describe(), error)
        return _database_search(text, language=language, audiences=audiences, limit=limit, offset=offset)


def _prepare(
    backend: SearchBackend,
    text: str,
    language: str,
    synonyms: Callable[[str], list[list[str]]],
    statistics: Statistics | None = None,
) -> PreparedQuery:
    return prepare_query(
        text,
        language,
        synonyms=synonyms(language),
        statistics=statistics or _remembered_statistics(backend, language),
    )


def _remembered_statistics(backend: SearchBackend, language: str) -> Statistics:
    """The engine's document frequencies for one search, each term asked once: term selection reads
    them, then the passage ranking (which may add a synonym's terms, or a short query's)."""
    known: dict[str, int] = {}
    documents = 0

    def statistics(terms: list[str]) -> tuple[dict[str, int], int]:
        nonlocal documents
        missing = [term for term in terms if term not in known]
        if missing or not documents:
            frequencies, documents = backend.term_statistics(language, missing or terms)
            known.update(frequencies)
        return {term: known.get(term, 0) for term in terms}, documents

    return statistics


def _engine_search(
    backend: SearchBackend,
    text: str,
    *,
    language: str,
    audiences: list[str],
    limit: int,
    offset: int,
    promote_untranslated: bool = False,
    synonyms: Callable[[str], list[list[str]]],
) -> SearchResults:
    statistics = _remembered_statistics(backend, language)
    query = _prepare(backend, text, language, synonyms, statistics)
    primary: list[StoredDocument] = []
    total = 0
    if query.words:
        primary, total = backend.search(query, audiences=audiences, limit=limit, offset=offset)
        primary = rank_by_passages(primary, query, statistics)
    # (document, query, is_fallback) in the final order; snippets are made for the kept ones only.
    found = [(document, query, False) for document in primary]
    default = settings.LANGUAGE_CODE
    if language != default:
        # The reader's words analyzed for the default language, and their beginnings (shared roots).
        default_statistics = _remembered_statistics(backend, default)
        fallback_query = replace(
            _prepare(backend, text, default, synonyms, default_statistics), cognates=cognate_beginnings(text, language)
        )
        if fallback_query.words or fallback_query.cognates:
            promote = promote_untranslated and bool(primary)
            fallback, fallback_total = backend.search(
                fallback_query,
                audiences=audiences,
                limit=limit if promote else limit - len(found),
                offset=max(0, offset - total),
                missing_language=language,
            )
            fallback = rank_by_passages(fallback, fallback_query, default_statistics)
            ahead = _covering_more(text, language, primary, fallback) if promote else set()
            promoted = [(document, fallback_query, True) for document in fallback if str(document.article_id) in ahead]
            rest = [(document, fallback_query, True) for document in fallback if str(document.article_id) not in ahead]
            found = (promoted + found + rest)[:limit]
            total += fallback_total
    hits = [_hit(document, prepared, is_fallback=is_fallback) for document, prepared, is_fallback in found]
    return SearchResults(hits=hits, total=total, degraded=False)


def _covering_more(
    text: str, language: str, translated: list[StoredDocument], untranslated: list[StoredDocument]
) -> set[str]:
    """Ids of the untranslated articles that contain more of the reader's words than every translated hit.

    Search's own order stays otherwise: only an untranslated article that covers strictly more of
    the draft moves up (dev set: MRR@10 0.767 → 0.783 on SQLite, 0.767 → 0.780 on PostgreSQL, no
    language and no measure worse; deflection/suggestions.py has the table). The hits' terms come
    from the index where the engine stores them (``StoredDocument.coverage``): no text re-analyzed.
    """
    words = list(dict.fromkeys(token.word for token in tokens(text, language)))
    if not words:
        return set()
    word_terms: dict[str, list[tuple[str, str]]] = {}  # per document language: (word, its term)

    def share(document: StoredDocument, by_beginnings: bool) -> float:
        if document.language not in word_terms:
            word_terms[document.language] = [(word, (analyze(word, document.language) or [""])[0]) for word in words]
        return _share_found(document, word_terms[document.language], by_beginnings=by_beginnings)

    best = max((share(document, False) for document in translated), default=0.0)
    return {str(document.article_id) for document in untranslated if share(document, True) > best}


def _share_found(document: StoredDocument, words: list[tuple[str, str]], *, by_beginnings: bool) -> float:
    """The share of the reader's ``words`` (word, term in the document's language) the document
    contains, or (another language's document) sharing their first ``COGNATE_LENGTH`` letters."""
    coverage = document.coverage or text_coverage(document.title, document.summary, document.body, document.language)
    found = 0
    for word, term in words:
        if coverage.has_term(term) or (
            by_beginnings and len(word) > COGNATE_LENGTH and coverage.has_beginning(word[:COGNATE_LENGTH])
        ):
            found += 1
    return found / len(words)


def _hit(document: StoredDocument, query: PreparedQuery, *, is_fallback: bool) -> SearchHit:
    snippet = answer_snippet(document, query)
    return SearchHit(
        article_id=str(document.article_id),
        language=document.language,
        title=document.title,
        summary=document.summary,
        url=document.url,
        score=document.score,
        snippet=snippet.html,
        is_fallback=is_fallback,
        anchor=snippet.section.anchor if snippet.section else "",
        section=snippet.section.heading if snippet.section else "",
    )


# Reciprocal-rank fusion (Cormack et al., 2009): a list's item at rank r adds 1 / (RRF_K + r).
RRF_K = 60
MEANING_DEPTH = 50  # of the vector ranking; deeper items cannot reach a first page after fusion


def vector_ranking(
    text: str,
    *,
    languages: list[str],
    audiences: Iterable[str],
    limit: int = MEANING_DEPTH,
    backend: SearchBackend | None = None,
) -> list[embeddings.VectorHit]:
    """The articles nearest ``text`` in meaning over the whole collection, in ``languages`` (the
    page's first) and untranslated ones: ``text`` is embedded here, once, and the engine ranks.
    Empty when the signal is off; engine failures raise (``SearchUnavailable``, ``DatabaseError``)."""
    if not embeddings.enabled() or not text.strip() or not languages or limit <= 0:
        return []
    audiences = sorted({str(audience) for audience in audiences})
    if not audiences:
        return []
    vector = embeddings.embed([text])[0]
    return (backend or get_backend()).vector_ranking(vector, languages=languages, audiences=audiences, limit=limit)


def fuse_by_meaning(
    text: str,
    hits: list[SearchHit],
    *,
    languages: list[str],
    audiences: Iterable[str],
    backend: SearchBackend | None = None,
    depth: int = MEANING_DEPTH,
) -> list[SearchHit]:
    """``hits`` (a lexical ranking) fused with the articles nearest ``text`` in meaning over the whole
    collection (``vector_ranking``), in ``languages`` (the page's first) and untranslated ones.

    Fusing ranks, not re-ordering the lexical top: an article the words missed (another language's
    words, "Rechnung" for "invoice") can come in. Unchanged when the signal is off or fails.
    """
    backend = backend or get_backend()
    try:
        nearest = vector_ranking(text, languages=languages, audiences=audiences, limit=depth, backend=backend)
    except SearchUnavailable as error:
        logger.warning(
            "semantic ranking: engine %s unavailable, keeping the lexical one: %s", backend.describe(), error
        )
        return hits
    except embeddings.FAILURES:
        logger.exception("semantic ranking failed; keeping the lexical one")
        return hits
    if not nearest:
        return hits
    scores: dict[str, float] = {}
    found: dict[str, SearchHit] = {}
    for rank, hit in enumerate(hits, start=1):
        scores[hit.article_id] = scores.get(hit.article_id, 0.0) + 1.0 / (RRF_K + rank)
        found.setdefault(hit.article_id, hit)
    for rank, near in enumerate(nearest, start=1):
        scores[near.article_id] = scores.get(near.article_id, 0.0) + 1.0 / (RRF_K + rank)
        if near.article_id not in found:
            found[near.article_id] = SearchHit(
                article_id=near.article_id,
                language=near.language,
                title=near.title,
                summary=near.summary,
                url=near.url,
                score=near.similarity,
                snippet=escape(near.summary),
                is_fallback=near.language not in languages,
            )
    return sorted(found.values(), key=lambda hit: scores[hit.article_id], reverse=True)


SYNONYM_TTL_SECONDS = 60
_synonym_memo: dict[str, tuple[float, list[list[str]]]] = {}


def synonym_groups(language: str) -> list[list[str]]:
    """The editors' synonym groups for ``language``.

    Kept in memory for a minute (a query should not pay a database round trip for them);
    saving or deleting a synonym clears this process's copy at once, other processes follow
    within ``SYNONYM_TTL_SECONDS``.
    """
    now = time.monotonic()
    cached = _synonym_memo.get(language)
    if cached and now - cached[0] < SYNONYM_TTL_SECONDS:
        return cached[1]
    groups = [synonym.term_list() for synonym in Synonym.objects.filter(language=language)]
    _synonym_memo[language] = (now, groups)
    return groups


def synonyms_changed(**kwargs: object) -> None:
    _synonym_memo.clear()


def _database_search(text: str, *, language: str, audiences: list[str], limit: int, offset: int) -> SearchResults:
    """A plain query over the articles' translated title and summary, for when the engine is down."""
    found = sorted(
        {
            text[token.start : token.end].lower()
            for token in tokens(text[:2000], language)
            if token.end - token.start > 2
        },
        key=len,
        reverse=True,
    )[:DEGRADED_WORDS]
    if not found:
        return SearchResults(hits=[], total=0, degraded=True)
    default = settings.LANGUAGE_CODE
    condition = models.Q()
    for word in found:
        for field in {f"title_{language}", f"summary_{language}", f"title_{default}", f"summary_{default}"}:
            condition |= models.Q(**{f"{field}__icontains": word})
    try:
        pages = (
            ArticlePage.objects.live()
            .filter(audience__in=audiences)
            .filter(condition)
            .order_by("-last_published_at", "pk")
        )
        total = pages.count()
        hits = []
        for page in pages[offset : offset + limit]:
            translated = bool(getattr(page, f"title_{language}", ""))
            shown = language if translated else default
            title = getattr(page, f"title_{shown}", "") or page.title
            summary = getattr(page, f"summary_{shown}", "") or ""
            document = StoredDocument(str(page.pk), shown, title, summary, "", page.url_for_language(shown), 0.0)
            query = prepare_query(text, shown)
            hits.append(_hit(document, query, is_fallback=not translated))
    except DatabaseError:
        logger.exception("degraded search failed as well")
        return SearchResults(hits=[], total=0, degraded=True)
    return SearchResults(hits=hits, total=total, degraded=True)


# --- Indexing -----------------------------------------------------------------------------------


def index_documents(documents: Iterable[SearchDocument], *, backend: SearchBackend | None = None) -> int:
    """Index documents for a caller about to search them (offline evaluation, tests): each article
    present is replaced by its documents given here, visible to searches when this returns."""
    backend = backend or get_backend()
    return backend.index(embeddings.with_vectors(documents), refresh=True)


@contextmanager
def temporary_index(engine: str | None = None) -> Iterator[SearchBackend]:
    """A fresh, empty namespace on the configured engine (or the one named, see ``search.backends.ENGINES``),
    dropped on exit (offline evaluation, tests). Raises ``EngineNotConfigured`` for an engine the settings lack.
    """
    backend = get_backend(namespace=f"tmp{uuid.uuid4().hex[:12]}", engine=engine)
    backend.setup()
    try:
        yield backend
    finally:
        backend.drop()


def documents_for_article(page: object) -> list[SearchDocument]:
    """One document per language the article is written in (``ArticlePage`` contract)."""
    page = page.specific
    documents = []
    for language in page.available_languages():
        text = page.text_for(language)
        documents.append(
            SearchDocument(
                article_id=str(page.pk),
                language=language,
                title=text["title"],
                summary=text["summary"],
                body=text["body"],
                category_path=list(text["category_path"]),
                audience=str(page.audience),
                tags=list(text["tags"]),
                url=page.url_for_language(language) if page.url else "",
                published_at=page.first_published_at,
                updated_at=page.last_published_at,
                sections=tuple(Section(*section) for section in text.get("sections", ())),
            )
        )
    return documents


def article_reindex(*, page_id: int, backend: SearchBackend | None = None) -> int:
    """Bring one article's documents up to date (none when it is not live or is gone). Safe to repeat."""
    started = timezone.now()
    backend = backend or get_backend()
    page = ArticlePage.objects.live().filter(pk=page_id).first()
    documents = documents_for_article(page) if page is not None else []
    if documents:
        # Vectors travel with the documents (from the content-hash cache, or embedded now);
        # without them the article is still indexed by its words.
        backend.index(embeddings.with_vectors(documents))
    else:
        backend.delete_article(str(page_id))
    # A mark set after we started belongs to a newer change: leave it for its own task.
    IndexQueue.objects.filter(page_id=page_id, marked_at__lte=started).delete()
    return len(documents)


def dirty_reindex(*, batch: int = 200, backend: SearchBackend | None = None) -> int:
    """Re-index articles still marked dirty (their task was lost or failed), then bring vectors of
    another model up to date (``vectors_refresh``). Stops if the engine is down."""
    backend = backend or get_backend()
    done = 0
    for page_id in IndexQueue.objects.order_by("marked_at").values_list("page_id", flat=True)[:batch]:
        try:
            article_reindex(page_id=page_id, backend=backend)
        except SearchUnavailable as error:
            IndexQueue.objects.filter(page_id=page_id).update(attempts=models.F("attempts") + 1)
            logger.warning("re-indexing page %s failed, will retry: %s", page_id, error)
            break
        done += 1
    vectors_refresh(backend=backend, batch=batch)
    return done


VECTOR_REFRESH_BATCH = 500  # documents re-embedded in place per sweep (~10 s of embedding)


def vectors_refresh(*, backend: SearchBackend, batch: int) -> int:
    """Vectors made by another model (a package upgrade) brought to the current one: re-embedded in
    place where the engine keeps the text (SQLite, PostgreSQL); where it cannot (Elasticsearch), up
    to ``batch`` articles with a document whose vector is another model's or missing (written while
    embedding failed, or before vectors existed) are re-indexed. Returns documents plus articles."""
    if not embeddings.enabled():
        return 0
    try:
        re_embedded = backend.vectors_refresh(batch=VECTOR_REFRESH_BATCH)
        stale = backend.stale_vector_articles(limit=batch)
    except SearchUnavailable as error:
        logger.warning("search: vectors not refreshed, the engine is unavailable: %s", error)
        return 0
    reindexed = 0
    for article_id in stale:
        if not article_id.isdigit():  # not an article page (an offline evaluation's namespace)
            continue
        try:
            article_reindex(page_id=int(article_id), backend=backend)
        except SearchUnavailable as error:
            logger.warning("search: re-indexing %s for its vectors failed, will retry: %s", article_id, error)
            break
        reindexed += 1
    if reindexed:
        logger.info("search: re-indexed %d articles whose vectors were missing or another model's", reindexed)
    return re_embedded + reindexed


@dataclass(frozen=True)
class RebuildReport:
    articles: int
    documents: int
    seconds: float
    engine: str


def live_article_documents(on_article: Callable[[], None] | None = None) -> Iterator[SearchDocument]:
    """Documents of every live article, grouped by article (the backends rely on that order)."""
    for page in ArticlePage.objects.live().order_by("pk").iterator(chunk_size=200):
        yield from documents_for_article(page)
        if on_article:
            on_article()


def index_rebuild(
    *, backend: SearchBackend | None = None, progress: Callable[[int], None] | None = None
) -> RebuildReport:
    """Rebuild the whole index from live articles; the old index serves until the swap."""
    backend = backend or get_backend()
    started = time.perf_counter()
    started_at = timezone.now()
    articles = 0

    def count_article() -> None:
        nonlocal articles
        articles += 1

    with transaction.atomic():
        # Vectors ride with the documents, embedded a batch at a time through the content-hash cache.
        streamed = embeddings.with_vectors_streamed(live_article_documents(count_article))
        documents = backend.rebuild(streamed, progress=progress)
        backend.vectors_refresh()
        IndexQueue.objects.filter(marked_at__lte=started_at).delete()
        replayed = articles_changed_since(started_at)
        for page_id in replayed:
            article_reindex(page_id=page_id, backend=backend)
    if replayed:
        logger.info("search rebuild: replayed %d articles changed while it ran", len(replayed))
    return RebuildReport(articles, documents, time.perf_counter() - started, backend.describe())


def articles_changed_since(moment: datetime) -> list[int]:
    """Articles published, unpublished, moved or deleted since ``moment`` (a rebuild's start).

    A change made while a rebuild streams the database reaches the old index (its task writes
    there) and may miss the new one; re-indexing these after the swap loses nothing. Wagtail's
    audit log records every such page action, and a category's change reaches its articles;
    articles still marked dirty since then come too.
    """
    page_ids = set(PageLogEntry.objects.filter(timestamp__gte=moment).values_list("page_id", flat=True))
    page_ids |= set(IndexQueue.objects.filter(marked_at__gt=moment).values_list("page_id", flat=True))
    page_ids.discard(None)
    articles = set(ArticlePage.objects.filter(pk__in=page_ids).values_list("pk", flat=True))
    existing = set(Page.objects.filter(pk__in=page_ids).values_list("pk", flat=True))
    articles |= page_ids - existing  # deleted pages: whatever they were, nothing of them may stay indexed
    for parent in Page.objects.filter(pk__in=existing - articles):
        articles |= set(ArticlePage.objects.descendant_of(parent).values_list("pk", flat=True))
    return sorted(articles)


def article_count() -> int:
    return ArticlePage.objects.live().count()
