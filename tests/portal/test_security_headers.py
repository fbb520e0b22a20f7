"""Security headers on every response: CSP (strict on the portal, relaxed only in the admin), nosniff."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def test_portal_pages_get_a_strict_policy(client: Client) -> None:
    response = client.get("/")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_only_the_admin_allows_inline_code(client: Client) -> None:
    response = client.get("/admin/login/")
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["object-src"] == "'none'"


def test_the_api_docs_are_self_hosted(client: Client, django_user_model: object) -> None:
    client.force_login(django_user_model.objects.create_user("reader@example.com", "x"))
    body = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr.net" not in body
    assert "/static/drf_spectacular_sidecar/" in body
