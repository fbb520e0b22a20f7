"""Outgoing ticket email: promised on commit, sent once, threaded, signed, in the requester's language."""

from __future__ import annotations

import datetime as dt
import time
from email.utils import getaddresses

import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from tests.tickets.conftest import PDF, World, pdf
from tests.tickets.mail.conftest import file_ticket, processed_ticket, set_contact
from tickets import services
from tickets.agents.services import ticket_assign
from tickets.ingest.inbound import email_ingest
from tickets.mail import addresses, building, outbound
from tickets.mail.models import OutboundMessage
from tickets.mail.tasks import send_outbound, sweep_outbound
from tickets.models import Status
from tickets.tasks import process_new_ticket

pytestmark = pytest.mark.django_db


def assign(ticket: object, agent: object) -> object:
    return ticket_assign(ticket=ticket, assignee=agent, actor=agent)


def headers_of(message: mail.EmailMessage) -> dict[str, str]:
    return {key.lower(): value for key, value in message.message().items()}


class TestAcknowledgement:
    def test_goes_to_the_contact_email_in_the_requesters_language_with_a_signed_reply_to(self, world: World) -> None:
        set_contact(world.alice, "alice.support@acme.test", language="fr")
        ticket = file_ticket(world)
        process_new_ticket.apply(args=[ticket.pk]).get()
        ack = next(m for m in mail.outbox if m.to == ["alice.support@acme.test"])
        assert f"[#{ticket.number}]" in ack.subject and "Nous avons bien reçu" in ack.subject
        assert "alice@acme.test" not in ack.to  # never the sign-in email when a contact email is set
        row = OutboundMessage.objects.get(key=f"ack:{ticket.pk}")
        head = headers_of(ack)
        assert head["message-id"] == row.message_id and head["auto-submitted"] == "auto-generated"
        assert "in-reply-to" not in head  # first message of the thread
        [(_name, reply_to)] = getaddresses([head["reply-to"]])
        assert addresses.ticket_number_from(reply_to) == ticket.number
        html = ack.alternatives[0][0]
        assert "/requests/solve/" in html and ticket.subject in html
        assert row.status == OutboundMessage.Status.SENT and row.sent_at is not None

    def test_running_the_processing_twice_acknowledges_once(self, world: World) -> None:
        ticket = file_ticket(world)
        process_new_ticket.apply(args=[ticket.pk]).get()
        services.acknowledgement_send(ticket_id=ticket.pk)
        acks = [m for m in mail.outbox if m.to == ["alice@acme.test"]]
        assert len(acks) == 1
        assert OutboundMessage.objects.get(key=f"ack:{ticket.pk}").attempts == 1

    def test_a_follow_up_is_announced_as_such(self, world: World) -> None:
        original = processed_ticket(world)
        services.ticket_transition(ticket=original, target=Status.SOLVED, actor_user=world.agent)
        original = services.ticket_transition(ticket=original, target=Status.CLOSED, actor_user=world.agent)
        _comment, follow_up = services.customer_reply(ticket=original, author=world.alice, body="It broke again.")
        mail.outbox.clear()
        process_new_ticket.apply(args=[follow_up.pk]).get()
        notice = next(m for m in mail.outbox if m.to == ["alice@acme.test"])
        assert f"#{original.number}" in notice.subject and f"[#{follow_up.number}]" in notice.subject
        assert OutboundMessage.objects.get(key=f"ack:{follow_up.pk}").kind == "follow_up"
        # Threaded under the original conversation.
        original_ack = OutboundMessage.objects.get(key=f"ack:{original.pk}")
        assert original_ack.message_id in headers_of(notice)["references"]


class TestAgentReply:
    def test_is_promised_in_the_transaction_and_sent_on_commit_threaded(
        self, world: World, eager: None, django_capture_on_commit_callbacks
    ) -> None:
        ticket = processed_ticket(world)
        ack = OutboundMessage.objects.get(key=f"ack:{ticket.pk}")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            comment = services.comment_add(ticket=ticket, author=world.agent, body="Please restart the sync agent.")
        row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
        assert row.status == "pending" and mail.outbox == []  # nothing left before the commit
        for callback in callbacks:
            callback()
        [reply] = mail.outbox
        head = headers_of(reply)
        assert reply.subject == f"Re: [#{ticket.number}] Sync stopped"
        assert "Please restart the sync agent." in reply.body
        assert head["in-reply-to"] == ack.message_id and head["references"] == ack.message_id
        assert "auto-submitted" not in head  # a person wrote it
        row.refresh_from_db()
        assert row.status == "sent" and row.in_reply_to == ack.message_id and row.sent_at is not None

    def test_internal_notes_and_customer_replies_send_nothing(
        self, world: World, eager: None, django_capture_on_commit_callbacks
    ) -> None:
        ticket = processed_ticket(world)
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_add(ticket=ticket, author=world.agent, body="Internal only", is_public=False)
            services.comment_add(ticket=ticket, author=world.alice, body="Any news?")
        assert mail.outbox == []
        assert not OutboundMessage.objects.filter(kind="agent_reply").exists()

    def test_carries_the_replys_files_when_they_fit_in_an_email(self, world: World, settings) -> None:
        ticket = processed_ticket(world)
        comment = services.comment_add(ticket=ticket, author=world.agent, body="See it.", files=[pdf("guide.pdf")])
        assert outbound.outbound_send(outbound_id=OutboundMessage.objects.get(key=f"reply:{comment.pk}").pk)
        [reply] = mail.outbox
        assert reply.attachments == [("guide.pdf", PDF, "application/pdf")]
        assert "The files of this reply are attached to this email." in reply.body

        settings.TICKETS_MAIL_ATTACHMENTS_MAX_BYTES = len(PDF) - 1
        comment = services.comment_add(ticket=ticket, author=world.agent, body="Again.", files=[pdf("big.pdf")])
        assert outbound.outbound_send(outbound_id=OutboundMessage.objects.get(key=f"reply:{comment.pk}").pk)
        too_big = mail.outbox[-1]
        assert too_big.attachments == []
        assert "Files attached to this reply are on the request page." in too_big.body

    def test_sending_twice_sends_once(self, world: World) -> None:
        ticket = processed_ticket(world)
        comment = services.comment_add(ticket=ticket, author=world.agent, body="Done on our side.")
        row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
        assert send_outbound.apply(args=[row.pk]).get() is True
        assert send_outbound.apply(args=[row.pk]).get() is False
        assert len(mail.outbox) == 1

    def test_a_failed_send_releases_the_claim_for_the_retry(self, world: World, settings) -> None:
        ticket = processed_ticket(world)
        comment = services.comment_add(ticket=ticket, author=world.agent, body="Try this.")
        row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
        with pytest.raises(OSError):
            outbound.outbound_send(outbound_id=row.pk)
        row.refresh_from_db()
        assert row.status == "pending" and row.claimed_at is None and row.attempts == 1 and row.last_error
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert outbound.outbound_send(outbound_id=row.pk) is True
        assert len(mail.outbox) == 1

    def test_opted_out_requesters_get_no_update_mail(self, world: World) -> None:
        from accounts.models import support_profile_for

        profile = support_profile_for(world.alice)
        profile.email_notifications = False
        profile.save()
        ticket = processed_ticket(world)
        comment = services.comment_add(ticket=ticket, author=world.agent, body="Hello")
        row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
        assert outbound.outbound_send(outbound_id=row.pk) is False
        row.refresh_from_db()
        assert row.status == "skipped" and mail.outbox == []


class TestRequesterReply:
    """The assigned agent hears of the requester's replies by email, and can answer from the mailbox."""

    def test_goes_to_the_assignee_in_their_language_with_the_workspace_link(self, world: World) -> None:
        set_contact(world.agent, "agent.private@support.test", language="fr")
        ticket = assign(processed_ticket(world), world.agent)
        comment, _landed = services.customer_reply(ticket=ticket, author=world.alice, body="Still broken on Safari.")
        row = OutboundMessage.objects.get(key=f"requester-reply:{comment.pk}")
        assert row.recipient == "agent@support.test"  # the agent's own address, not their contact email
        assert outbound.outbound_send(outbound_id=row.pk) is True
        [notice] = mail.outbox
        assert notice.to == ["agent@support.test"]
        assert notice.subject == f"[#{ticket.number}] alice@acme.test a répondu : Sync stopped"  # no name on file
        assert "Still broken on Safari." in notice.body
        assert f"/agent/tickets/{ticket.number}" in notice.body and "/requests/" not in notice.body
        assert notice.body.startswith("Répondez au-dessus de cette ligne pour répondre au client")
        [(_name, reply_to)] = getaddresses([headers_of(notice)["reply-to"]])
        assert addresses.ticket_number_from(reply_to) == ticket.number

    def test_nobody_is_mailed_for_an_unassigned_ticket_nor_for_the_agents_own_words(self, world: World) -> None:
        ticket = processed_ticket(world)
        services.customer_reply(ticket=ticket, author=world.alice, body="Any news?")
        assert not OutboundMessage.objects.filter(kind="requester_reply").exists()
        ticket = assign(ticket, world.agent)
        services.comment_add(ticket=ticket, author=world.agent, body="Looking now.")
        services.comment_add(ticket=ticket, author=world.agent, body="Note to self", is_public=False)
        assert not OutboundMessage.objects.filter(kind="requester_reply").exists()

    def test_the_agent_answers_from_the_mailbox_and_the_requester_gets_the_answer(self, world: World) -> None:
        ticket = assign(processed_ticket(world), world.agent)
        comment, _landed = services.customer_reply(ticket=ticket, author=world.alice, body="Still broken on Safari.")
        row = OutboundMessage.objects.get(key=f"requester-reply:{comment.pk}")
        outbound.outbound_send(outbound_id=row.pk)
        [notice] = mail.outbox
        quoted = "\n".join(f"> {line}" for line in notice.body.splitlines())
        raw = (
            f"From: Agent <agent@support.test>\r\nTo: {notice.reply_to[0]}\r\n"
            f"Subject: Re: {notice.subject}\r\nMessage-ID: <answer-1@support.test>\r\n"
            f"In-Reply-To: {headers_of(notice)['message-id']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Clear Safari's cache, then sign in again.\r\n\r\nOn Monday, Answerfirst wrote:\r\n{quoted}\r\n"
        ).encode()
        message = email_ingest(raw=raw).message
        assert message.status == "processed"
        answer = message.comment
        assert (answer.author, answer.is_public, answer.body) == (
            world.agent,
            True,
            "Clear Safari's cache, then sign in again.",
        )
        assert OutboundMessage.objects.filter(key=f"reply:{answer.pk}", kind="agent_reply").exists()


class TestStatusMails:
    def test_solving_sends_the_solved_notice_and_the_satisfaction_request(self, world: World) -> None:
        set_contact(world.alice, "alice.support@acme.test", language="fr")
        ticket = processed_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        rows = {row.kind: row for row in OutboundMessage.objects.filter(ticket=ticket, status="pending")}
        assert set(rows) == {"solved", "satisfaction"}
        for row in rows.values():
            assert outbound.outbound_send(outbound_id=row.pk)
        by_start = {m.subject.split()[1]: m for m in mail.outbox}
        solved, survey = by_start["Votre"], by_start["Qu’avez-vous"]
        assert solved.to == ["alice.support@acme.test"]
        token = survey.body.split("/requests/rate/")[1].split()[0]
        assert signing.loads(token, salt=building.CSAT_SALT) == {"t": ticket.pk, "r": "good"}

    def test_solving_again_after_a_reopen_asks_again_but_a_rerun_does_not(self, world: World) -> None:
        ticket = processed_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        services.comment_add(ticket=ticket, author=world.alice, body="Still broken")  # reopens
        with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
            services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        assert OutboundMessage.objects.filter(ticket=ticket, kind="satisfaction").count() == 2

    def test_auto_close_mails_the_closed_notice(self, world: World) -> None:
        ticket = processed_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        services.tickets_auto_close(now=timezone.now() + dt.timedelta(days=5))
        row = OutboundMessage.objects.get(key=f"closed:{ticket.pk}")
        assert outbound.outbound_send(outbound_id=row.pk)
        assert "is closed" in mail.outbox[-1].subject


class TestSweeper:
    def test_requeues_a_promise_whose_task_never_ran(self, world: World, eager: None) -> None:
        ticket = processed_ticket(world)
        comment = services.comment_add(ticket=ticket, author=world.agent, body="Lost task")  # no commit hook ran
        assert mail.outbox == []
        assert sweep_outbound.apply().get() == 0  # too early
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
            assert sweep_outbound.apply().get() == 1
        assert OutboundMessage.objects.get(key=f"reply:{comment.pk}").status == "sent"
        assert len(mail.outbox) == 1


class TestReplyAddress:
    def test_round_trip_and_forgery(self, world: World) -> None:
        address = addresses.reply_address(1042)
        assert address.startswith("support+1042-") and address.endswith("@answerfirst.localhost")
        assert addresses.ticket_number_from(address) == 1042
        assert addresses.ticket_number_from(address.upper()) == 1042  # some MTAs change the case
        signature = addresses.signature_for(1042)
        with pytest.raises(addresses.BadReplyAddress):
            addresses.ticket_number_from(f"support+1043-{signature}@answerfirst.localhost")  # another ticket's
        with pytest.raises(addresses.BadReplyAddress):
            addresses.ticket_number_from("support+1042-deadbeef@answerfirst.localhost")
        assert addresses.ticket_number_from("someone@answerfirst.localhost") is None
        assert addresses.ticket_number_from(f"support+1042-{signature}@elsewhere.test") is None


@pytest.mark.django_db(transaction=True)  # the worker reads committed rows; migrated data is restored after
def test_a_real_worker_sends_the_reply_queued_on_commit(celery_worker: object, world: World) -> None:
    ticket = processed_ticket(world)
    # Processing also queued the agents' new-ticket notices, which this worker sends too: let them
    # go first so the outbox below holds the reply alone.
    deadline = time.monotonic() + 30
    while OutboundMessage.objects.filter(ticket=ticket).exclude(status="sent").exists():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not send the new-ticket notices within 30 s")
        time.sleep(0.2)
    mail.outbox.clear()
    comment = services.comment_add(ticket=ticket, author=world.agent, body="Sent by the worker.")  # autocommit
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
        if row.status == "sent":
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not send the reply within 30 s")
    assert [m.subject for m in mail.outbox] == [f"Re: [#{ticket.number}] Sync stopped"]
