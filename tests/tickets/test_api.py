"""REST API: create (with a deflection session), read, comment, upload, status; errors are precise 4xx."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from deflection.models import DeflectionSession, Outcome
from tests.tickets.conftest import World, png
from tickets.models import Attachment, Comment, Status, Ticket

pytestmark = pytest.mark.django_db


def api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_from_a_deflection_session(world: World) -> None:
    session = DeflectionSession.objects.create(user=world.alice, language="en", subject="s", description="d")
    response = api(world.alice).post(
        "/api/tickets/",
        {"subject": "Webhook retries", "description": "They stop after 3.", "deflection_session": str(session.pk)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert body["status"] == "new" and body["route"] == "standard" and body["channel"] == "api"
    assert body["deflection_session"] == str(session.pk) and ticket.deflection_session == session
    session.refresh_from_db()
    assert session.outcome == Outcome.ESCALATED


def test_create_with_files_in_multipart(world: World) -> None:
    response = api(world.alice).post(
        "/api/tickets/",
        {"subject": "Screens", "description": "See files", "files": [png("a.png"), png("b.png")]},
        format="multipart",
    )
    assert response.status_code == 201
    assert sorted(a["original_name"] for a in response.json()["attachments"]) == ["a.png", "b.png"]


@pytest.mark.parametrize(
    ("user", "payload", "status", "message"),
    [
        ("alice", {"subject": "", "description": "x"}, 400, "may not be blank"),
        ("alice", {"subject": "ok", "description": " \n\t "}, 400, "may not be blank"),
        ("alice", {"subject": "x" * 201, "description": "x"}, 400, "no more than 200"),
        ("alice", {"subject": "ok", "description": "x", "route": "gov"}, 403, "cannot submit requests on this"),
        ("alice", {"subject": "ok", "description": "x", "product_area": "garden"}, 400, "not a valid choice"),
        ("alice", {"subject": "ok", "description": "x", "deflection_session": "not-a-uuid"}, 400, "valid UUID"),
        ("dave", {"subject": "ok", "description": "x"}, 403, "community"),
    ],
)
def test_create_refusals(world: World, user: str, payload: dict, status: int, message: str) -> None:
    response = api(getattr(world, user)).post("/api/tickets/", payload, format="json")
    assert response.status_code == status
    assert message in str(response.json())
    assert not Ticket.objects.exists()


def test_a_foreign_deflection_session_is_refused(world: World) -> None:
    session = DeflectionSession.objects.create(user=world.carol, language="en", subject="s", description="d")
    response = api(world.alice).post(
        "/api/tickets/", {"subject": "x", "description": "y", "deflection_session": str(session.pk)}, format="json"
    )
    assert response.status_code == 404 and "draft was not found" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_comment_upload_and_status_flow(world: World) -> None:
    client = api(world.alice)
    number = client.post("/api/tickets/", {"subject": "S", "description": "D"}, format="json").json()["number"]
    assert client.post(f"/api/tickets/{number}/comments/", {"body": "<b>more</b>"}, format="json").status_code == 201
    assert Comment.objects.get().body == "<b>more</b>"  # stored as text, escaped when shown
    too_big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "TICKETS_ATTACHMENT_MAX_BYTES", 50, raising=False)
        refused = client.post(f"/api/tickets/{number}/attachments/", {"files": [too_big]}, format="multipart")
    assert refused.status_code == 413 and "too large" in refused.json()["detail"]
    assert not Attachment.objects.exists() and Comment.objects.count() == 1
    assert client.post(f"/api/tickets/{number}/attachments/", {}, format="multipart").status_code == 400
    bad = client.post(f"/api/tickets/{number}/status/", {"status": "pending"}, format="json")
    assert bad.status_code == 409 and "not allowed" in bad.json()["detail"]
    assert client.post(f"/api/tickets/{number}/status/", {"status": "archived"}, format="json").status_code == 400
    solved = client.post(f"/api/tickets/{number}/status/", {"status": "solved"}, format="json")
    assert solved.status_code == 200 and solved.json()["status"] == "solved"


def test_agents_make_every_allowed_transition(world: World) -> None:
    number = (
        api(world.alice).post("/api/tickets/", {"subject": "S", "description": "D"}, format="json").json()["number"]
    )
    Ticket.objects.filter(number=number).update(queue=world.standard)
    agent = api(world.agent)
    for target in ("open", "pending", "solved", "closed"):
        response = agent.post(f"/api/tickets/{number}/status/", {"status": target}, format="json")
        assert response.status_code == 200, response.json()
    refused = agent.post(f"/api/tickets/{number}/status/", {"status": "open"}, format="json")
    assert refused.status_code == 409
    assert Ticket.objects.get(number=number).status == Status.CLOSED
    note = agent.post(f"/api/tickets/{number}/comments/", {"body": "note", "is_public": False}, format="json")
    assert note.status_code == 409  # closed is final for agents too


def test_list_is_paginated_and_filtered(world: World) -> None:
    client = api(world.alice)
    for index in range(3):
        client.post("/api/tickets/", {"subject": f"S{index}", "description": "D"}, format="json")
    page = client.get("/api/tickets/", {"limit": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert client.get("/api/tickets/", {"q": "S1"}).json()["count"] == 1


def test_schema_documents_the_ticket_endpoints(world: World) -> None:
    response = api(world.alice).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/tickets/",
        "/api/tickets/{number}/",
        "/api/tickets/{number}/comments/",
        "/api/tickets/{number}/attachments/",
        "/api/tickets/{number}/status/",
    ):
        assert path in paths
