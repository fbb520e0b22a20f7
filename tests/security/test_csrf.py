"""CSRF: no POST to any URL of the product is acted on without the token, whoever sends it.

Walks the real URLConf (every pattern of ours, plus the admin sign-in forms) with clients that
enforce CSRF checks as a browser's would be: signed out, a customer, an agent. Each POST must be
refused for CSRF (403) or not accept POST at all (405); never done, redirected or half-processed.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.urls import Objects, concrete, product_routes
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db

EXTRA = ["/admin/login/", "/django-admin/login/", "/admin/pages/add/cms/articlepage/1/"]


def posts(objects: Objects) -> list[str]:
    urls = []
    for route in product_routes():
        urls.append(concrete(route, objects))
        if route.startswith("agent/tickets/"):
            urls.append(concrete(route, objects, variant="gov"))
    return urls + EXTRA


@pytest.mark.parametrize("role", ["anonymous", "customer_a", "agent"])
def test_no_post_is_accepted_without_a_csrf_token(objects: Objects, role: str) -> None:
    client = Client(enforce_csrf_checks=True)
    user = objects.user(role)
    if user is not None:
        client.force_login(user)
    tickets, comments = Ticket.objects.count(), Comment.objects.count()
    accepted = []
    for url in posts(objects):
        response = client.post(
            url,
            {"subject": "x" * 10, "description": "y" * 10, "body": "z", "status": "solved", "kind": "deflected"},
        )
        if response.status_code == 405:
            continue
        body = response.content.decode(errors="replace")
        if response.status_code == 403 and "CSRF" in body:
            continue
        if url == "/api/" and response.status_code == 404:
            continue  # the catch-all for unknown API paths: CSRF-exempt, it acts on nothing
        if user is None and response.status_code in (401, 403) and "credentials were not provided" in body:
            continue  # an API refusing the anonymous caller outright: no session to ride on
        accepted.append(f"{url}: {response.status_code} {body[:120]!r}")
    assert accepted == []
    assert (Ticket.objects.count(), Comment.objects.count()) == (tickets, comments)


def test_the_same_post_with_the_token_goes_through(objects: Objects) -> None:
    """The refusals above come from the missing token: with it, the form works."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(objects.world.alice)
    client.get("/settings")  # sets the CSRF cookie, as a page with a form does
    token = client.cookies["csrftoken"].value
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "fr"
