"""Elasticsearch 8: one index per language with that language's built-in analyzer, behind an alias.

Readers always query the alias ``<prefix>-<namespace>-<language>``; a rebuild fills fresh
timestamped indexes and swaps every alias in one ``_aliases`` call, so search never sees a
half-built index. Each text field also has a ``folded`` sub-field (lowercase, elision, ASCII
folding) because the built-in analyzers keep accents: "reinitialiser" still finds
"réinitialiser". Queries are ``multi_match`` (never ``query_string``), so user text is data,
not syntax.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings

from search.backends.base import (
    Progress,
    SearchBackend,
    extra_text,
    group_by_article,
    language_codes,
    languages_field,
)
from search.documents import PreparedQuery, SearchDocument, StoredDocument
from search.health import SearchUnavailable

ANALYZERS = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "ja": "cjk",
}
ELISION_ARTICLES = {
    "fr": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
    "it": ["c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl", "dagl", "degl", "negl"],
}
FIELDS = ["title^4", "title.folded^3", "summary^2", "summary.folded^1.5", "extra^1.5", "body", "body.folded^0.7"]
SOURCE = ["article_id", "language", "title", "summary", "body", "url"]
BATCH = 500
TIMEOUT = 5


@contextmanager
def _guard() -> Iterator[None]:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    try:
        yield
    except (ApiError, TransportError) as error:
        raise SearchUnavailable(f"elasticsearch: {error}") from error


def analyzer_for(language: str) -> str:
    return ANALYZERS.get(language, "standard")


def index_body(language: str) -> dict[str, Any]:
    """Settings and mappings of one language's index (what ``search_setup`` creates)."""
    analyzer = analyzer_for(language)
    folding_filters = ["lowercase", "asciifolding"]
    analysis: dict[str, Any] = {"filter": {}, "analyzer": {}}
    if language in ELISION_ARTICLES:
        analysis["filter"]["af_elision"] = {
            "type": "elision",
            "articles_case": True,
            "articles": ELISION_ARTICLES[language],
        }
        folding_filters = ["af_elision", *folding_filters]
    if analyzer == "cjk":
        folding_filters = ["cjk_width", "lowercase", "cjk_bigram"]
    analysis["analyzer"]["af_folded"] = {"type": "custom", "tokenizer": "standard", "filter": folding_filters}

    def text() -> dict[str, Any]:
        return {"type": "text", "analyzer": analyzer, "fields": {"folded": {"type": "text", "analyzer": "af_folded"}}}

    return {
        "settings": {
            "index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            "analysis": analysis,
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "article_id": {"type": "keyword"},
                "language": {"type": "keyword"},
                "audience": {"type": "keyword"},
                "languages": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "title": text(),
                "summary": text(),
                "body": text(),
                "extra": {"type": "text", "analyzer": analyzer},
                "published_at": {"type": "date"},
                "updated_at": {"type": "date"},
            },
        },
    }


def document_source(document: SearchDocument, languages: str) -> dict[str, Any]:
    return {
        "article_id": document.article_id,
        "language": document.language,
        "audience": document.audience,
        "languages": [code for code in languages.strip(",").split(",") if code],
        "url": document.url,
        "title": document.title,
        "summary": document.summary,
        "body": document.body,
        "extra": extra_text(document),
        "published_at": document.published_at.isoformat() if document.published_at else None,
        "updated_at": document.updated_at.isoformat() if document.updated_at else None,
    }


def query_body(
    query: PreparedQuery,
    *,
    audiences: Sequence[str],
    limit: int,
    offset: int,
    missing_language: str | None = None,
) -> dict[str, Any]:
    """The ``_search`` body: OR of the prepared words, typo-tolerant and prefix-aware when short, plus
    the reader's word beginnings when searching another language's articles."""
    words = " ".join(query.surface_words)
    should: list[dict[str, Any]] = []
    if words:
        match: dict[str, Any] = {"query": words, "fields": FIELDS, "type": "best_fields", "operator": "or"}
        if query.short:
            match |= {"fuzziness": "AUTO", "prefix_length": 1, "max_expansions": 20}
        should.append({"multi_match": match})
    for beginning in query.cognates:  # the reader's word beginnings, on the unstemmed folded fields
        should += [
            {"prefix": {"title.folded": {"value": beginning, "boost": 2.0}}},
            {"prefix": {"body.folded": {"value": beginning}}},
        ]
    if query.short and len(query.prefix) >= 3:
        should.append(
            {
                "multi_match": {
                    "query": query.prefix,
                    "type": "phrase_prefix",
                    "fields": ["title.folded", "summary.folded"],
                }
            }
        )
    bool_query: dict[str, Any] = {
        "should": should,
        "minimum_should_match": 1,
        "filter": [{"terms": {"audience": list(audiences)}}],
    }
    if missing_language:
        bool_query["must_not"] = [{"term": {"languages": missing_language}}]
    return {
        "query": {"bool": bool_query},
        "from": offset,
        "size": limit,
        "track_total_hits": True,
        "_source": SOURCE,
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, namespace: str = "main", *, client: Any = None) -> None:
        super().__init__(namespace)
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=TIMEOUT, max_retries=1)
        return self._client

    def alias(self, language: str) -> str:
        if language not in language_codes():
            raise ValueError(f"unknown language {language!r}")
        return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{self.namespace}-{language}"

    def _new_index_name(self, language: str) -> str:
        return f"{self.alias(language)}-{time.time_ns() // 1000}"

    def _aliases(self) -> list[str]:
        return [self.alias(language) for language in language_codes()]

    # --- schema ---------------------------------------------------------------------------------

    def setup(self) -> None:
        """Create any missing language index with its alias (existing ones are left alone)."""
        with _guard():
            for language in language_codes():
                alias = self.alias(language)
                if not self.client.indices.exists_alias(name=alias):
                    self._create(language, self._new_index_name(language), alias=alias)

    def _create(self, language: str, name: str, *, alias: str | None = None) -> None:
        body = index_body(language)
        self.client.indices.create(
            index=name,
            settings=body["settings"],
            mappings=body["mappings"],
            aliases={alias: {}} if alias else None,
        )

    def _physical_indexes(self) -> dict[str, list[str]]:
        """Physical index names per alias in this namespace."""
        pattern = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{self.namespace}-*"
        found = self.client.indices.get_alias(index=pattern, ignore_unavailable=True, allow_no_indices=True)
        by_alias: dict[str, list[str]] = {}
        for index_name, info in dict(found).items():
            for alias in info.get("aliases", {}):
                by_alias.setdefault(alias, []).append(index_name)
        return by_alias

    def drop(self) -> None:
        with _guard():
            names = sorted({name for names in self._physical_indexes().values() for name in names})
            if names:
                self.client.indices.delete(index=",".join(names), ignore_unavailable=True)

    def ping(self) -> str:
        with _guard():
            self.client.info()
        return self.name

    def count(self) -> int:
        with _guard():
            return int(self.client.count(index=",".join(self._aliases()), ignore_unavailable=True)["count"])

    # --- writes ---------------------------------------------------------------------------------

    def _operations(self, articles: dict[str, list[SearchDocument]], index_for: Callable[[str], str]) -> list:
        operations: list[dict[str, Any]] = []
        for article_id, documents in articles.items():
            languages = languages_field(documents)
            for document in documents:
                operations.append({"index": {"_index": index_for(document.language), "_id": article_id}})
                operations.append(document_source(document, languages))
        return operations

    def _bulk(self, operations: list[dict[str, Any]], *, refresh: bool) -> None:
        if not operations:
            return
        response = self.client.bulk(operations=operations, refresh=refresh)
        if response.get("errors"):
            failures = [
                item
                for item in response["items"]
                for action, result in item.items()
                if result.get("status", 200) >= 300 and not (action == "delete" and result.get("status") == 404)
            ]
            if failures:
                raise SearchUnavailable(f"elasticsearch bulk failed: {failures[:3]}")

    def index(self, documents: Sequence[SearchDocument]) -> int:
        """Index the given languages, then delete the article's other languages, in one bulk request."""
        articles = group_by_article(documents)
        operations = self._operations(articles, self.alias)
        for article_id, article_documents in articles.items():
            present = {document.language for document in article_documents}
            operations += [
                {"delete": {"_index": self.alias(language), "_id": article_id}}
                for language in language_codes()
                if language not in present
            ]
        with _guard():
            self._bulk(operations, refresh=True)
        return sum(len(article_documents) for article_documents in articles.values())

    def delete_article(self, article_id: str) -> None:
        operations = [{"delete": {"_index": alias, "_id": str(article_id)}} for alias in self._aliases()]
        with _guard():
            self._bulk(operations, refresh=True)

    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Progress | None = None) -> int:
        """Fill new indexes, then move every alias to them at once and delete the old ones."""
        fresh = {language: self._new_index_name(language) for language in language_codes()}
        total = 0
        with _guard():
            old = self._physical_indexes()
            for language, name in fresh.items():
                self._create(language, name)
            pending: list[SearchDocument] = []
            for document in documents:
                pending.append(document)
                if len(pending) >= BATCH:
                    total += self._rebuild_batch(pending, fresh, progress)
                    pending = []
            total += self._rebuild_batch(pending, fresh, progress)
            self.client.indices.refresh(index=",".join(fresh.values()))
            actions: list[dict[str, Any]] = []
            for language, name in fresh.items():
                alias = self.alias(language)
                actions += [{"remove": {"index": previous, "alias": alias}} for previous in old.get(alias, [])]
                actions.append({"add": {"index": name, "alias": alias}})
            self.client.indices.update_aliases(actions=actions)
            stale = sorted({name for names in old.values() for name in names})
            if stale:
                self.client.indices.delete(index=",".join(stale), ignore_unavailable=True)
        return total

    def _rebuild_batch(self, pending: list[SearchDocument], fresh: dict[str, str], progress: Progress | None) -> int:
        if not pending:
            return 0
        articles = group_by_article(pending)
        self._bulk(self._operations(articles, fresh.__getitem__), refresh=False)
        count = sum(len(documents) for documents in articles.values())
        if progress:
            progress(count)
        return count

    # --- reads ----------------------------------------------------------------------------------

    def search(
        self,
        query: PreparedQuery,
        *,
        audiences: Sequence[str],
        limit: int,
        offset: int,
        missing_language: str | None = None,
    ) -> tuple[list[StoredDocument], int]:
        if not (query.words or query.cognates) or not audiences:
            return [], 0
        body = query_body(query, audiences=audiences, limit=limit, offset=offset, missing_language=missing_language)
        with _guard():
            response = self.client.search(
                index=self.alias(query.language),
                query=body["query"],
                from_=body["from"],
                size=body["size"],
                track_total_hits=body["track_total_hits"],
                source=body["_source"],
            )
        hits = response["hits"]
        return [
            StoredDocument(
                article_id=hit["_source"]["article_id"],
                language=hit["_source"]["language"],
                title=hit["_source"]["title"],
                summary=hit["_source"]["summary"],
                body=hit["_source"]["body"],
                url=hit["_source"]["url"],
                score=round(float(hit.get("_score") or 0.0), 6),
            )
            for hit in hits["hits"]
        ], int(hits["total"]["value"])
