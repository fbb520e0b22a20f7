"""The interface every search engine implements, and what the engines share."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TypeVar

import numpy as np
from django.conf import settings

from search import embeddings
from search.documents import PreparedQuery, SearchDocument, StoredDocument, batches_by_article
from search.embeddings import VectorHit

logger = logging.getLogger(__name__)

T = TypeVar("T")

NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
Progress = Callable[[int], None]
# How much a word counts in each field, on every engine (SQLite's bm25 weights, Elasticsearch's
# combined_fields boosts): a word in the title counts most.
FIELD_WEIGHTS = {"title": 10.0, "summary": 4.0, "body": 1.0, "extra": 3.0}


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def group_by_article(documents: Iterable[SearchDocument]) -> dict[str, list[SearchDocument]]:
    """Documents per article, last one winning for a repeated (article, language)."""
    articles: dict[str, dict[str, SearchDocument]] = {}
    for document in documents:
        if document.language not in language_codes():
            raise ValueError(f"unknown language {document.language!r} for article {document.article_id}")
        articles.setdefault(str(document.article_id), {})[document.language] = document
    return {article_id: list(by_language.values()) for article_id, by_language in articles.items()}


def languages_field(documents: Sequence[SearchDocument]) -> str:
    """The languages an article exists in, stored with each of its documents as ",en,fr,".

    The fallback query asks for default-language documents whose article lacks the reader's
    language; keeping the list on the document lets every engine answer that with one filter.
    """
    return "," + ",".join(sorted({document.language for document in documents})) + ","


def extra_text(document: SearchDocument) -> str:
    """Category path and tags: searchable, weighted like the summary."""
    return " ".join([*document.category_path, *document.tags])


class SearchBackend(ABC):
    """One search engine holding one index namespace ("main", or a temporary one)."""

    name: str = "abstract"

    def __init__(self, namespace: str = "main") -> None:
        if not NAMESPACE.match(namespace):
            raise ValueError(f"invalid search namespace {namespace!r}")
        self.namespace = namespace

    @abstractmethod
    def setup(self) -> None:
        """Create the namespace's tables or indexes if they are missing (idempotent)."""

    @abstractmethod
    def ping(self) -> str:
        """Return the engine's name if it answers; raise ``SearchUnavailable`` otherwise."""

    @abstractmethod
    def index(self, documents: Sequence[SearchDocument], *, refresh: bool = False) -> int:
        """Replace the documents of every article present in ``documents`` by those given.

        An article's languages are indexed together, so a language removed from an article
        disappears from the index and the fallback filter stays right. ``refresh``: return only
        once searches see the change (a caller about to read its write); engines whose writes
        are visible on commit ignore it.
        """

    @abstractmethod
    def delete_article(self, article_id: str, *, refresh: bool = False) -> None:
        """Remove every document of one article (any language)."""

    @abstractmethod
    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Progress | None = None) -> int:
        """Replace the whole namespace with ``documents``; readers keep the old index until the swap."""

    @abstractmethod
    def search(
        self,
        query: PreparedQuery,
        *,
        audiences: Sequence[str],
        limit: int,
        offset: int,
        missing_language: str | None = None,
    ) -> tuple[list[StoredDocument], int]:
        """Ranked documents in ``query.language`` and the total count.

        ``missing_language`` restricts to articles that have no document in that language
        (the default-language fallback for untranslated articles).
        """

    @abstractmethod
    def vector_ranking(
        self, vector: np.ndarray, *, languages: Sequence[str], audiences: Sequence[str], limit: int
    ) -> list[VectorHit]:
        """Up to ``limit`` articles nearest ``vector`` in meaning, each by its best eligible document.

        Eligible: a document of the current model's vectors, for one of ``audiences``, in one of
        ``languages`` (the page's first), or in the default language for an article with no
        document in ``languages[0]`` (untranslated, as lexical search's fallback).
        """

    def vectors_refresh(self, *, batch: int = 500) -> int:
        """Re-embed in place up to ``batch`` documents whose vector another model made, where the
        engine keeps their text (``stale_vector_articles`` names the articles of the others)."""
        return 0

    def stale_vector_articles(self, *, limit: int) -> list[str]:
        """Up to ``limit`` articles with a document lacking a vector of the current model that only
        re-indexing the article brings up to date."""
        return []

    @abstractmethod
    def drop(self) -> None:
        """Delete the namespace entirely (temporary indexes)."""

    @abstractmethod
    def count(self) -> int:
        """How many documents the namespace holds."""

    def document_frequencies(self, language: str, terms: list[str]) -> dict[str, int]:
        """How many documents contain each analyzed term, where the engine can say cheaply."""
        return {}

    def term_statistics(self, language: str, terms: list[str]) -> tuple[dict[str, int], int]:
        """Document frequencies of ``terms`` and the number of documents in ``language`` (0: unknown)."""
        return {}, 0

    def health(self) -> dict[str, str]:
        """What ``/healthz`` shows for the engine; raise ``SearchUnavailable`` when it cannot serve."""
        return {"engine": self.ping()}

    def describe(self) -> str:
        return f"{self.name}:{self.namespace}"


class DatabaseBackend(SearchBackend):
    """Writes shared by the engines that live in our database (SQLite FTS5, PostgreSQL), and their
    vectors: a table per namespace beside the index, scored with numpy (``search.embeddings``).

    Subclasses say how to open a guarded write (``_writing``: engine errors become
    ``SearchUnavailable``, all in one transaction) and how to empty, delete and insert rows.
    """

    batch_size = 500

    @abstractmethod
    def _writing(self) -> AbstractContextManager[object]:
        """A cursor inside one guarded transaction, with the namespace's tables ensured."""

    @abstractmethod
    def _empty(self, cursor: object) -> None:
        """Delete every document of the namespace."""

    @abstractmethod
    def _delete(self, cursor: object, article_ids: list[str]) -> None:
        """Delete every document of these articles."""

    @abstractmethod
    def _insert(self, cursor: object, articles: dict[str, list[SearchDocument]]) -> int:
        """Insert the documents (grouped by article); return how many."""

    @abstractmethod
    def _read(self, run: Callable[[object], T]) -> T:
        """``run(cursor)`` on a guarded read (engine errors become ``SearchUnavailable``)."""

    @abstractmethod
    def _documents_in(self, cursor: object, language: str) -> int:
        """How many documents of ``language`` the namespace holds."""

    @abstractmethod
    def _drop(self) -> None:
        """Drop the namespace's tables."""

    def drop(self) -> None:
        self._drop()
        embeddings.vectors_drop(self.namespace)

    def vector_ranking(
        self, vector: np.ndarray, *, languages: Sequence[str], audiences: Sequence[str], limit: int
    ) -> list[VectorHit]:
        return embeddings.vector_ranking(self.namespace, vector, languages=languages, audiences=audiences, limit=limit)

    def vectors_refresh(self, *, batch: int = 500) -> int:
        return embeddings.vectors_refresh(self.namespace, batch=batch)

    def term_statistics(self, language: str, terms: list[str]) -> tuple[dict[str, int], int]:
        if not terms:
            return {}, 0
        return self.document_frequencies(language, terms), self._read(
            lambda cursor: self._documents_in(cursor, language)
        )

    def index(self, documents: Sequence[SearchDocument], *, refresh: bool = False) -> int:
        articles = group_by_article(documents)
        with self._writing() as cursor:
            self._delete(cursor, list(articles))
            count = self._insert(cursor, articles)
        try:
            embeddings.vectors_store(self.namespace, documents)
        except embeddings.FAILURES:  # the words are indexed; the meaning keeps the article's old vectors
            logger.exception("storing the vectors of %d documents failed", len(documents))
        return count

    def delete_article(self, article_id: str, *, refresh: bool = False) -> None:
        # One transaction: an unpublished article must not stay findable by its meaning.
        with self._writing() as cursor:
            self._delete(cursor, [str(article_id)])
            embeddings.vectors_delete(cursor, self.namespace, str(article_id))

    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Progress | None = None) -> int:
        """Empty and refill in one transaction: readers see the old index until the commit."""
        total = 0
        documents = embeddings.vectors_rebuild(self.namespace, documents)
        with self._writing() as cursor:
            self._empty(cursor)
            for batch in batches_by_article(documents, self.batch_size):
                articles = group_by_article(batch)
                self._delete(cursor, list(articles))  # an article the stream repeats: its last documents
                count = self._insert(cursor, articles)
                total += count
                if progress:
                    progress(count)
        return total
