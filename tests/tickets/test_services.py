"""Ticket services: creation, validation, numbering, comments, lifecycle, follow-ups, auto-close."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.tickets.conftest import World, png
from tickets import services
from tickets.attachments import AttachmentRejected
from tickets.lifecycle import TicketTransitionError
from tickets.models import Attachment, Comment, OutboxTask, Priority, Route, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def file_ticket(world: World, **overrides: object) -> Ticket:
    values = {"requester": world.alice, "subject": "Export fails", "description": "The CSV export stops at 50%."}
    values.update(overrides)
    return services.ticket_create(**values)


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Ticket.objects.count(),
        Comment.objects.count(),
        Attachment.objects.count(),
        TicketEvent.objects.count(),
        OutboxTask.objects.count(),
    )


class TestCreate:
    def test_creates_ticket_event_and_outbox_row_on_the_entitled_route(self, world: World) -> None:
        ticket = file_ticket(world)
        assert ticket.status == Status.NEW
        assert ticket.route == Route.STANDARD
        assert ticket.organization == world.acme
        assert ticket.number >= 1001
        assert ticket.events.filter(kind=TicketEvent.Kind.CREATED).count() == 1
        outbox = OutboxTask.objects.get(ticket=ticket)
        assert outbox.kind == "process_new_ticket" and outbox.done_at is None

    def test_numbers_are_sequential(self, world: World) -> None:
        numbers = [file_ticket(world, subject=f"Question {i}").number for i in range(3)]
        assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]

    def test_gov_members_file_on_the_gov_route(self, world: World) -> None:
        ticket = file_ticket(world, requester=world.gina, route="")
        assert ticket.route == Route.GOV and ticket.organization == world.agency

    def test_free_plan_members_are_refused_and_nothing_is_saved(self, world: World) -> None:
        before = _counts()
        with pytest.raises(services.NotEntitled) as refused:
            file_ticket(world, requester=world.dave)
        assert "community" in refused.value.message.lower()
        assert _counts() == before

    def test_a_route_outside_the_entitlement_is_refused(self, world: World) -> None:
        with pytest.raises(services.NotEntitled):
            file_ticket(world, route=Route.GOV)  # alice is not in a Gov organization
        with pytest.raises(services.NotEntitled):
            file_ticket(world, route=Route.BILLING)  # licensed members don't reach billing

    def test_owner_reaches_billing(self, world: World) -> None:
        assert file_ticket(world, requester=world.carol, route=Route.BILLING).route == Route.BILLING

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("subject", "   ", "Subject cannot be empty"),
            ("subject", "x" * 201, "Subject is too long"),
            ("description", "", "Description cannot be empty"),
            ("description", "y" * 20001, "Description is too long"),
            ("product_area", "kitchen", "product area"),
            ("priority", "asap", "priority"),
        ],
    )
    def test_bad_input_is_refused_with_a_precise_message_and_nothing_saved(
        self, world: World, field: str, value: str, message: str
    ) -> None:
        before = _counts()
        with pytest.raises(services.TicketInputError) as refused:
            file_ticket(world, **{field: value})
        assert message in refused.value.message
        assert _counts() == before

    def test_markup_is_kept_as_text(self, world: World) -> None:
        ticket = file_ticket(world, description="<script>alert(1)</script> <b>bold</b>")
        assert ticket.description == "<script>alert(1)</script> <b>bold</b>"

    def test_priority_is_kept_only_when_the_plan_allows_it(self, world: World) -> None:
        assert file_ticket(world, priority=Priority.URGENT).requested_priority == ""  # pro plan
        assert file_ticket(world, requester=world.carol, priority=Priority.URGENT).requested_priority == "urgent"

    def test_a_bad_file_in_the_batch_saves_nothing(self, world: World) -> None:
        before = _counts()
        bad = SimpleUploadedFile("run.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")
        with pytest.raises(AttachmentRejected, match="not an accepted file type"):
            file_ticket(world, files=[png(), bad])
        assert _counts() == before

    def test_files_are_stored_with_the_ticket(self, world: World) -> None:
        ticket = file_ticket(world, files=[png("shot.png")])
        attachment = ticket.attachments.get()
        assert attachment.comment is None and attachment.content_type == "image/png"
        assert attachment.original_name == "shot.png" and len(attachment.checksum) == 64
        assert attachment.file.storage.exists(attachment.file.name)


class TestTransitions:
    def test_customer_solves_and_event_is_recorded(self, world: World) -> None:
        ticket = file_ticket(world)
        solved = services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
        assert solved.status == Status.SOLVED and solved.solved_at is not None
        event = solved.events.get(kind=TicketEvent.Kind.STATUS)
        assert (event.actor, event.old_value, event.new_value) == (world.alice, "new", "solved")

    def test_customer_cannot_set_pending_and_nothing_changes(self, world: World) -> None:
        ticket = file_ticket(world)
        with pytest.raises(TicketTransitionError):
            services.ticket_transition(ticket=ticket, target=Status.PENDING, actor_user=world.alice)
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW
        assert not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()

    def test_agent_moves_through_the_table(self, world: World) -> None:
        ticket = file_ticket(world)
        for target in (Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED):
            ticket = services.ticket_transition(ticket=ticket, target=target, actor_user=world.agent)
        assert ticket.status == Status.CLOSED and ticket.closed_at is not None
        with pytest.raises(TicketTransitionError):
            services.ticket_transition(ticket=ticket, target=Status.OPEN, actor_user=world.agent)


class TestComments:
    def test_customer_reply_on_pending_or_solved_reopens(self, world: World) -> None:
        for status in (Status.PENDING, Status.SOLVED):
            ticket = file_ticket(world)
            if status == Status.SOLVED:
                services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
            else:
                services.ticket_transition(ticket=ticket, target=Status.PENDING, actor_user=world.agent)
            services.comment_add(ticket=ticket, author=world.alice, body="Still broken.")
            ticket.refresh_from_db()
            assert ticket.status == Status.OPEN
            assert ticket.solved_at is None

    def test_agent_first_public_reply_records_first_response_and_opens(self, world: World) -> None:
        ticket = file_ticket(world)
        services.comment_add(ticket=ticket, author=world.agent, body="Internal only", is_public=False)
        ticket.refresh_from_db()
        assert ticket.first_response_at is None and ticket.status == Status.NEW
        services.comment_add(ticket=ticket, author=world.agent, body="Hello, try this.")
        ticket.refresh_from_db()
        assert ticket.first_response_at is not None and ticket.status == Status.OPEN

    def test_customers_cannot_write_internal_notes(self, world: World) -> None:
        ticket = file_ticket(world)
        with pytest.raises(services.TicketInputError):
            services.comment_add(ticket=ticket, author=world.alice, body="secret", is_public=False)
        assert not Comment.objects.exists()

    def test_empty_comment_without_files_is_refused(self, world: World) -> None:
        ticket = file_ticket(world)
        with pytest.raises(services.TicketInputError, match="Message cannot be empty"):
            services.comment_add(ticket=ticket, author=world.alice, body="  ")
        comment = services.comment_add(ticket=ticket, author=world.alice, body="", files=[png()])
        assert comment.attachments.count() == 1

    def test_per_ticket_file_limit(self, world: World, settings) -> None:
        settings.TICKETS_ATTACHMENT_MAX_FILES_PER_TICKET = 2
        ticket = file_ticket(world, files=[png("a.png")])
        services.comment_add(ticket=ticket, author=world.alice, body="one more", files=[png("b.png")])
        before = _counts()
        with pytest.raises(AttachmentRejected, match="at most 2 attachments"):
            services.comment_add(ticket=ticket, author=world.alice, body="too many", files=[png("c.png")])
        assert _counts() == before


class TestFollowUpsAndAutoClose:
    def _closed_ticket(self, world: World) -> Ticket:
        ticket = file_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
        return services.ticket_transition(ticket=ticket, target=Status.CLOSED, actor_user=None)

    def test_reply_inside_the_window_creates_a_linked_follow_up(self, world: World) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            closed = self._closed_ticket(world)
        with time_machine.travel(start + dt.timedelta(days=19, hours=23), tick=False):
            comment, follow_up = services.customer_reply(ticket=closed, author=world.alice, body="It came back.")
        assert comment is None
        assert follow_up.follow_up_of == closed and follow_up.pk != closed.pk
        assert follow_up.description == "It came back." and follow_up.route == closed.route
        assert closed.events.filter(kind=TicketEvent.Kind.FOLLOW_UP, new_value=str(follow_up.number)).exists()

    def test_a_colleagues_follow_up_is_filed_in_their_name(self, world: World) -> None:
        closed = self._closed_ticket(world)
        _comment, follow_up = services.customer_reply(ticket=closed, author=world.bob, body="Same for me.")
        assert follow_up.requester == world.bob and follow_up.follow_up_of == closed
        assert follow_up.organization == closed.organization

    def test_reply_after_the_window_asks_for_a_new_request(self, world: World) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            closed = self._closed_ticket(world)
        before = _counts()
        with (
            time_machine.travel(start + dt.timedelta(days=20, minutes=1), tick=False),
            pytest.raises(services.FollowUpWindowClosed, match="open a new request"),
        ):
            services.customer_reply(ticket=closed, author=world.alice, body="Again?")
        assert _counts() == before

    def test_solved_tickets_close_after_four_days(self, world: World) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            ticket = file_ticket(world)
            services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
            still_open = file_ticket(world, subject="Other")
        with time_machine.travel(start + dt.timedelta(days=3, hours=23), tick=False):
            assert services.tickets_auto_close() == []
        with time_machine.travel(start + dt.timedelta(days=4, seconds=1), tick=False):
            assert services.tickets_auto_close() == [ticket.number]
            assert services.tickets_auto_close() == []  # a second run changes nothing
        ticket.refresh_from_db()
        still_open.refresh_from_db()
        assert ticket.status == Status.CLOSED and still_open.status == Status.NEW
        event = ticket.events.filter(kind=TicketEvent.Kind.STATUS).last()
        assert (event.actor, event.new_value) == (None, "closed")

    def test_auto_close_days_is_a_setting(self, world: World, settings) -> None:
        settings.TICKETS_AUTO_CLOSE_DAYS = 1
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            ticket = file_ticket(world)
            services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
        with time_machine.travel(start + dt.timedelta(days=1, seconds=1), tick=False):
            assert services.tickets_auto_close() == [ticket.number]


class TestSolveLink:
    def test_signed_link_solves_its_ticket_only(self, world: World) -> None:
        ticket = file_ticket(world)
        token = services.solve_link_token(ticket)
        assert services.ticket_solve_from_link(token=token).status == Status.SOLVED
        with pytest.raises(services.TicketInputError, match="not valid"):
            services.ticket_solve_from_link(token=token[:-2] + "xx")

    def test_expired_link_is_refused(self, world: World) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            ticket = file_ticket(world)
            token = services.solve_link_token(ticket)
        with (
            time_machine.travel(start + dt.timedelta(days=31), tick=False),
            pytest.raises(services.TicketInputError, match="expired"),
        ):
            services.ticket_solve_from_link(token=token)


class TestAcknowledgement:
    def test_plain_text_and_html_with_suggestions_and_a_working_solve_link(self, world: World) -> None:
        from django.core import mail

        from deflection.models import DeflectionSession

        session = DeflectionSession.objects.create(
            user=world.alice,
            language="en",
            subject="Export",
            description="Export fails",
            last_suggestions=[
                {"article_id": str(i), "rank": i, "title": f"Article {i}", "url": f"/help/a{i}/"} for i in range(1, 6)
            ],
        )
        ticket = file_ticket(world, deflection_session_id=session.pk)
        services.ticket_triage(ticket_id=ticket.pk)
        assert services.acknowledgement_send(ticket_id=ticket.pk) is True
        assert services.acknowledgement_send(ticket_id=ticket.pk) is False  # the unique key holds
        [message] = mail.outbox
        assert message.to == ["alice@acme.test"]
        assert f"[#{ticket.number}]" in message.subject
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        for body in (message.body, html):
            assert "Article 1" in body and "Article 3" in body and "Article 4" not in body  # at most 3
            assert "http://127.0.0.1:8000/help/a1/" in body
        token = message.body.split("/requests/solve/")[1].split()[0]
        assert services.ticket_solve_from_link(token=token).status == Status.SOLVED

    def test_sent_in_the_requesters_language_to_the_verified_contact_email(self, world: World) -> None:
        from django.core import mail

        from accounts.models import support_profile_for

        profile = support_profile_for(world.alice)
        profile.language, profile.contact_email, profile.contact_email_verified = "fr", "support@acme.test", True
        profile.save()
        ticket = file_ticket(world)
        services.acknowledgement_send(ticket_id=ticket.pk)
        [message] = mail.outbox
        assert message.to == ["support@acme.test"]
        assert f"n° {ticket.number}" in message.body and "Nous avons bien reçu votre demande" in message.body

    def test_subject_markup_is_escaped_in_html(self, world: World) -> None:
        from django.core import mail

        ticket = file_ticket(world, subject="<script>x</script>")
        services.acknowledgement_send(ticket_id=ticket.pk)
        html = mail.outbox[0].alternatives[0][0]
        assert "<script>x</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_and_gapless_under_concurrent_creation(world: World) -> None:
    import threading

    from django.db import connection

    numbers: list[int] = []
    errors: list[BaseException] = []

    def create(index: int) -> None:
        try:
            for round_ in range(3):
                numbers.append(file_ticket(world, subject=f"Concurrent {index}-{round_}").number)
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(numbers) == 18
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + 18))


class TestReplyAdd:
    """The one agent-or-customer decision the web view, the API and email ingest all use."""

    def test_an_agent_reply_is_a_comment_and_a_note_stays_internal(self, world: World) -> None:
        ticket = file_ticket(world)
        comment, landed = services.reply_add(ticket=ticket, author=world.agent, body="Checking.", is_public=False)
        assert landed == ticket and comment is not None and not comment.is_public
        comment, landed = services.reply_add(ticket=ticket, author=world.agent, body="Try this.")
        ticket.refresh_from_db()
        assert comment.is_public and ticket.status == Status.OPEN and ticket.first_response_at is not None

    def test_a_customer_may_not_write_notes_and_nothing_is_written(self, world: World) -> None:
        ticket = file_ticket(world)
        before = _counts()
        with pytest.raises(services.NotEntitled):
            services.reply_add(ticket=ticket, author=world.alice, body="Secret", is_public=False)
        assert _counts() == before

    def test_a_customer_reply_on_a_closed_ticket_becomes_a_follow_up(self, world: World) -> None:
        ticket = file_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.alice)
        services.tickets_auto_close(now=timezone.now() + dt.timedelta(days=30))
        ticket.refresh_from_db()
        comment, landed = services.reply_add(ticket=ticket, author=world.alice, body="It broke again.")
        assert comment is None and landed.follow_up_of == ticket

    def test_staff_on_their_own_request_speak_as_the_customer(self, world: World) -> None:
        ticket = file_ticket(world)
        world.alice.is_staff = True
        world.alice.save()
        with pytest.raises(services.NotEntitled):
            services.reply_add(ticket=ticket, author=world.alice, body="Note to self", is_public=False)
