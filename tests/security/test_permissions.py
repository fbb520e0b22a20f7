"""Permission matrix: every URL pattern of the product, GET by six kinds of people.

Expected families: ``ok`` 2xx; ``login`` a redirect to the sign-in page; ``denied`` 403 or 404
(never the data); ``405`` the URL takes no GET; ``redirect`` another redirect; ``400`` refused
input. Customer A owns the ticket, the attachment and the draft session; customer B belongs to
another organization. The agent works the standard queue; the Gov-cleared agent the Gov queue.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.urls import ROLES, Objects, concrete, product_routes

pytestmark = pytest.mark.django_db

OK, LOGIN, DENIED, NO_GET, REDIRECT, BAD = "ok", "login", "denied", "405", "redirect", "400"
PUBLIC = (OK,) * 6
# Customer A's ticket: A, and the agent of its queue (not the Gov agent, whose queue it is not in).
TICKET = (LOGIN, OK, DENIED, OK, DENIED, DENIED)
CUSTOMER_OWN = (LOGIN, OK, DENIED, DENIED, DENIED, DENIED)  # A's alone
SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK)
AGENTS_ONLY = (LOGIN, DENIED, DENIED, OK, OK, DENIED)
API_TICKET = (DENIED, OK, DENIED, OK, DENIED, DENIED)

# (route, gov ticket?) -> expected family per role, in ROLES order.
MATRIX: dict[tuple[str, bool], tuple[str, ...]] = {
    ("healthz", False): PUBLIC,
    ("i18n/setlang/", False): (REDIRECT,) * 6,
    ("accounts/login/", False): (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("accounts/password_reset/", False): PUBLIC,
    ("accounts/logout/", False): (NO_GET,) * 6,
    ("accounts/password_change/", False): SIGNED_IN,
    ("accounts/password_change/done/", False): SIGNED_IN,
    ("accounts/password_reset/done/", False): PUBLIC,
    ("accounts/reset/<uidb64>/<token>/", False): PUBLIC,  # shows "invalid link"
    ("accounts/reset/done/", False): PUBLIC,
    ("settings", False): SIGNED_IN,
    ("settings/", False): SIGNED_IN,
    ("settings/contact-email/<str:token>/", False): SIGNED_IN,  # shows "invalid link"
    ("help/search", False): PUBLIC,
    ("api/search", False): PUBLIC,
    ("requests/new", False): PUBLIC,  # entitlement decides what the page offers
    ("requests/new/s/<uuid:session_id>/review", False): (DENIED, OK, DENIED, DENIED, DENIED, DENIED),
    ("requests/new/s/<uuid:session_id>/open/<str:article_id>", False): (DENIED,) * 6,  # never suggested
    ("requests/new/s/<uuid:session_id>/outcome", False): (NO_GET,) * 6,
    ("requests/new/s/<uuid:session_id>/done", False): (DENIED, OK, DENIED, DENIED, DENIED, DENIED),
    ("api/deflection/suggest", False): (NO_GET,) * 6,
    ("api/deflection/sessions/<str:session_id>/events", False): (NO_GET,) * 6,
    ("requests/rate/<str:token>", False): (BAD,) * 6,  # a forged rating link
    ("requests/<int:number>/rate", False): CUSTOMER_OWN,
    ("agent/csat", False): AGENTS_ONLY,
    ("requests/", False): SIGNED_IN,  # each sees only their own list
    ("requests/new/ticket", False): (LOGIN, OK, OK, DENIED, DENIED, DENIED),  # staff and non-members don't file
    ("requests/solve/<str:token>", False): PUBLIC,  # explains the link is invalid
    ("requests/<int:number>", False): TICKET,
    ("requests/<int:number>/solve", False): (LOGIN, NO_GET, NO_GET, NO_GET, NO_GET, NO_GET),
    ("requests/<int:number>/files/<int:attachment_id>", False): TICKET,
    ("api/tickets/", False): (DENIED, OK, OK, OK, OK, OK),  # a list scoped to the caller
    ("api/tickets/<int:number>/", False): API_TICKET,
    ("api/tickets/<int:number>/comments/", False): API_TICKET,
    ("api/tickets/<int:number>/attachments/", False): API_TICKET,
    ("api/tickets/<int:number>/attachments/<int:attachment_id>/", False): API_TICKET,
    ("api/tickets/<int:number>/status/", False): (DENIED, NO_GET, NO_GET, NO_GET, NO_GET, NO_GET),
    ("agent/", False): AGENTS_ONLY,
    ("agent/bulk", False): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>", False): (LOGIN, DENIED, DENIED, OK, DENIED, DENIED),
    ("agent/tickets/<int:number>", True): (LOGIN, DENIED, DENIED, DENIED, OK, DENIED),  # Gov: cleared only
    ("agent/tickets/<int:number>/update", False): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>/update", True): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>/articles", False): (LOGIN, DENIED, DENIED, OK, DENIED, DENIED),
    ("agent/tickets/<int:number>/articles", True): (LOGIN, DENIED, DENIED, DENIED, OK, DENIED),
    ("agent/tickets/<int:number>/draft-article", False): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>/draft-article", True): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("help/_feedback/<int:article_id>/", False): (NO_GET,) * 6,
    ("api/v2/^pages/", False): PUBLIC,
    ("api/v2/^pages/<int:pk>/", False): PUBLIC,  # a public article
    ("api/v2/^pages/find/", False): (DENIED,) * 6,  # nothing to find without a path
    ("api/v2/^articles/", False): PUBLIC,
    ("api/v2/^articles/<int:pk>/", False): PUBLIC,
    ("api/v2/^articles/find/", False): (DENIED,) * 6,
    ("api/v2/^categories/", False): PUBLIC,
    ("api/v2/^categories/<int:pk>/", False): (DENIED,) * 6,  # the id is an article's
    ("api/v2/^categories/find/", False): (DENIED,) * 6,
    ("", False): PUBLIC,
    ("^api/", False): (DENIED,) * 6,  # any other path under /api/: a JSON 404
}
# The entrances of the admin areas: staff tools behind their own sign-in.
ENTRANCES = {
    "/admin/": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, OK),  # Wagtail: editors only
    "/django-admin/": (LOGIN, LOGIN, LOGIN, OK, OK, LOGIN),  # staff only (an index of what they may manage)
}


def family(response: object) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303, 307, 308):
        return LOGIN if "login" in response.get("Location", "") else REDIRECT
    if status in (401, 403, 404):
        return DENIED
    return str(status)


def outcomes(url: str, objects: Objects) -> tuple[str, ...]:
    found = []
    for role in ROLES:
        client = Client()
        user = objects.user(role)
        if user is not None:
            client.force_login(user)
        found.append(family(client.get(url)))
    return tuple(found)


def test_every_url_pattern_has_an_expectation() -> None:
    routes = product_routes()
    assert len(routes) > 40
    known = {route for route, _gov in MATRIX}
    assert [route for route in routes if route not in known] == [], "give these URLs a row in MATRIX"
    assert [route for route in known if route not in routes] == [], "these URLs are gone: drop their rows"


def test_permission_matrix(objects: Objects) -> None:
    failures = []
    for (route, gov), expected in MATRIX.items():
        url = concrete(route, objects, gov=gov)
        found = outcomes(url, objects)
        if found != expected:
            failures.append(
                f"{url} ({route}{', gov' if gov else ''}):\n"
                + "".join(
                    f"    {role}: expected {want}, got {got}\n"
                    for role, want, got in zip(ROLES, expected, found, strict=True)
                    if want != got
                )
            )
    for url, expected in ENTRANCES.items():
        found = outcomes(url, objects)
        if found != expected:
            failures.append(f"{url}: expected {expected}, got {found}\n")
    assert not failures, "\n" + "".join(failures)


def test_a_customer_never_reads_another_organizations_ticket_data(objects: Objects) -> None:
    """Beyond status codes: nothing of A's ticket appears in B's pages and API answers."""
    client = Client()
    client.force_login(objects.world.carol)
    for url in ("/requests/", "/api/tickets/", f"/requests/{objects.ticket.number}", "/api/search?q=export"):
        body = client.get(url).content.decode()
        assert "Cannot export" not in body, url
        assert "The export fails" not in body, url
