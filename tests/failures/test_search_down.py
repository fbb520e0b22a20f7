"""The search engine down: suggestions and search degrade to a database query, never a 500.

Two real failures: Elasticsearch configured at a port where nothing listens, and the embedded
SQLite FTS5 index damaged (a language's FTS table replaced by a table of the wrong shape).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from cms.models import ArticlePage
from search.backends import get_backend
from search.service import article_reindex, search_articles
from tests.e2e.helpers import subscription_article
from tests.failures.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> ArticlePage:
    cache.clear()  # rate limits count in the cache
    return subscription_article()


def elasticsearch_unreachable(settings: object) -> None:
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"


def sqlite_index_damaged(settings: object) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("damages the SQLite FTS5 index; this run uses another database")
    backend = get_backend()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {backend.vocab_table('fr')}")
        cursor.execute(f"DROP TABLE IF EXISTS {backend.fts_table('fr')}")
        cursor.execute(f"CREATE TABLE {backend.fts_table('fr')} (damaged TEXT)")


@pytest.mark.parametrize("break_engine", [elasticsearch_unreachable, sqlite_index_damaged])
def test_suggestions_and_search_degrade_without_errors(
    article: ArticlePage, settings: object, break_engine: Callable[[object], None]
) -> None:
    if connection.vendor == "sqlite":
        article_reindex(page_id=article.pk)
        healthy = search_articles("abonnement", language="fr", audiences=["public"])
        assert not healthy.degraded and healthy.hits[0].article_id == str(article.pk)

    break_engine(settings)

    results = search_articles("résilier abonnement", language="fr", audiences=["public"])
    assert results.degraded
    assert [hit.article_id for hit in results.hits] == [str(article.pk)]

    api = APIClient()
    suggest = api.post(
        "/api/deflection/suggest",
        {"subject": "résilier mon abonnement", "description": "", "language": "fr"},
        format="json",
    )
    assert suggest.status_code == 200, suggest.content
    assert suggest.json()["degraded"] is True
    assert [item["title"] for item in suggest.json()["suggestions"]] == ["Résilier votre abonnement"]

    search = api.get("/api/search", {"q": "abonnement", "lang": "fr"})
    assert search.status_code == 200
    assert search.json()["degraded"] is True
    assert search.json()["results"][0]["title"] == "Résilier votre abonnement"

    page = api.get("/help/search", {"q": "abonnement"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert "Résilier votre abonnement" in page.content.decode()

    if break_engine is elasticsearch_unreachable:  # /healthz probes the engine, not each table of the index
        health = api.get("/healthz")
        assert health.status_code == 503 and "search" in health.json()["failed"]
