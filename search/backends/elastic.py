"""Elasticsearch 8: one index per language, analyzed like ``search.analysis``, behind an alias.

Readers and writers always use the alias ``<prefix>-<namespace>-<language>``; writes carry
``require_alias`` so a write before ``search_setup`` (or for a newly configured language) never
makes Elasticsearch auto-create a real index under the alias name: the backend creates the
missing index and alias and writes again. Likewise a write refused by the strict mapping of an
index made before a field existed (sections, vectors) puts the new fields on it and goes again.
A rebuild fills fresh timestamped indexes and swaps every alias in one ``_aliases`` call, so
search never sees a half-built index; a failed rebuild deletes what it created, and the next
rebuild or ``drop()`` removes any leftover.

Ranking matches the embedded engines: each language's analyzer is built from the same elision
lists, stop words and Snowball stemmers as the Python analysis (stem, then fold accents; plus
fold, then stem, so a word typed without its accents meets the accented one), queries send the
terms the Python analysis made (a whitespace search analyzer keeps them as they are) through a
term-centric ``combined_fields`` query with the shared field weights, and document frequencies
for rare-term selection come from ``termvectors`` on a catch-all field, cached for a minute.

Meaning (``search.embeddings``): when the semantic signal runs, each document carries its
vector in a ``dense_vector`` field (cosine, HNSW) and the model that made it in
``vector_model``; the database keeps only the content-hash cache of vectors, no vector table.
``vector_ranking`` is a top-level kNN search over the aliases of the languages involved,
filtered like the embedded engines' numpy scoring (audiences, current model, the page's
languages or an untranslated article's default one); the service fuses it with the words
(reciprocal-rank fusion in Python: Elasticsearch's own ``rrf`` needs a paid licence). Documents
whose vector is missing or another model's are never scored, and ``stale_vector_articles``
names their articles for the periodic sweep to re-index.

One client per process, with the connection settings of ``portal/settings/base.py``; searches
get the short request timeout and no retry on timeout, writes the bulk timeout and retries
(429 items in a bulk are retried with backoff by ``streaming_bulk``). After a connection
failure searches skip the engine for ``UNREACHABLE_PAUSE_SECONDS`` (the database answers).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TlsError, TransportError
from elasticsearch import ApiError, Elasticsearch, UnsupportedProductError
from elasticsearch.helpers import streaming_bulk

from search import embeddings
from search.analysis import ELISION, SNOWBALL, analyze, stop_word_spellings
from search.backends.base import (
    FIELD_WEIGHTS,
    Progress,
    SearchBackend,
    extra_text,
    group_by_article,
    language_codes,
    languages_field,
)
from search.documents import (
    Coverage,
    PreparedQuery,
    SearchDocument,
    StoredDocument,
    batches_by_article,
    sections_from_json,
)
from search.embeddings import VectorHit
from search.errors import SearchUnavailable
from search.query import analyze_for_index

logger = logging.getLogger(__name__)

TEXT_FIELDS = ["title", "summary", "body", "extra"]
FIELDS = [f"{field}^{FIELD_WEIGHTS[field]:g}" for field in TEXT_FIELDS]
SOURCE = ["article_id", "language", "title", "summary", "body", "url", "sections", "coverage"]
# Kept in the source, never searched: the body's sections (``search.documents.sections_to_json``, for
# snippets and links) and the document's coverage (its terms and word beginnings, for the
# untranslated-article promotion: ``search.query.text_coverage``), computed once at index time.
STORED_ONLY = {"type": "keyword", "index": False, "doc_values": False}
SECTIONS_MAPPING = STORED_ONLY
COVERAGE_MAPPING = {"properties": {"terms": STORED_ONLY, "beginnings": STORED_ONLY}}
# The semantic signal's vector and model. HNSW options spelled out: Elasticsearch's default changed
# across 8.x (int8_hnsw from 8.14), and a mapping put again must equal the one the index has.
VECTOR_MAPPINGS: dict[str, Any] = {
    "vector": {
        "type": "dense_vector",
        "dims": embeddings.DIMENSIONS,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "hnsw", "m": 16, "ef_construction": 100},
    },
    "vector_model": {"type": "keyword"},
}
# Fields added after indexes were first created: ``setup`` puts them on an existing index.
LATER_MAPPINGS = {"sections": SECTIONS_MAPPING, "coverage": COVERAGE_MAPPING, **VECTOR_MAPPINGS}
VECTOR_SOURCE = ["article_id", "language", "title", "summary", "url"]
# kNN candidates per shard, per nearest document wanted: HNSW's recall stays close to exact at 2x.
CANDIDATES_PER_HIT = 2
MIN_CANDIDATES = 100
MAX_CANDIDATES = 10_000  # Elasticsearch's limit
BATCH = 500
BACKOFF_SECONDS = 1.0  # first wait before retrying 429 items of a bulk; doubles each time
MAX_BACKOFF_SECONDS = 60.0
UNREACHABLE_PAUSE_SECONDS = 10.0
STATISTICS_TTL_SECONDS = 60.0
STATISTICS_MAX_TERMS = 50_000
FUZZY_BOOST = 0.3  # typo matches help a short query find something, never outrank exact words


# --- the client: one per process ----------------------------------------------------------------


def connection_settings() -> tuple[Any, ...]:
    """The settings the client is built from (a change makes a new client: tests, reloads)."""
    return (
        settings.ELASTICSEARCH_URL,
        settings.ELASTICSEARCH_CLOUD_ID,
        settings.ELASTICSEARCH_API_KEY,
        settings.ELASTICSEARCH_USERNAME,
        settings.ELASTICSEARCH_PASSWORD,
        settings.ELASTICSEARCH_CA_CERTS,
        settings.ELASTICSEARCH_SSL_FINGERPRINT,
        float(settings.ELASTICSEARCH_REQUEST_TIMEOUT),
        float(settings.ELASTICSEARCH_BULK_TIMEOUT),
        int(settings.ELASTICSEARCH_MAX_RETRIES),
    )


def build_client() -> Elasticsearch:
    """A client for the configured cluster; a bad setting is ``SearchUnavailable`` naming it."""
    url, cloud_id, api_key, username, password, ca_certs, fingerprint, timeout, _bulk, retries = connection_settings()
    options: dict[str, Any] = {
        "request_timeout": timeout,
        "max_retries": retries,
        "retry_on_timeout": True,
        "retry_on_status": (429, 502, 503, 504),
    }
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if ca_certs:
        options["ca_certs"] = ca_certs
    if fingerprint:
        options["ssl_assert_fingerprint"] = fingerprint
    try:
        if cloud_id:
            return Elasticsearch(cloud_id=cloud_id, **options)
        return Elasticsearch([part for part in (url or "").split(",") if part], **options)
    except (ValueError, TypeError, OSError) as error:
        raise SearchUnavailable(f"elasticsearch: invalid connection settings: {error}") from error


class _Shared:
    """This process's client, its term statistics and whether the cluster was just unreachable.

    Keyed by the process id too: a Celery prefork child must not reuse its parent's sockets.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[Any, ...] | None = None
        self.client: Elasticsearch | None = None
        self.paused_until = 0.0
        self.statistics: OrderedDict[tuple[str, str], tuple[float, int]] = OrderedDict()

    def get(self) -> Elasticsearch:
        key = (os.getpid(), *connection_settings())
        with self.lock:
            if self.client is None or self.key != key:
                self.client = build_client()
                self.key = key
                self.paused_until = 0.0
                self.statistics.clear()
            return self.client

    def cached(self, key: tuple[str, str]) -> int | None:
        with self.lock:
            found = self.statistics.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            return found[1]

    def remember(self, values: dict[tuple[str, str], int]) -> None:
        expires = time.monotonic() + STATISTICS_TTL_SECONDS
        with self.lock:
            for key, value in values.items():
                self.statistics[key] = (expires, value)
                self.statistics.move_to_end(key)
            while len(self.statistics) > STATISTICS_MAX_TERMS:
                self.statistics.popitem(last=False)


_shared = _Shared()


def _describe(error: Exception) -> str:
    if isinstance(error, UnsupportedProductError):
        return (
            "the server is not Elasticsearch (the elasticsearch 8 client refuses other products, "
            f"OpenSearch included): {error}"
        )
    if isinstance(error, TlsError):
        return (
            f"TLS failure (set ELASTICSEARCH_CA_CERTS to the cluster's CA, or ELASTICSEARCH_SSL_FINGERPRINT): {error}"
        )
    if isinstance(error, ConnectionTimeout):
        return f"timed out: {error}"
    if isinstance(error, ApiError) and isinstance(error.body, dict) and isinstance(error.body.get("error"), dict):
        return f"{error.meta.status} {error.body['error'].get('type')}: {error.body['error'].get('reason')}"
    return str(error)


@contextmanager
def _guard() -> Iterator[None]:
    try:
        yield
    except (ApiError, TransportError) as error:
        raise SearchUnavailable(f"elasticsearch: {_describe(error)}") from error


# --- index settings and mappings ----------------------------------------------------------------

SNOWBALL_NAMES = {language: algorithm.capitalize() for language, algorithm in SNOWBALL.items()}


def analysis_settings(language: str) -> dict[str, Any]:
    """Analyzers mirroring ``search.analysis.tokens`` for ``language``.

    ``af_text`` (documents): lowercase, the same elision list, English possessives, other
    apostrophes joined, the same stop words, then the same Snowball stemmer followed by ASCII
    folding (what the Python analysis does) and, at the same position, folding followed by
    stemming (so "configuracoes" typed without accents meets "configurações"). ``af_terms``
    (queries) splits on whitespace only: the query is already made of analyzed terms.
    ``af_folded`` (prefix matching while typing) folds without stemming.
    """
    filters: dict[str, Any] = {}
    if language == "ja":
        text_chain = ["cjk_width", "lowercase", "cjk_bigram"]
        folded_chain = ["cjk_width", "lowercase", "cjk_bigram"]
    else:
        text_chain = ["lowercase"]
        if language in ELISION:
            filters["af_elision"] = {"type": "elision", "articles_case": True, "articles": sorted(ELISION[language])}
            text_chain.append("af_elision")
        folded_chain = [*text_chain, "asciifolding"]
        if language == "en":
            filters["af_possessive"] = {"type": "stemmer", "language": "possessive_english"}
            text_chain.append("af_possessive")
        filters["af_apostrophes"] = {"type": "pattern_replace", "pattern": "['’]", "replacement": ""}
        text_chain.append("af_apostrophes")
        stops = sorted(stop_word_spellings(language))
        if stops:
            filters["af_stop"] = {"type": "stop", "stopwords": stops}
            text_chain.append("af_stop")
        if language in SNOWBALL_NAMES:
            filters["af_stem"] = {"type": "snowball", "language": SNOWBALL_NAMES[language]}
            filters["af_stem_folded"] = {
                "type": "multiplexer",
                "filters": ["af_stem, asciifolding", "asciifolding, af_stem"],
                "preserve_original": False,
            }
            text_chain.append("af_stem_folded")
        else:
            text_chain.append("asciifolding")
    return {
        "filter": filters,
        "analyzer": {
            "af_text": {"type": "custom", "tokenizer": "standard", "filter": text_chain},
            "af_terms": {"type": "custom", "tokenizer": "whitespace"},
            "af_folded": {"type": "custom", "tokenizer": "standard", "filter": folded_chain},
        },
    }


def index_body(language: str) -> dict[str, Any]:
    """Settings and mappings of one language's index (what ``search_setup`` creates)."""

    def text(*, folded: bool) -> dict[str, Any]:
        field: dict[str, Any] = {
            "type": "text",
            "analyzer": "af_text",
            "search_analyzer": "af_terms",
            "copy_to": "content",
        }
        if folded:
            field["fields"] = {"folded": {"type": "text", "analyzer": "af_folded"}}
        return field

    # One shard: a help center fits in it many times over, and the document frequencies that
    # ``termvectors`` reads from one shard are then the whole index's.
    return {
        "settings": {
            "index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            "analysis": analysis_settings(language),
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "article_id": {"type": "keyword"},
                "language": {"type": "keyword"},
                "audience": {"type": "keyword"},
                "languages": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "sections": SECTIONS_MAPPING,
                "coverage": COVERAGE_MAPPING,
                "title": text(folded=True),
                "summary": text(folded=True),
                "body": text(folded=True),
                "extra": text(folded=False),
                # Every text field at once: document frequencies "in any field", as SQLite's vocabulary.
                "content": {"type": "text", "analyzer": "af_text", "search_analyzer": "af_terms"},
                "published_at": {"type": "date"},
                "updated_at": {"type": "date"},
                **VECTOR_MAPPINGS,
            },
        },
    }


def document_source(document: SearchDocument, languages: str) -> dict[str, Any]:
    """What Elasticsearch stores: the text, filters, sections, coverage and, when attached, the vector.

    The text is analyzed here once (Elasticsearch analyzes it again for its own index) for what
    the search door reads back per hit: each section's terms and the document's coverage.
    """
    analyzed = analyze_for_index(document)
    vector = (
        {"vector": document.embedding.values(), "vector_model": document.embedding.model} if document.embedding else {}
    )
    return (
        {
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
            "coverage": {"terms": analyzed.coverage.terms, "beginnings": analyzed.coverage.beginnings},
        }
        | ({"sections": analyzed.sections} if analyzed.sections else {})
        | vector
    )


def query_body(
    query: PreparedQuery,
    *,
    audiences: Sequence[str],
    limit: int,
    offset: int,
    missing_language: str | None = None,
) -> dict[str, Any]:
    """The ``_search`` body: the prepared terms OR-ed in one term-centric query over the weighted
    fields (a word counts once, wherever it is, as on the embedded engines), typo-tolerant and
    prefix-aware when short, plus the reader's word beginnings when searching another language."""
    terms = " ".join(query.terms)
    should: list[dict[str, Any]] = []
    if terms:
        should.append({"combined_fields": {"query": terms, "fields": FIELDS, "operator": "or"}})
        if query.short:
            should.append(
                {
                    "multi_match": {
                        "query": terms,
                        "fields": FIELDS,
                        "type": "best_fields",
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "max_expansions": 20,
                        "boost": FUZZY_BOOST,
                    }
                }
            )
    for beginning in query.cognates:  # the reader's word beginnings, on the unstemmed folded fields
        should += [
            {"prefix": {"title.folded": {"value": beginning, "boost": 2.0}}},
            {"prefix": {"body.folded": {"value": beginning}}},
        ]
    # The word being typed, unless it is a stop word ("reset password for the"): SQLite drops those too.
    if query.short and len(query.prefix) >= 3 and analyze(query.prefix, query.language):
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


def vector_languages(languages: Sequence[str]) -> list[str]:
    """The languages whose documents a vector ranking may return: the reader's, then the default."""
    return list(dict.fromkeys([*languages, settings.LANGUAGE_CODE]))


def knn_body(
    vector: Sequence[float], *, languages: Sequence[str], audiences: Sequence[str], limit: int
) -> dict[str, Any]:
    """The ``_search`` body of ``vector_ranking``: a top-level kNN search filtered as
    ``search.embeddings._eligible`` filters the embedded engines' rows.

    An article has at most one document per language searched, so ``k`` documents per article
    wanted always hold ``limit`` distinct articles when there are that many.
    """
    default = settings.LANGUAGE_CODE
    k = limit * len(vector_languages(languages))
    eligible = {
        "bool": {
            "should": [
                {"terms": {"language": list(dict.fromkeys(languages))}},
                # An untranslated article: its default-language document, when it lacks the page's language.
                {
                    "bool": {
                        "filter": [{"term": {"language": default}}],
                        "must_not": [{"term": {"languages": languages[0]}}],
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }
    return {
        "knn": {
            "field": "vector",
            "query_vector": [float(value) for value in vector],
            "k": k,
            "num_candidates": min(MAX_CANDIDATES, max(MIN_CANDIDATES, CANDIDATES_PER_HIT * k)),
            "filter": [
                {"terms": {"audience": sorted({str(audience) for audience in audiences})}},
                {"term": {"vector_model": embeddings.model_id()}},
                eligible,
            ],
        },
        "size": k,
        "_source": VECTOR_SOURCE,
    }


def _coverage(stored: Any) -> Coverage | None:
    """The coverage a document was indexed with; None for one indexed before coverage was stored."""
    if isinstance(stored, dict) and stored.get("terms"):
        return Coverage(str(stored["terms"]), str(stored.get("beginnings") or ""))
    return None


def _failed_item(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((action, result),) = item.items()
    return action, result


def _error(result: dict[str, Any], key: str) -> str:
    """``type`` or ``reason`` of a failed bulk item (a string error, as some proxies send, is its reason)."""
    error = result.get("error")
    if isinstance(error, dict):
        return str(error.get(key) or "")
    return str(error or "") if key == "reason" else ""


def _is_missing_alias(action: str, result: dict[str, Any]) -> bool:
    """A write refused by ``require_alias``: the alias does not exist (yet)."""
    return action != "delete" and result.get("status") == 404 and _error(result, "type") == "index_not_found_exception"


def _is_unmapped_field(action: str, result: dict[str, Any]) -> bool:
    """A write refused by the strict mapping of an index made before a field existed (vectors,
    sections) and not set up since: ``setup`` puts the field on it."""
    return action != "delete" and _error(result, "type") == "strict_dynamic_mapping_exception"


def _needs_setup(action: str, result: dict[str, Any]) -> bool:
    return _is_missing_alias(action, result) or _is_unmapped_field(action, result)


def _written_to(alias: str, index: str) -> bool:
    """``index`` is the alias (it did not exist) or an index behind it (``<alias>-<suffix>``)."""
    return index == alias or index.startswith(f"{alias}-")


def _is_harmless(action: str, result: dict[str, Any]) -> bool:
    """Deleting what is not there (the document, or a language's index) leaves the wanted state."""
    return action == "delete" and result.get("status") == 404


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, namespace: str = "main", *, client: Any = None) -> None:
        super().__init__(namespace)
        self._client = client

    @property
    def client(self) -> Any:
        return self._client if self._client is not None else _shared.get()

    def _reader(self) -> Any:
        """Searches: the short timeout, one retry on another node, never a retry of a timeout."""
        timeout = float(settings.ELASTICSEARCH_REQUEST_TIMEOUT)
        return self.client.options(request_timeout=timeout, max_retries=1, retry_on_timeout=False)

    def _writer(self) -> Any:
        """Bulks, index creation, refresh and alias swaps: the long timeout and the retries."""
        return self.client.options(request_timeout=float(settings.ELASTICSEARCH_BULK_TIMEOUT))

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A search-path request: skipped while the cluster was just unreachable."""
        if self._client is None:
            _shared.get()  # new connection settings start unpaused
            if _shared.paused_until > time.monotonic():
                raise SearchUnavailable("elasticsearch: unreachable a moment ago, not asked again yet")
        try:
            with _guard():
                yield
        except SearchUnavailable as error:
            if isinstance(error.__cause__, (TransportConnectionError, ConnectionTimeout)) and self._client is None:
                _shared.paused_until = time.monotonic() + UNREACHABLE_PAUSE_SECONDS
            raise

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
        """Create any missing language index with its alias (existing ones are left alone).

        The index created here has a fixed name, so two workers setting up at once make one
        index, not two behind one alias. An index that took an alias's name (auto-created by a
        write before writes required the alias) is reported once the other languages are set
        up; ``search_rebuild`` replaces it.
        """
        taken: list[str] = []
        with _guard():
            writer = self._writer()
            for language in language_codes():
                alias = self.alias(language)
                if writer.indices.exists_alias(name=alias):
                    # An index made before sections or vectors existed learns the fields (strict mapping);
                    # a no-op after.
                    writer.indices.put_mapping(index=alias, properties=LATER_MAPPINGS)
                    continue
                name = f"{alias}-setup"
                try:
                    self._create(language, name, alias=alias)
                except ApiError as error:
                    kind = error.body.get("error", {}).get("type") if isinstance(error.body, dict) else None
                    if kind == "resource_already_exists_exception":
                        writer.indices.put_alias(index=name, name=alias)
                    elif kind == "invalid_alias_name_exception":
                        taken.append(alias)
                    else:
                        raise
        if taken:
            message = f"{', '.join(taken)}: an index, not an alias; `manage.py search_rebuild` replaces it"
            logger.error("elasticsearch: %s", message)
            raise SearchUnavailable(f"elasticsearch: {message}")

    def _create(self, language: str, name: str, *, alias: str | None = None) -> None:
        body = index_body(language)
        self._writer().indices.create(
            index=name,
            settings=body["settings"],
            mappings=body["mappings"],
            aliases={alias: {}} if alias else None,
        )

    def _indexes(self) -> dict[str, set[str]]:
        """Every physical index of this namespace (aliased or not) and its aliases."""
        pattern = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{self.namespace}-*"
        found = self._writer().indices.get_alias(index=pattern, ignore_unavailable=True, allow_no_indices=True)
        return {name: set(info.get("aliases", {})) for name, info in dict(found).items()}

    def drop(self) -> None:
        with _guard():
            names = sorted(self._indexes())
            if names:
                self._writer().indices.delete(index=",".join(names), ignore_unavailable=True)

    def ping(self) -> str:
        with _guard():
            self._reader().info()
        return self.name

    def health(self) -> dict[str, str]:
        """The cluster's status and whether every language's alias exists; red or missing fails."""
        with _guard():
            reader = self._reader()
            status = reader.cluster.health()["status"]
            pattern = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{self.namespace}-*"
            found = reader.options(ignore_status=404).indices.get_alias(name=pattern)
        present = {
            alias for info in dict(found).values() if isinstance(info, dict) for alias in info.get("aliases", ())
        }
        missing = [language for language in language_codes() if self.alias(language) not in present]
        if status == "red":
            raise SearchUnavailable("elasticsearch: cluster status red")
        if missing:
            raise SearchUnavailable(f"elasticsearch: no index for {', '.join(missing)} (run `manage.py search_setup`)")
        return {"engine": self.name, "cluster": status, "aliases": f"{len(present & set(self._aliases()))} ok"}

    def count(self) -> int:
        with self._reading():
            return int(self._reader().count(index=",".join(self._aliases()), ignore_unavailable=True)["count"])

    # --- writes ---------------------------------------------------------------------------------

    def _actions(self, articles: dict[str, list[SearchDocument]], index: dict[str, str] | None = None) -> list:
        """Bulk actions indexing ``articles`` into the aliases (or the given index per language)."""
        actions: list[dict[str, Any]] = []
        for article_id, documents in articles.items():
            languages = languages_field(documents)
            for document in documents:
                target = index[document.language] if index else self.alias(document.language)
                actions.append(
                    {
                        "_op_type": "index",
                        "_index": target,
                        "_id": article_id,
                        "_source": document_source(document, languages),
                    }
                )
        return actions

    def _stream(self, actions: Iterable[dict[str, Any]], **bulk: Any) -> Iterator[tuple[bool, str, dict[str, Any]]]:
        """(ok, action, result) per item; 429 items are retried with backoff, other failures yielded."""
        retries = int(settings.ELASTICSEARCH_MAX_RETRIES)
        for ok, item in streaming_bulk(
            self._writer(),
            actions,
            chunk_size=BATCH,
            raise_on_error=False,
            max_retries=retries,
            initial_backoff=BACKOFF_SECONDS,
            max_backoff=MAX_BACKOFF_SECONDS,
            **bulk,
        ):
            action, result = _failed_item(item)
            yield ok, action, result

    def _write(self, actions: list[dict[str, Any]], *, refresh: bool) -> None:
        """Write to the aliases. A missing alias is created, and an index older than a field of the
        mapping learns it (``setup``: a deployment that did not run ``search_setup``); their items
        are written again."""
        if not actions:
            return
        options: dict[str, Any] = {"require_alias": True}
        if refresh:
            options["refresh"] = "wait_for"
        with _guard():
            failures = [(action, result) for ok, action, result in self._stream(actions, **options) if not ok]
            refused = [(action, result) for action, result in failures if _needs_setup(action, result)]
            if refused:
                logger.warning(
                    "elasticsearch: %s; setting up the indexes and writing again",
                    "; ".join(sorted({f"{result['_index']}: {_error(result, 'reason')}" for _, result in refused})),
                )
                self.setup()
                where = {(result["_id"], result["_index"]) for _, result in refused}
                again = [
                    a
                    for a in actions
                    if a["_op_type"] != "delete"
                    and any(found == a["_id"] and _written_to(a["_index"], index) for found, index in where)
                ]
                failures = [f for f in failures if not _needs_setup(*f)]
                failures += [(action, result) for ok, action, result in self._stream(again, **options) if not ok]
        self._raise_failures(failures, len(actions))

    def _raise_failures(self, failures: list[tuple[str, dict[str, Any]]], total: int) -> None:
        failures = [(action, result) for action, result in failures if not _is_harmless(action, result)]
        if not failures:
            return
        for action, result in failures:
            logger.error(
                "elasticsearch bulk: %s of %s in %s failed (%s %s): %s",
                action,
                result.get("_id"),
                result.get("_index"),
                result.get("status"),
                _error(result, "type"),
                _error(result, "reason"),
            )
        summary = "; ".join(
            f"{action} {result.get('_index')}/{result.get('_id')}: {result.get('status')} {_error(result, 'type')}"
            for action, result in failures[:3]
        )
        raise SearchUnavailable(f"elasticsearch bulk failed for {len(failures)} of {total} operations: {summary}")

    def index(self, documents: Sequence[SearchDocument], *, refresh: bool = False) -> int:
        """Index the given languages, then delete the article's other languages, in one bulk request."""
        articles = group_by_article(documents)
        actions = self._actions(articles)
        for article_id, article_documents in articles.items():
            present = {document.language for document in article_documents}
            actions += [
                {"_op_type": "delete", "_index": self.alias(language), "_id": article_id}
                for language in language_codes()
                if language not in present
            ]
        self._write(actions, refresh=refresh)
        return sum(len(article_documents) for article_documents in articles.values())

    def delete_article(self, article_id: str, *, refresh: bool = False) -> None:
        actions = [{"_op_type": "delete", "_index": alias, "_id": str(article_id)} for alias in self._aliases()]
        self._write(actions, refresh=refresh)

    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Progress | None = None) -> int:
        """Fill new indexes, then move every alias to them at once and delete the namespace's others.

        On any failure the new indexes are deleted before the error goes up. Every other index of
        the namespace goes after the swap: the old ones, leftovers of a rebuild that died without
        cleaning up, and an index that took an alias's name. One rebuild at a time per namespace.
        """
        fresh = {language: self._new_index_name(language) for language in language_codes()}
        with _guard():
            existing = self._indexes()
        try:
            with _guard():
                for language, name in fresh.items():
                    self._create(language, name)
                total = self._load(documents, fresh, progress)
                writer = self._writer()
                writer.indices.refresh(index=",".join(fresh.values()))
                writer.indices.update_aliases(actions=self._swap(fresh, existing))
        except BaseException:
            self._delete_quietly(sorted(fresh.values()))
            raise
        self._delete_quietly(sorted(name for name in existing if name not in self._aliases()))
        return total

    def _swap(self, fresh: dict[str, str], existing: dict[str, set[str]]) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        for language, name in fresh.items():
            alias = self.alias(language)
            if alias in existing:  # a real index holds the alias's name: it goes in the same atomic call
                actions.append({"remove_index": {"index": alias}})
            actions += [
                {"remove": {"index": previous, "alias": alias}}
                for previous, aliases in sorted(existing.items())
                if alias in aliases
            ]
            actions.append({"add": {"index": name, "alias": alias}})
        return actions

    def _load(self, documents: Iterable[SearchDocument], fresh: dict[str, str], progress: Progress | None) -> int:
        """Stream the documents into the new indexes; they come grouped by article."""

        def actions() -> Iterator[dict[str, Any]]:
            for article in batches_by_article(documents, 1):  # one article's documents at a time
                yield from self._actions(group_by_article(article), fresh)

        total = 0
        unreported = 0
        failures: list[tuple[str, dict[str, Any]]] = []
        for ok, action, result in self._stream(actions()):
            if not ok:
                failures.append((action, result))
                continue
            total += 1
            unreported += 1
            if progress and unreported >= BATCH:
                progress(unreported)
                unreported = 0
        if progress and unreported:
            progress(unreported)
        self._raise_failures(failures, total + len(failures))
        return total

    def _delete_quietly(self, names: list[str]) -> None:
        """Cleanup that must not hide the real outcome: a failure is logged, the next rebuild retries."""
        if not names:
            return
        try:
            with _guard():
                self._writer().indices.delete(index=",".join(names), ignore_unavailable=True)
        except SearchUnavailable as error:
            logger.warning("elasticsearch: could not delete %s (the next rebuild or drop will): %s", names, error)

    # --- reads ----------------------------------------------------------------------------------

    def term_statistics(self, language: str, terms: list[str]) -> tuple[dict[str, int], int]:
        """Document frequencies of ``terms`` (in any field) and the documents in ``language``.

        Read with ``termvectors`` on an artificial document (no index change), and kept for a
        minute per process: a draft being typed asks about the same words again and again.
        """
        if not terms:
            return {}, 0
        alias = self.alias(language)
        known = {term: _shared.cached((alias, term)) for term in terms}
        documents = _shared.cached((alias, ""))
        missing = [term for term, frequency in known.items() if frequency is None]
        if missing or documents is None:
            with self._reading():
                response = self._reader().termvectors(
                    index=alias,
                    doc={"content": " ".join(missing or terms[:1])},
                    fields=["content"],
                    per_field_analyzer={"content": "af_terms"},
                    term_statistics=True,
                    field_statistics=True,
                    positions=False,
                    offsets=False,
                    payloads=False,
                )
            vector = (response.get("term_vectors") or {}).get("content") or {}
            documents = int((vector.get("field_statistics") or {}).get("doc_count", 0))
            found = vector.get("terms") or {}
            fetched = {term: max(0, int((found.get(term) or {}).get("doc_freq", 0))) for term in missing}
            known.update(fetched)
            _shared.remember({(alias, ""): documents, **{(alias, term): value for term, value in fetched.items()}})
        return {term: int(frequency or 0) for term, frequency in known.items()}, documents

    def document_frequencies(self, language: str, terms: list[str]) -> dict[str, int]:
        return self.term_statistics(language, terms)[0]

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
        with self._reading():
            response = self._reader().search(
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
                coverage=_coverage(hit["_source"].get("coverage")),
                sections=sections_from_json(hit["_source"].get("sections")),
            )
            for hit in hits["hits"]
        ], int(hits["total"]["value"])

    def vector_ranking(
        self, vector: Any, *, languages: Sequence[str], audiences: Sequence[str], limit: int
    ) -> list[VectorHit]:
        """Elasticsearch's kNN over the aliases of the languages involved, one hit per article (its best)."""
        if limit <= 0 or not audiences or not languages:
            return []
        body = knn_body(vector, languages=languages, audiences=audiences, limit=limit)
        indexes = ",".join(self.alias(language) for language in vector_languages(languages))
        with self._reading():
            response = self._reader().search(index=indexes, knn=body["knn"], size=body["size"], source=body["_source"])
        hits: list[VectorHit] = []
        seen: set[str] = set()
        for hit in response["hits"]["hits"]:  # best first
            source = hit["_source"]
            article_id = str(source["article_id"])
            if article_id in seen:
                continue
            seen.add(article_id)
            # A cosine kNN scores (1 + cosine) / 2; the embedded engines report the cosine itself.
            similarity = 2.0 * float(hit.get("_score") or 0.0) - 1.0
            hits.append(
                VectorHit(article_id, source["language"], source["title"], source["summary"], source["url"], similarity)
            )
            if len(hits) >= limit:
                break
        return hits

    def stale_vector_articles(self, *, limit: int) -> list[str]:
        """Articles with a document whose vector is missing or another model's (a package upgrade,
        or a write made while embedding failed): the periodic sweep re-indexes them."""
        if limit <= 0:
            return []
        with _guard():
            response = self._writer().search(
                index=",".join(self._aliases()),
                query={"bool": {"must_not": [{"term": {"vector_model": embeddings.model_id()}}]}},
                collapse={"field": "article_id"},
                sort=[{"article_id": "asc"}],
                size=limit,
                source=["article_id"],
                ignore_unavailable=True,
                allow_no_indices=True,
            )
        return [str(hit["_source"]["article_id"]) for hit in response["hits"]["hits"]]
