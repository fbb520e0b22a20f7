"""``/api/docs/`` and ``/api/schema/`` under the strict CSP, with the dev and the production settings.

Each settings module is loaded in its own process (production settings read their secrets at
start-up), on a copy of the migrated test database.
"""

from __future__ import annotations

import secrets

import pytest

from tests.failures.conftest import Product, product  # noqa: F401 - the fixture, shared

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "help.example.com",
    "SITE_URL": "https://help.example.com",
}
DEV = {"DJANGO_SETTINGS_MODULE": "portal.settings.dev", "ALLOWED_HOSTS": "help.example.com"}

# Production keeps hashed static names in a manifest written by collectstatic; the policy and the
# pages under test do not depend on it, so the probe names files as the dev storage does.
PROBE = """
import re, yaml
from django.test import Client, override_settings

with override_settings(STORAGES={**__import__("django.conf").conf.settings.STORAGES,
                                 "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    client = Client(HTTP_HOST="help.example.com", HTTP_X_FORWARDED_PROTO="https", secure=True)
    schema = client.get("/api/schema/")
    schema_json = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    script_urls = re.findall(r'<script[^>]*src="([^"]+)"', html)
    script = client.get(script_urls[-1]) if script_urls else None
    parsed = yaml.safe_load(schema.content) if schema.status_code == 200 else {}
    components = parsed.get("components", {}).get("schemas", {})
    print(json.dumps({
        "schema": schema.status_code,
        "schema_type": schema["Content-Type"],
        "schema_paths": sorted(parsed.get("paths", {})),
        "event_kinds": components.get("OpenedEventRequestKindEnum", {}).get("enum"),
        "json": schema_json.status_code,
        "same_as_json": schema_json.status_code == 200 and parsed == schema_json.json(),
        "docs": docs.status_code,
        "csp": docs["Content-Security-Policy"],
        "inline_scripts": len(re.findall(r"<script(?![^>]*\\bsrc=)[^>]*>", html)),
        "inline_styles": len(re.findall(r"<style\\b|\\sstyle=", html)),
        "resources": re.findall(r'(?:src|href)="([^"]+)"', html),
        "script": script.status_code if script else None,
        "script_type": script["Content-Type"] if script else None,
    }))
"""


@pytest.mark.parametrize("environment", [DEV, PRODUCTION], ids=["dev", "production"])
def test_the_schema_and_the_docs_answer_under_the_strict_policy(product: Product, environment: dict) -> None:  # noqa: F811
    result = product.python(PROBE, env=environment, timeout=120)

    assert result["schema"] == 200, result
    assert result["schema_type"].startswith("application/vnd.oai.openapi")
    assert "/api/tickets/" in result["schema_paths"]
    assert result["event_kinds"] == ["opened"]
    assert result["same_as_json"]

    assert result["docs"] == 200
    policy = dict(part.strip().split(" ", 1) for part in result["csp"].split(";") if part.strip())
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert "unsafe-inline" not in result["csp"]
    assert result["inline_scripts"] == 0
    assert result["inline_styles"] == 0
    assert result["resources"] and all(url.startswith("/") and not url.startswith("//") for url in result["resources"])
    assert result["script"] == 200
    assert result["script_type"].startswith("application/javascript")
