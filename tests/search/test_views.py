"""The help-center search page and ``GET /api/search``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from search.models import IndexQueue
from search.service import index_rebuild
from tests.search.conftest import Tree, build_tree


@pytest.fixture(scope="module")
def _indexed_tree(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Published and indexed once for the module (publishing is slow); these tests only read."""
    from cms.models import HelpCenterPage

    with django_db_blocker.unblock():
        tree = build_tree()
        index_rebuild()
    yield tree
    with django_db_blocker.unblock():
        HelpCenterPage.objects.get(pk=tree.help_center.pk).delete()
        index_rebuild()
        IndexQueue.objects.all().delete()


@pytest.fixture
def indexed(db: None, _indexed_tree: Tree) -> Tree:
    return _indexed_tree


def test_search_page_lists_hits_with_count_and_snippets(client: Client, indexed: Tree) -> None:
    response = client.get("/help/search", {"q": "password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 article found" in html
    assert f'href="{indexed.reset.url_for_language("en")}"' in html
    assert "<mark>password</mark>" in html


def test_search_page_in_french_with_fallback_label(client: Client, indexed: Tree) -> None:
    client.cookies["django_language"] = "fr"
    response = client.get("/help/search", {"q": "exporter les données"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Export your data" in html
    assert "Pas encore traduit" in html


def test_search_page_paginates(client: Client, indexed: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    from search import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    first = client.get("/help/search", {"q": "password subscriptions export"}).content.decode()
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1 of 3" in first
    last = client.get("/help/search", {"q": "password subscriptions export", "page": "3"}).content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get("/help/search", {"q": "password", "page": "abc"}).status_code == 200


@pytest.mark.parametrize("query", ["", "   ", '"((NEAR AND:*', "x" * 5000])
def test_search_page_never_fails(client: Client, indexed: Tree, query: str) -> None:
    response = client.get("/help/search", {"q": query})
    assert response.status_code == 200


def test_search_page_when_the_engine_is_down(client: Client, indexed: Tree, settings: Any) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    response = client.get("/help/search", {"q": "password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "reduced mode" in html
    assert "Reset your password" in html


def test_api_answers_json(client: Client, indexed: Tree) -> None:
    response = client.get("/api/search", {"q": "l'abonnement", "lang": "fr", "limit": "5"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["degraded"] is False
    (hit,) = body["results"]
    assert hit["article_id"] == str(indexed.subscriptions.pk)
    assert hit["language"] == "fr"
    assert hit["title"] == "Gérer les abonnements"
    assert hit["is_fallback"] is False
    assert "<mark>" in hit["snippet"]
    assert set(hit) == {"article_id", "language", "title", "summary", "url", "score", "snippet", "is_fallback"}


def test_api_scopes_by_audience(client: Client, indexed: Tree, django_user_model: Any) -> None:
    assert client.get("/api/search", {"q": "plan prices"}).json()["total"] == 0
    customer = django_user_model.objects.create_user(email="c@example.test", password="pw-123456789")
    client.force_login(customer)
    assert client.get("/api/search", {"q": "plan prices"}).json()["results"][0]["article_id"] == str(indexed.plans.pk)
    assert client.get("/api/search", {"q": "refund runbook"}).json()["total"] == 0


def test_api_blank_query_is_empty_not_an_error(client: Client, indexed: Tree) -> None:
    response = client.get("/api/search", {"q": "  "})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lang": "xx"}, "Unknown language"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "51"}, "limit"),
        ({"limit": "ten"}, "whole number"),
        ({"offset": "-5"}, "offset"),
    ],
)
def test_api_refuses_invalid_parameters(client: Client, db: None, params: dict[str, str], message: str) -> None:
    response = client.get("/api/search", {"q": "password", **params})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_api_rejects_post(client: Client, db: None) -> None:
    assert client.post("/api/search", {"q": "password"}).status_code == 405
