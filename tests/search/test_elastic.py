"""What the Elasticsearch backend sends, captured through the real client over real HTTP.

Elasticsearch cannot run on our machines, so a small server on 127.0.0.1 records every request
the official client makes and answers with canned Elasticsearch JSON. The assertions pin the
exact index settings, mappings, bulk operations and query bodies.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from search.backends.elastic import ElasticsearchBackend, index_body
from search.health import SearchUnavailable, check_engine
from search.query import prepare_query
from search.service import index_documents, search_articles
from tests.search.factories import doc


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, list[str]]
    body: Any


Route = Callable[[str, str, Any], tuple[int, Any]]


@dataclass
class FakeCluster:
    """Records requests; ``routes`` answer (method, path regex) → (status, JSON)."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    routes: list[tuple[str, str, Route]] = field(default_factory=list)

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
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if "ndjson" in (self.headers.get("Content-Type") or ""):
                body: Any = [json.loads(line) for line in raw.splitlines() if line.strip()]
            else:
                body = json.loads(raw) if raw else None
            cluster.requests.append(Recorded(self.command, parts.path, parse_qs(parts.query), body))
            status, payload = cluster.answer(self.command, parts.path, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.elasticsearch+json; compatible-with=8")
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


@pytest.fixture
def cluster(settings: Any) -> Iterator[FakeCluster]:
    fake = FakeCluster()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.ELASTICSEARCH_URL = fake.url
    settings.ELASTICSEARCH_INDEX_PREFIX = "af"
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
    fake.route("PUT", "/_bulk", lambda m, p, b: (200, {"took": 1, "errors": False, "items": []}))
    fake.route("POST", r"/[^/]+/_search", lambda m, p, b: _search_answer())
    yield fake
    server.shutdown()
    server.server_close()


def test_setup_creates_one_index_per_language_with_its_analyzer(cluster: FakeCluster) -> None:
    ElasticsearchBackend("main").setup()
    assert [r.path for r in cluster.calls("HEAD")] == [
        f"/_alias/af-main-{code}" for code in ("en", "fr", "de", "es", "it", "pt", "ja")
    ]
    created = {r.path.rsplit("-", 1)[0]: r.body for r in cluster.calls("PUT", "/af-.*")}
    assert set(created) == {f"/af-main-{code}" for code in ("en", "fr", "de", "es", "it", "pt", "ja")}
    french = created["/af-main-fr"]
    assert french == {
        "settings": {
            "index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            "analysis": {
                "filter": {
                    "af_elision": {
                        "type": "elision",
                        "articles_case": True,
                        "articles": [
                            "l",
                            "m",
                            "t",
                            "qu",
                            "n",
                            "s",
                            "j",
                            "d",
                            "c",
                            "jusqu",
                            "quoiqu",
                            "lorsqu",
                            "puisqu",
                        ],
                    }
                },
                "analyzer": {
                    "af_folded": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["af_elision", "lowercase", "asciifolding"],
                    }
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "article_id": {"type": "keyword"},
                "language": {"type": "keyword"},
                "audience": {"type": "keyword"},
                "languages": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "title": {
                    "type": "text",
                    "analyzer": "french",
                    "fields": {"folded": {"type": "text", "analyzer": "af_folded"}},
                },
                "summary": {
                    "type": "text",
                    "analyzer": "french",
                    "fields": {"folded": {"type": "text", "analyzer": "af_folded"}},
                },
                "body": {
                    "type": "text",
                    "analyzer": "french",
                    "fields": {"folded": {"type": "text", "analyzer": "af_folded"}},
                },
                "extra": {"type": "text", "analyzer": "french"},
                "published_at": {"type": "date"},
                "updated_at": {"type": "date"},
            },
        },
        "aliases": {"af-main-fr": {}},
    }
    assert created["/af-main-ja"]["mappings"]["properties"]["title"]["analyzer"] == "cjk"
    assert created["/af-main-ja"]["settings"]["analysis"]["analyzer"]["af_folded"]["filter"] == [
        "cjk_width",
        "lowercase",
        "cjk_bigram",
    ]
    assert created["/af-main-en"]["mappings"]["properties"]["body"]["analyzer"] == "english"
    assert "af_elision" not in created["/af-main-en"]["settings"]["analysis"]["filter"]


def test_setup_leaves_existing_aliases_alone(cluster: FakeCluster) -> None:
    cluster.route("HEAD", r"/_alias/af-main-.*", (200, {}))
    ElasticsearchBackend("main").setup()
    assert cluster.calls("PUT", "/af-.*") == []


def test_short_query_body_is_fuzzy_with_prefix_and_filters(cluster: FakeCluster, db: None) -> None:
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
    assert primary.body == {
        "query": {
            "bool": {
                "should": [
                    {
                        "multi_match": {
                            "query": "abonnement",
                            "fields": [
                                "title^4",
                                "title.folded^3",
                                "summary^2",
                                "summary.folded^1.5",
                                "extra^1.5",
                                "body",
                                "body.folded^0.7",
                            ],
                            "type": "best_fields",
                            "operator": "or",
                            "fuzziness": "AUTO",
                            "prefix_length": 1,
                            "max_expansions": 20,
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
        "_source": ["article_id", "language", "title", "summary", "body", "url"],
    }
    # Untranslated articles: English documents of articles without a French one.
    assert fallback.path == "/af-main-en/_search"
    assert fallback.body["query"]["bool"]["must_not"] == [{"term": {"languages": "fr"}}]
    assert fallback.body["size"] == 4


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


def test_long_draft_is_plain_or_without_fuzziness(cluster: FakeCluster, db: None) -> None:
    draft = "Our accountant needs every invoice as PDF (with taxes) AND the billing address: where? " * 40
    search_articles(draft, language="en", audiences=["public"])
    (request,) = cluster.calls("POST", r"/.*/_search")
    match = request.body["query"]["bool"]["should"]
    assert len(match) == 1
    assert match[0]["multi_match"]["query"] == "accountant needs every invoice pdf taxes billing address"
    assert "fuzziness" not in match[0]["multi_match"]
    assert all(char not in match[0]["multi_match"]["query"] for char in "():?")


def test_synonyms_are_sent_as_extra_words(cluster: FakeCluster, db: None) -> None:
    from search.models import Synonym

    Synonym.objects.create(language="en", terms="mfa, two-factor authentication")
    search_articles("mfa", language="en", audiences=["public"])
    (request,) = cluster.calls("POST", r"/.*/_search")
    assert request.body["query"]["bool"]["should"][0]["multi_match"]["query"] == "mfa two factor authentication"


def test_index_is_one_bulk_of_upserts_and_stale_language_deletes(cluster: FakeCluster) -> None:
    documents = [
        doc("42", "en", "Export data", "Summary", "Body", tags=["csv"], category_path=["Data"]),
        doc("42", "fr", "Exporter les données"),
    ]
    assert index_documents(documents, backend=ElasticsearchBackend("main")) == 2
    (bulk,) = cluster.calls("PUT", "/_bulk")
    assert bulk.params == {"refresh": ["true"]}
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
    assert bulk.body[4:] == [
        {"delete": {"_index": f"af-main-{code}", "_id": "42"}} for code in ("de", "es", "it", "pt", "ja")
    ]


def test_rebuild_fills_new_indexes_then_swaps_aliases(cluster: FakeCluster) -> None:
    old = {"af-main-en-1": {"aliases": {"af-main-en": {}}}, "af-main-fr-1": {"aliases": {"af-main-fr": {}}}}
    cluster.route("GET", r"/af-main-\*/_alias", (200, old))
    cluster.route("POST", r"/.*/_refresh", (200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}))
    cluster.route("POST", "/_aliases", (200, {"acknowledged": True}))
    cluster.route("DELETE", r"/.*", (200, {"acknowledged": True}))
    backend = ElasticsearchBackend("main")
    assert backend.rebuild(iter([doc("1", "en", "One"), doc("1", "fr", "Un"), doc("2", "en", "Two")])) == 3
    assert (cluster.requests[0].method, cluster.requests[0].path) == ("GET", "/af-main-*/_alias")
    creates = cluster.calls("PUT", "/af-.*")
    assert [r.path[1:].rsplit("-", 1)[0] for r in creates] == [
        f"af-main-{code}" for code in ("en", "fr", "de", "es", "it", "pt", "ja")
    ]
    assert all("aliases" not in r.body for r in creates)  # invisible to readers before the swap
    # bulk, refresh, aliases, delete — in that order, after the creations
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in cluster.requests[-4:]] == [
        ("PUT", "_bulk"),
        ("POST", "_refresh"),
        ("POST", "_aliases"),
        ("DELETE", "af-main-en-1,af-main-fr-1"),
    ]
    created = [r.path[1:] for r in creates]
    (bulk,) = cluster.calls("PUT", "/_bulk")
    assert bulk.params == {"refresh": ["false"]}
    assert [op["index"]["_index"] for op in bulk.body[::2]] == [created[0], created[1], created[0]]
    (swap,) = cluster.calls("POST", "/_aliases")
    assert swap.body["actions"][:3] == [
        {"remove": {"index": "af-main-en-1", "alias": "af-main-en"}},
        {"add": {"index": created[0], "alias": "af-main-en"}},
        {"remove": {"index": "af-main-fr-1", "alias": "af-main-fr"}},
    ]
    assert len([a for a in swap.body["actions"] if "add" in a]) == 7
    assert cluster.calls("DELETE")[0].path == "/af-main-en-1,af-main-fr-1"


def test_delete_article_removes_it_from_every_language(cluster: FakeCluster) -> None:
    ElasticsearchBackend("main").delete_article("9")
    (bulk,) = cluster.calls("PUT", "/_bulk")
    assert bulk.body == [
        {"delete": {"_index": f"af-main-{code}", "_id": "9"}} for code in ("en", "fr", "de", "es", "it", "pt", "ja")
    ]


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


def test_bulk_item_failures_are_reported(cluster: FakeCluster) -> None:
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
                            "error": {"type": "mapper_parsing_exception"},
                        }
                    }
                ],
            },
        ),
    )
    with pytest.raises(SearchUnavailable, match="bulk failed"):
        ElasticsearchBackend("main").index([doc("1", "en", "One")])


def test_health_names_elasticsearch(cluster: FakeCluster) -> None:
    assert check_engine() == "elasticsearch"


def test_unreachable_cluster_is_unavailable(settings: Any) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    with pytest.raises(SearchUnavailable):
        check_engine()


def test_index_body_covers_every_configured_language(settings: Any) -> None:
    for code, _name in settings.LANGUAGES:
        assert index_body(code)["mappings"]["properties"]["title"]["analyzer"] != "standard"
