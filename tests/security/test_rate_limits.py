"""Rate limits on suggestions, ticket creation and sign-in: 429 with Retry-After, nothing done past the limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.factories import member
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    cache.clear()


def retry_after(response: object) -> int:
    assert "Retry-After" in response, dict(response.items())
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 3600
    return seconds


def test_suggestions_are_limited_per_client(settings: object) -> None:
    settings.DEFLECTION_SUGGEST_RATE = "3/m"
    client = APIClient()
    draft = {"subject": "password reset", "description": "", "language": "en"}
    statuses = [client.post("/api/deflection/suggest", draft, format="json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/api/deflection/suggest", draft, format="json")
    assert limited.status_code == 429
    assert limited.json()["retry_after"] == retry_after(limited)
    other = APIClient(REMOTE_ADDR="192.0.2.44")  # another client still gets answers
    assert other.post("/api/deflection/suggest", draft, format="json").status_code == 200


def test_ticket_creation_is_limited_per_user_on_the_api_and_the_portal(settings: object) -> None:
    settings.TICKETS_CREATE_RATE = "2/h"
    user = member("pro", "licensed")
    api = APIClient()
    api.force_authenticate(user)
    body = {"subject": "Export fails", "description": "Nothing happens."}
    assert [api.post("/api/tickets/", body, format="json").status_code for _ in range(2)] == [201, 201]
    limited = api.post("/api/tickets/", body, format="json")
    assert limited.status_code == 429
    retry_after(limited)

    portal = Client()
    portal.force_login(user)
    page = portal.post("/requests/new/ticket", {**body, "route": "standard", "product_area": "other"})
    assert page.status_code == 429
    retry_after(page)
    assert Ticket.objects.filter(requester=user).count() == 2

    fresh = member("pro", "licensed")  # per user: somebody else may still file
    api.force_authenticate(fresh)
    assert api.post("/api/tickets/", body, format="json").status_code == 201


def test_sign_in_is_limited_per_account_even_with_the_right_password(settings: object) -> None:
    settings.LOGIN_RATE_PER_ACCOUNT = "3/5m"
    user = User.objects.create_user("target@example.com", "the right password")
    client = Client()
    for _attempt in range(3):
        wrong = client.post("/accounts/login/", {"username": user.email, "password": "guess"})
        assert wrong.status_code == 200  # the form again, with an error
    limited = client.post("/accounts/login/", {"username": user.email, "password": "the right password"})
    assert limited.status_code == 429
    retry_after(limited)
    assert "_auth_user_id" not in client.session

    # Wagtail's and Django's admin sign-in forms go through the same limited backend.
    for url in ("/admin/login/", "/django-admin/login/"):
        admin = Client()
        admin.post(url, {"username": user.email, "password": "the right password"})
        assert "_auth_user_id" not in admin.session, url


def test_sign_in_is_limited_per_client_address(settings: object) -> None:
    settings.LOGIN_RATE_PER_IP = "4/5m"
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [
        client.post("/accounts/login/", {"username": f"nobody{n}@example.com", "password": "x"}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_only_accepted_tickets_count_toward_the_filing_limit(settings: object) -> None:
    settings.TICKETS_CREATE_RATE = "2/h"
    user = member("pro", "licensed")
    portal = Client()
    portal.force_login(user)
    valid = {"subject": "Export fails", "description": "Nothing happens.", "route": "standard", "product_area": "other"}
    invalid = {**valid, "description": ""}
    assert [portal.post("/requests/new/ticket", invalid).status_code for _ in range(4)] == [400] * 4
    api = APIClient()
    api.force_authenticate(user)
    assert [api.post("/api/tickets/", {"subject": ""}, format="json").status_code for _ in range(3)] == [400] * 3
    assert Ticket.objects.filter(requester=user).count() == 0

    assert portal.post("/requests/new/ticket", valid).status_code == 302
    assert api.post("/api/tickets/", valid, format="json").status_code == 201
    limited = portal.post("/requests/new/ticket", valid)
    assert limited.status_code == 429
    retry_after(limited)
    assert api.post("/api/tickets/", valid, format="json").status_code == 429
    assert Ticket.objects.filter(requester=user).count() == 2
