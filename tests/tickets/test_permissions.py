"""The permission matrix: every portal and API path, for every kind of person, on every kind of ticket.

A ticket someone may not see answers 404 (foreign and unknown look alike), on reads and writes,
for the ticket itself, its comments and its files.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.tickets.conftest import World, png
from tickets import services
from tickets.models import Attachment, Comment, Status, Ticket

pytestmark = pytest.mark.django_db

# person -> the tickets (by requester) they may see
VISIBLE = {
    "alice": {"alice", "bob"},
    "bob": {"alice", "bob"},  # acme shares tickets between members
    "carol": {"carol"},
    "dave": set(),
    "gina": {"gina"},
    "agent": {"alice", "bob", "carol"},  # standard queue
    "other_agent": set(),  # staff in no queue
    "gov_agent": {"gina"},
    "uncleared_agent": set(),  # in the Gov queue but not cleared
    "admin": {"alice", "bob", "carol", "gina"},  # superuser: every queue; accounts counts superusers as cleared
    "outsider": set(),
}
REQUESTERS = ["alice", "bob", "carol", "gina"]


def _setup(world: World) -> dict[str, tuple[Ticket, Attachment, Attachment]]:
    """One ticket per requester, triaged, with a public file and a file on an internal note."""
    tickets = {}
    for name in REQUESTERS:
        requester = getattr(world, name)
        ticket = services.ticket_create(
            requester=requester, subject=f"{name}'s question", description="Details.", files=[png("public.png")]
        )
        services.ticket_triage(ticket_id=ticket.pk)
        ticket.refresh_from_db()
        agent = world.gov_agent if ticket.is_gov else world.agent
        services.comment_add(ticket=ticket, author=agent, body="Internal", is_public=False, files=[png("secret.png")])
        services.comment_add(ticket=ticket, author=agent, body="Public answer")
        public = ticket.attachments.get(original_name="public.png")
        secret = ticket.attachments.get(original_name="secret.png")
        tickets[name] = (ticket, public, secret)
    return tickets


def _portal(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _api(user: object | None, *, token: bool) -> APIClient:
    client = APIClient()
    if user is not None:
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        else:
            client.force_login(user)
    return client


@pytest.mark.parametrize("person", sorted(VISIBLE))
def test_portal_matrix(world: World, person: str) -> None:
    tickets = _setup(world)
    user = getattr(world, person)
    client = _portal(user)
    listing = client.get("/requests/").content.decode()
    for owner, (ticket, public, secret) in tickets.items():
        visible = owner in VISIBLE[person]
        is_agent = user.is_staff and visible
        detail = client.get(f"/requests/{ticket.number}")
        assert detail.status_code == (200 if visible else 404), (person, owner)
        if visible:
            page = detail.content.decode()
            assert "Public answer" in page
            assert ("Internal" in page) is is_agent  # internal notes reach agents only
        own_list = owner == person or (person in {"alice", "bob"} and owner in {"alice", "bob"})
        assert (f"#{ticket.number}<" in listing) is own_list, (person, owner)
        assert client.get(f"/requests/{ticket.number}/files/{public.pk}").status_code == (200 if visible else 404)
        assert client.get(f"/requests/{ticket.number}/files/{secret.pk}").status_code == (200 if is_agent else 404)
        # A file id from another ticket under this ticket's number is never served.
        other = next(p for o, (_t, p, _s) in tickets.items() if o != owner)
        assert client.get(f"/requests/{ticket.number}/files/{other.pk}").status_code == 404

        comments = Comment.objects.filter(ticket=ticket).count()
        reply = client.post(f"/requests/{ticket.number}", {"body": f"from {person}"})
        assert reply.status_code == (302 if visible else 404)
        assert Comment.objects.filter(ticket=ticket).count() == comments + (1 if visible else 0)
        solve = client.post(f"/requests/{ticket.number}/solve")
        assert solve.status_code == (302 if visible else 404), (person, owner)
        ticket.refresh_from_db()
        assert (ticket.status == Status.SOLVED) is visible


# Token authentication for everyone; session authentication for one customer and one agent
# (authentication does not change scoping, and each case costs a few seconds).
API_CASES = [(person, True) for person in sorted(VISIBLE)] + [("bob", False), ("agent", False)]


@pytest.mark.parametrize(
    ("person", "token"), API_CASES, ids=[f"{p}-{'token' if t else 'session'}" for p, t in API_CASES]
)
def test_api_matrix(world: World, person: str, token: bool) -> None:
    tickets = _setup(world)
    user = getattr(world, person)
    client = _api(user, token=token)
    listed = {row["number"] for row in client.get("/api/tickets/").json()["results"]}
    for owner, (ticket, public, secret) in tickets.items():
        visible = owner in VISIBLE[person]
        is_agent = user.is_staff and visible
        base = f"/api/tickets/{ticket.number}"
        own_list = owner == person or (person in {"alice", "bob"} and owner in {"alice", "bob"})
        assert (ticket.number in listed) is own_list
        detail = client.get(f"{base}/")
        assert detail.status_code == (200 if visible else 404), (person, owner)
        if visible:
            bodies = [c["body"] for c in detail.json()["comments"]]
            assert ("Internal" in bodies) is is_agent
        assert client.get(f"{base}/comments/").status_code == (200 if visible else 404)
        attachments = client.get(f"{base}/attachments/")
        assert attachments.status_code == (200 if visible else 404)
        if visible:
            names = {a["original_name"] for a in attachments.json()}
            assert names == ({"public.png", "secret.png"} if is_agent else {"public.png"})
        assert client.get(f"{base}/attachments/{public.pk}/").status_code == (200 if visible else 404)
        assert client.get(f"{base}/attachments/{secret.pk}/").status_code == (200 if is_agent else 404)
        assert client.post(f"{base}/comments/", {"body": "api reply"}, format="json").status_code == (
            201 if visible else 404
        )
        upload = client.post(f"{base}/attachments/", {"files": [png("more.png")]}, format="multipart")
        assert upload.status_code == (201 if visible else 404)
        solve = client.post(f"{base}/status/", {"status": "solved"}, format="json")
        assert solve.status_code == (200 if visible else 404)


def test_anonymous_gets_nothing(world: World) -> None:
    tickets = _setup(world)
    ticket, public, _secret = tickets["alice"]
    portal = Client()
    for path in ("/requests/", f"/requests/{ticket.number}", f"/requests/{ticket.number}/files/{public.pk}"):
        response = portal.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert portal.post(f"/requests/{ticket.number}/solve").status_code == 302
    api = APIClient()
    for path in ("/api/tickets/", f"/api/tickets/{ticket.number}/", f"/api/tickets/{ticket.number}/comments/"):
        assert api.get(path).status_code in {401, 403}
    assert api.post("/api/tickets/", {"subject": "x", "description": "y"}, format="json").status_code in {401, 403}
    ticket.refresh_from_db()
    assert ticket.status != Status.SOLVED


def test_forged_numbers_are_404(world: World) -> None:
    client = _portal(world.alice)
    for number in ("999999", "0", "-1", "abc", "1e3"):
        assert client.get(f"/requests/{number}", follow=True).status_code == 404
    api = _api(world.alice, token=False)
    assert api.get("/api/tickets/999999/").status_code == 404


def test_customers_cannot_post_internal_notes_through_the_api(world: World) -> None:
    ticket = _setup(world)["alice"][0]
    response = _api(world.alice, token=False).post(
        f"/api/tickets/{ticket.number}/comments/", {"body": "psst", "is_public": False}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only agents can add internal notes."
    assert not Comment.objects.filter(body="psst").exists()


def test_a_billing_request_reaches_its_requester_the_owners_and_admins_and_the_billing_queue(world: World) -> None:
    """Acme shares tickets between members, but not billing: those concern the subscription."""
    from tests.tickets.conftest import join, make_user

    acme_admin = join(make_user("admin@acme.test"), world.acme, "admin")
    acme_owner = join(make_user("owner@acme.test"), world.acme, "owner")
    solo_owner = world.carol  # owner of another organization
    ticket = services.ticket_create(
        requester=acme_admin, subject="Invoice", description="The VAT number is wrong.", route="billing"
    )
    services.ticket_triage(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.queue == world.billing

    sees = {
        "requester (admin)": acme_admin,
        "owner": acme_owner,
        "member": world.alice,
        "member who shares": world.bob,
        "another organization's owner": solo_owner,
        "billing agent": world.agent,
        "agent in no queue": world.other_agent,
        "superuser": world.admin,
    }
    found = {name: _portal(user).get(f"/requests/{ticket.number}").status_code for name, user in sees.items()}
    assert found == {
        "requester (admin)": 200,
        "owner": 200,
        "member": 404,
        "member who shares": 404,
        "another organization's owner": 404,
        "billing agent": 200,
        "agent in no queue": 404,
        "superuser": 200,
    }
    assert "Invoice" not in _portal(world.alice).get("/requests/").content.decode()
    assert "Invoice" in _portal(acme_owner).get("/requests/").content.decode()
