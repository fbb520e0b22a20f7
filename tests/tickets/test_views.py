"""Customer portal views: the ticket form behind deflection, the thread, solving, files, the list."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from deflection.models import DeflectionSession, Outcome
from tests.tickets.conftest import World, pdf, png
from tickets import services
from tickets.models import Attachment, Comment, Status, Ticket

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft(user: object, **fields: object) -> DeflectionSession:
    values = {"user": user, "language": "en", "subject": "Invoices missing", "description": "No PDF since May."}
    values.update(fields)
    return DeflectionSession.objects.create(**values)


class TestNewTicket:
    def test_form_is_prefilled_from_my_draft_and_the_ticket_links_it(self, world: World) -> None:
        session = draft(world.alice)
        client = client_for(world.alice)
        page = client.get(f"/requests/new/ticket?session={session.pk}").content.decode()
        assert 'value="Invoices missing"' in page and "No PDF since May." in page
        response = client.post(
            "/requests/new/ticket",
            {
                "route": "standard",
                "subject": "Invoices missing",
                "description": "No PDF since May.",
                "product_area": "billing",
                "session": str(session.pk),
                "files": [png(), pdf()],
            },
        )
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/requests/{ticket.number}"
        assert ticket.deflection_session == session and ticket.attachments.count() == 2
        session.refresh_from_db()
        assert session.outcome == Outcome.ESCALATED

    def test_someone_elses_draft_is_neither_shown_nor_linked(self, world: World) -> None:
        session = draft(world.carol, subject="Carol's secret subject")
        client = client_for(world.alice)
        assert (
            "Carol&#x27;s secret subject"
            not in client.get(f"/requests/new/ticket?session={session.pk}").content.decode()
        )
        response = client.post(
            "/requests/new/ticket",
            {
                "route": "standard",
                "subject": "Mine",
                "description": "Text",
                "product_area": "other",
                "session": str(session.pk),
            },
        )
        assert response.status_code == 400
        assert "This draft was not found" in response.content.decode()
        assert not Ticket.objects.exists()

    def test_free_plan_gets_the_community_link(self, world: World, settings) -> None:
        response = client_for(world.dave).get("/requests/new/ticket")
        assert response.status_code == 403
        assert settings.COMMUNITY_URL in response.content.decode()
        response = client_for(world.dave).post(
            "/requests/new/ticket", {"subject": "x", "description": "y", "product_area": "other"}
        )
        assert response.status_code == 403 and not Ticket.objects.exists()

    def test_gov_form_shows_the_route_hours(self, world: World) -> None:
        page = client_for(world.gina).get("/requests/new/ticket").content.decode()
        assert "Monday–Friday, 06:00–18:00 Pacific Time" in page
        assert re.search(r"Open now|Opens ", page)

    def test_priority_field_only_when_the_plan_allows(self, world: World) -> None:
        assert 'name="priority"' not in client_for(world.alice).get("/requests/new/ticket").content.decode()
        assert 'name="priority"' in client_for(world.carol).get("/requests/new/ticket").content.decode()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"subject": "", "description": "text"}, "This field is required"),
            ({"subject": "s" * 201, "description": "text"}, "at most 200 characters"),
            ({"subject": "ok", "description": "text", "route": "gov"}, "Select a valid choice"),
            (
                {"subject": "ok", "description": "text", "files": [SimpleUploadedFile("x.svg", b"<svg/>")]},
                "not an accepted file type",
            ),
        ],
    )
    def test_bad_input_is_a_400_with_a_message_and_saves_nothing(self, world: World, data: dict, message: str) -> None:
        payload = {"route": "standard", "product_area": "other", **data}
        response = client_for(world.alice).post("/requests/new/ticket", payload)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Ticket.objects.exists() and not Attachment.objects.exists()

    def test_anonymous_is_sent_to_sign_in(self, world: World) -> None:
        response = Client().get("/requests/new/ticket?session=abc")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def file_ticket(world: World, **overrides: object) -> Ticket:
    values = {"requester": world.alice, "subject": "Export fails", "description": "Line one\nLine two"}
    values.update(overrides)
    return services.ticket_create(**values)


class TestThread:
    def test_markup_in_bodies_is_shown_as_text(self, world: World) -> None:
        ticket = file_ticket(world, description="<script>alert('x')</script>\n<b>bold</b>")
        services.comment_add(ticket=ticket, author=world.agent, body="<img src=x onerror=alert(1)>")
        page = client_for(world.alice).get(f"/requests/{ticket.number}").content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page

    def test_share_and_update_with_several_files(self, world: World) -> None:
        ticket = file_ticket(world)
        response = client_for(world.alice).post(
            f"/requests/{ticket.number}", {"body": "Here are screenshots", "files": [png("a.png"), png("b.png")]}
        )
        assert response.status_code == 302
        comment = Comment.objects.get(ticket=ticket)
        assert sorted(a.original_name for a in comment.attachments.all()) == ["a.png", "b.png"]

    def test_too_many_files_saves_nothing(self, world: World, settings) -> None:
        settings.TICKETS_ATTACHMENT_MAX_FILES_PER_UPLOAD = 2
        ticket = file_ticket(world)
        response = client_for(world.alice).post(
            f"/requests/{ticket.number}", {"body": "three", "files": [png("a.png"), png("b.png"), png("c.png")]}
        )
        assert response.status_code == 400 and "Too many files" in response.content.decode()
        assert not Comment.objects.exists() and not Attachment.objects.exists()

    def test_reply_reopens_a_solved_request(self, world: World) -> None:
        ticket = file_ticket(world)
        client = client_for(world.alice)
        assert client.post(f"/requests/{ticket.number}/solve").status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        client.post(f"/requests/{ticket.number}", {"body": "Not fixed after all"})
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN

    def test_solving_twice_is_a_clear_409(self, world: World) -> None:
        ticket = file_ticket(world)
        client = client_for(world.alice)
        client.post(f"/requests/{ticket.number}/solve")
        response = client.post(f"/requests/{ticket.number}/solve")
        assert response.status_code == 409
        assert "already" in response.content.decode()

    def test_closed_request_follow_up_then_new_request_notice(self, world: World, settings) -> None:
        settings.TICKETS_FOLLOW_UP_DAYS = 5
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            ticket = file_ticket(world)
            services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
            services.ticket_transition(ticket=ticket, target=Status.CLOSED, actor_user=None)
        client = client_for(world.alice)
        with time_machine.travel(start + dt.timedelta(days=3), tick=False):
            assert "will open a follow-up" in client.get(f"/requests/{ticket.number}").content.decode()
            response = client.post(f"/requests/{ticket.number}", {"body": "It broke again"})
            follow_up = Ticket.objects.get(follow_up_of=ticket)
            assert response["Location"] == f"/requests/{follow_up.number}"
        with time_machine.travel(start + dt.timedelta(days=6), tick=False):
            page = client.get(f"/requests/{ticket.number}").content.decode()
            assert "please open a new request" in page and "Share and update" not in page
            response = client.post(f"/requests/{ticket.number}", {"body": "Hello?"})
            assert response.status_code == 400 and "open a new request" in response.content.decode()
        assert Ticket.objects.filter(follow_up_of=ticket).count() == 1


class TestSolveLink:
    def test_get_only_asks_post_solves(self, world: World) -> None:
        ticket = file_ticket(world)
        token = services.solve_link_token(ticket)
        client = Client()  # the link works without signing in
        assert client.get(f"/requests/solve/{token}").status_code == 200
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW  # a mail scanner opening the link changes nothing
        assert client.post(f"/requests/solve/{token}").status_code == 200
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED

    def test_forged_token_is_refused(self, world: World) -> None:
        ticket = file_ticket(world)
        response = Client().post(f"/requests/solve/{services.solve_link_token(ticket)}x")
        assert response.status_code == 400 and "not valid" in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW


class TestFiles:
    def test_images_inline_others_as_downloads_always_nosniff(self, world: World) -> None:
        ticket = file_ticket(world, files=[png("shot.png"), pdf("bill.pdf")])
        image, document = ticket.attachments.order_by("pk")
        client = client_for(world.alice)
        shown = client.get(f"/requests/{ticket.number}/files/{image.pk}")
        assert shown["Content-Type"] == "image/png" and shown["Content-Disposition"].startswith("inline")
        assert shown["X-Content-Type-Options"] == "nosniff"
        downloaded = client.get(f"/requests/{ticket.number}/files/{document.pk}")
        assert downloaded["Content-Type"] == "application/pdf"
        assert downloaded["Content-Disposition"] == 'attachment; filename="bill.pdf"'
        assert downloaded["X-Content-Type-Options"] == "nosniff"
        assert b"".join(downloaded.streaming_content).startswith(b"%PDF")
        forced = client.get(f"/requests/{ticket.number}/files/{image.pk}?download=1")
        assert forced["Content-Disposition"].startswith("attachment")

    def test_files_are_not_under_a_public_media_url(self, world: World) -> None:
        ticket = file_ticket(world, files=[png("shot.png")])
        attachment = ticket.attachments.get()
        assert attachment.original_name not in attachment.file.name  # random storage name
        page = client_for(world.alice).get(f"/requests/{ticket.number}").content.decode()
        assert "/media/" not in page and f"/requests/{ticket.number}/files/{attachment.pk}" in page


class TestList:
    def test_open_first_then_latest_and_filters(self, world: World) -> None:
        solved = file_ticket(world, subject="Old solved one")
        services.ticket_transition(ticket=solved, target=Status.SOLVED, actor_user=world.alice)
        first = file_ticket(world, subject="First open")
        second = file_ticket(world, subject="Second open")
        client = client_for(world.alice)
        page = client.get("/requests/").content.decode()
        positions = [page.index(f"#{t.number}<") for t in (second, first, solved)]
        assert positions == sorted(positions)
        searched = client.get("/requests/", {"q": "second"}).content.decode()
        assert f"#{second.number}<" in searched and f"#{first.number}<" not in searched
        by_number = client.get("/requests/", {"q": f"#{first.number}"}).content.decode()
        assert f"#{first.number}<" in by_number and f"#{second.number}<" not in by_number
        only_solved = client.get("/requests/", {"status": "solved"}).content.decode()
        assert f"#{solved.number}<" in only_solved and f"#{first.number}<" not in only_solved

    def test_shared_organization_tickets_and_only_mine(self, world: World) -> None:
        bobs = file_ticket(world, requester=world.bob, subject="Bob's")
        client = client_for(world.alice)
        assert f"#{bobs.number}<" in client.get("/requests/").content.decode()
        assert f"#{bobs.number}<" not in client.get("/requests/", {"mine": "on"}).content.decode()


def test_portal_pages_speak_french(world: World) -> None:
    client = client_for(world.alice)
    client.cookies["django_language"] = "fr"
    ticket = file_ticket(world)
    assert "Mes demandes" in client.get("/requests/").content.decode()
    page = client.get(f"/requests/{ticket.number}").content.decode()
    assert "Partager et mettre à jour" in page and "Marquer comme résolue" in page
    response = client.post(f"/requests/{ticket.number}", {"body": " "})
    assert "Le champ « Message » ne peut pas être vide." in response.content.decode()


def test_filing_is_rate_limited_per_user(world: World, settings) -> None:
    settings.TICKETS_CREATE_RATE = "2/h"
    client = client_for(world.alice)
    payload = {"route": "standard", "subject": "S", "description": "D", "product_area": "other"}
    assert [client.post("/requests/new/ticket", payload).status_code for _ in range(2)] == [302, 302]
    limited = client.post("/requests/new/ticket", payload)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "many requests in a short time" in limited.content.decode()
    assert Ticket.objects.count() == 2
    api = client_for(world.alice)
    assert api.post("/api/tickets/", payload, content_type="application/json").status_code == 429
    assert client_for(world.carol).post("/requests/new/ticket", payload).status_code == 302  # per user


class TestRatingFromThePortal:
    def test_the_requester_is_offered_a_rating_once_the_request_is_solved(self, world: World) -> None:
        from tickets.mail import csat

        ticket = services.ticket_create(requester=world.alice, subject="Sync stopped", description="Since Monday.")
        rate_url = f"/requests/{ticket.number}/rate"
        assert rate_url not in client_for(world.alice).get(f"/requests/{ticket.number}").content.decode()
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        page = client_for(world.alice).get(f"/requests/{ticket.number}").content.decode()
        assert "Rate this request" in page and rate_url in page
        # Bob sees the ticket (same organization) but the rating is the requester's.
        assert rate_url not in client_for(world.bob).get(f"/requests/{ticket.number}").content.decode()
        csat.rating_record(ticket=ticket, rating="good")
        french = client_for(world.alice)
        french.post("/i18n/setlang/", {"language": "fr", "next": "/"})
        page = french.get(f"/requests/{ticket.number}").content.decode()
        assert "Votre note : Bien, je suis satisfait" in page and rate_url in page
