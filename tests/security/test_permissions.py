"""Permission matrix: every URL pattern of the product, GET by six kinds of people.

Expected families: ``ok`` 2xx; ``login`` a redirect to the sign-in page; ``denied`` 403 or 404
(never the data); ``405`` the URL takes no GET; ``redirect`` another redirect; ``400`` refused
input. Customer A owns the ticket, the attachment and the draft session; customer B belongs to
another organization. The agent works the standard and billing queues; the Gov-cleared agent the
Gov queue. Rows of the "billing" variant use the billing request (with a file) of A's organization's
owner: A, a plain member of an organization that shares its tickets, must not see it.
"""

from __future__ import annotations

from pathlib import Path

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

# Billing requests: their requester, the organization's owners and admins, the billing queue's agents.
BILLING_TICKET = (LOGIN, DENIED, DENIED, OK, DENIED, DENIED)
API_BILLING_TICKET = (DENIED, DENIED, DENIED, OK, DENIED, DENIED)

# (route, ticket variant: "" customer A's, "gov", "billing") -> expected family per role, in ROLES order.
MATRIX: dict[tuple[str, str], tuple[str, ...]] = {
    ("healthz", ""): PUBLIC,
    ("i18n/setlang/", ""): (REDIRECT,) * 6,
    ("accounts/login/", ""): (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("accounts/password_reset/", ""): PUBLIC,
    ("accounts/logout/", ""): (NO_GET,) * 6,
    ("accounts/password_change/", ""): SIGNED_IN,
    ("accounts/password_change/done/", ""): SIGNED_IN,
    ("accounts/password_reset/done/", ""): PUBLIC,
    ("accounts/reset/<uidb64>/<token>/", ""): PUBLIC,  # shows "invalid link"
    ("accounts/reset/done/", ""): PUBLIC,
    ("settings", ""): SIGNED_IN,
    ("settings/", ""): SIGNED_IN,
    ("settings/contact-email/<str:token>/", ""): SIGNED_IN,  # shows "invalid link"
    ("help/search", ""): PUBLIC,
    ("api/search", ""): PUBLIC,
    ("requests/new", ""): PUBLIC,  # entitlement decides what the page offers
    ("requests/new/s/<uuid:session_id>/review", ""): (DENIED, OK, DENIED, DENIED, DENIED, DENIED),
    ("requests/new/s/<uuid:session_id>/open/<str:article_id>", ""): (DENIED,) * 6,  # never suggested
    ("requests/new/s/<uuid:session_id>/outcome", ""): (NO_GET,) * 6,
    ("requests/new/s/<uuid:session_id>/done", ""): (DENIED, OK, DENIED, DENIED, DENIED, DENIED),
    ("api/deflection/suggest", ""): (NO_GET,) * 6,
    ("api/deflection/sessions/<str:session_id>/events", ""): (NO_GET,) * 6,
    ("requests/rate/<str:token>", ""): (BAD,) * 6,  # a forged rating link
    ("requests/<int:number>/rate", ""): CUSTOMER_OWN,
    ("agent/csat", ""): AGENTS_ONLY,
    ("requests/", ""): SIGNED_IN,  # each sees only their own list
    ("requests/new/ticket", ""): (LOGIN, OK, OK, DENIED, DENIED, DENIED),  # staff and non-members don't file
    ("requests/solve/<str:token>", ""): PUBLIC,  # explains the link is invalid
    ("requests/<int:number>", ""): TICKET,
    ("requests/<int:number>", "billing"): BILLING_TICKET,
    ("requests/<int:number>/solve", ""): (LOGIN, NO_GET, NO_GET, NO_GET, NO_GET, NO_GET),
    ("requests/<int:number>/files/<int:attachment_id>", ""): TICKET,
    ("requests/<int:number>/files/<int:attachment_id>", "billing"): BILLING_TICKET,
    ("api/tickets/", ""): (DENIED, OK, OK, OK, OK, OK),  # a list scoped to the caller
    ("api/tickets/<int:number>/", ""): API_TICKET,
    ("api/tickets/<int:number>/", "billing"): API_BILLING_TICKET,
    ("api/tickets/<int:number>/comments/", ""): API_TICKET,
    ("api/tickets/<int:number>/comments/", "billing"): API_BILLING_TICKET,
    ("api/tickets/<int:number>/attachments/", ""): API_TICKET,
    ("api/tickets/<int:number>/attachments/", "billing"): API_BILLING_TICKET,
    ("api/tickets/<int:number>/attachments/<int:attachment_id>/", ""): API_TICKET,
    ("api/tickets/<int:number>/attachments/<int:attachment_id>/", "billing"): API_BILLING_TICKET,
    ("api/tickets/<int:number>/status/", ""): (DENIED, NO_GET, NO_GET, NO_GET, NO_GET, NO_GET),
    ("agent/", ""): AGENTS_ONLY,
    ("agent/bulk", ""): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>", ""): (LOGIN, DENIED, DENIED, OK, DENIED, DENIED),
    ("agent/tickets/<int:number>", "gov"): (LOGIN, DENIED, DENIED, DENIED, OK, DENIED),  # Gov: cleared only
    ("agent/tickets/<int:number>", "billing"): BILLING_TICKET,
    ("agent/tickets/<int:number>/update", ""): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>/update", "gov"): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>/articles", ""): (LOGIN, DENIED, DENIED, OK, DENIED, DENIED),
    ("agent/tickets/<int:number>/articles", "gov"): (LOGIN, DENIED, DENIED, DENIED, OK, DENIED),
    ("agent/tickets/<int:number>/draft-article", ""): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("agent/tickets/<int:number>/draft-article", "gov"): (LOGIN, DENIED, DENIED, NO_GET, NO_GET, DENIED),
    ("help/_feedback/<int:article_id>/", ""): (NO_GET,) * 6,
    ("api/v2/^pages/", ""): PUBLIC,
    ("api/v2/^pages/<int:pk>/", ""): PUBLIC,  # a public article
    ("api/v2/^pages/find/", ""): (DENIED,) * 6,  # nothing to find without a path
    ("api/v2/^articles/", ""): PUBLIC,
    ("api/v2/^articles/<int:pk>/", ""): PUBLIC,
    ("api/v2/^articles/find/", ""): (DENIED,) * 6,
    ("api/v2/^categories/", ""): PUBLIC,
    ("api/v2/^categories/<int:pk>/", ""): (DENIED,) * 6,  # the id is an article's
    ("api/v2/^categories/find/", ""): (DENIED,) * 6,
    ("", ""): PUBLIC,
    ("^api/", ""): (DENIED,) * 6,  # any other path under /api/: a JSON 404
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
    known = {route for route, _variant in MATRIX}
    assert [route for route in routes if route not in known] == [], "give these URLs a row in MATRIX"
    assert [route for route in known if route not in routes] == [], "these URLs are gone: drop their rows"


def test_permission_matrix(objects: Objects) -> None:
    failures = []
    for (route, variant), expected in MATRIX.items():
        url = concrete(route, objects, variant=variant)
        found = outcomes(url, objects)
        if found != expected:
            failures.append(
                f"{url} ({route}{', ' + variant if variant else ''}):\n"
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


def test_a_ticket_file_has_no_public_path(objects: Objects, settings: object) -> None:
    """The raw path of an attachment is refused to everyone, and nothing under MEDIA_ROOT (which the
    dev server and a proxy serve as files) holds it; tests/tickets/test_private_files.py tries the
    dev server's own /media/ route."""
    name = objects.attachment.file.name
    assert outcomes(f"/media/{name}", objects) == (DENIED,) * 6
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert objects.attachment.file.storage.exists(name)


def test_a_customer_never_reads_another_organizations_ticket_data(objects: Objects) -> None:
    """Beyond status codes: nothing of A's ticket appears in B's pages and API answers."""
    client = Client()
    client.force_login(objects.world.carol)
    for url in ("/requests/", "/api/tickets/", f"/requests/{objects.ticket.number}", "/api/search?q=export"):
        body = client.get(url).content.decode()
        assert "Cannot export" not in body, url
        assert "The export fails" not in body, url
