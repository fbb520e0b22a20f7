"""The pieces every API endpoint shares: the blank-text rule and the JSON 404 under /api/."""

from __future__ import annotations

import sys

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from portal.api import VISIBLE_TEXT


def accepts(text: str) -> bool:
    try:
        VISIBLE_TEXT(text)
    except ValidationError:
        return False
    return True


def test_visible_text_means_what_strip_leaves() -> None:
    """The pattern documented in the schema agrees with ``str.strip()`` on every character."""
    disagreements = [hex(code) for code in range(sys.maxunicode + 1) if accepts(chr(code)) != bool(chr(code).strip())]
    assert disagreements == []
    assert accepts("  a  ") and not accepts(" \t\u3000\x1f")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_answers_json_404_even_to_a_post_without_csrf(method: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/tickets/-5/comments/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_the_api_404_speaks_the_callers_language() -> None:
    response = Client().get("/api/nothing-here", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json() == {"detail": "Non trouvé."}


@pytest.mark.django_db
def test_a_missing_page_outside_the_api_is_still_the_site_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
