"""``/healthz`` reports each dependency and answers 503 naming what failed."""

import pytest
from django.test import Client

from portal import health
from tests.conftest import celery_app_for


@pytest.mark.django_db
def test_all_dependencies_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "broker", "search"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.django_db
def test_an_unreachable_broker_is_named(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on port 1.
    monkeypatch.setattr(health, "celery_app", celery_app_for("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "error"


@pytest.mark.django_db
def test_an_unreachable_search_engine_is_named(client: Client, settings: object) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["search"]


def test_a_broken_database_is_named(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # No django_db mark: the test runner blocks database access, exactly like a dead database.
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "database" in response.json()["failed"]
    assert set(health.CHECKS) == {"database", "broker", "search"}
