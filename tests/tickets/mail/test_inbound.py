"""Incoming email: every fixture in tests/data/eml, matching order, loops, quarantine, lifecycle."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership
from tests.tickets.conftest import World, make_user
from tests.tickets.mail.conftest import eml, fill, ingest, processed_ticket, set_contact
from tickets import services
from tickets.ingest.inbound import email_ingest
from tickets.mail import addresses, outbound
from tickets.mail.models import InboundMessage, OutboundMessage
from tickets.models import Channel, Comment, Status, Ticket

pytestmark = pytest.mark.django_db


def comments_by_email(ticket: Ticket) -> list[Comment]:
    return list(ticket.comments.filter(channel=Channel.EMAIL))


class TestRepliesFromMailClients:
    def test_gmail_reply_in_english_threads_by_the_signed_address_without_the_quote(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("gmail_reply_en.eml", ticket)
        assert (message.status, message.reason, message.matched_by) == ("processed", "comment", "address")
        [comment] = comments_by_email(ticket)
        assert comment.author == world.alice and comment.is_public
        assert comment.body == "Hi,\n\nI restarted the sync agent as you suggested and it works again. Thanks!\n\nAlice"
        assert message.comment == comment and message.sender_user == world.alice

    def test_outlook_reply_in_french_windows_1252_threads_by_the_subject_token(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("outlook_reply_fr.eml", ticket)
        assert (message.status, message.matched_by) == ("processed", "subject")
        [comment] = comments_by_email(ticket)
        assert "La facture de 49 € est toujours affichée comme impayée après le virement d’hier." in comment.body
        assert "Envoyé" not in comment.body and "Répondez au-dessus" not in comment.body
        assert "Cordialement" not in comment.body  # the signature goes with the history

    def test_apple_mail_reply_in_french_threads_by_in_reply_to_and_keeps_the_inline_image(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("apple_mail_reply_fr.eml", ticket)
        assert (message.status, message.matched_by) == ("processed", "thread")
        [comment] = comments_by_email(ticket)
        assert comment.body == "Bonjour,\n\nVoici une capture d’écran de l’erreur.\n\nAlice"
        [image] = comment.attachments.all()
        assert (image.original_name, image.content_type) == ("capture.png", "image/png")

    def test_thunderbird_reply_iso_8859_1_from_an_organization_member_threads_by_references(self, world: World) -> None:
        rene = make_user("rene@acme.test")
        Membership.objects.create(user=rene, organization=world.acme, role="licensed")
        ticket = processed_ticket(world)
        message = ingest("thunderbird_reply_en.eml", ticket)
        assert (message.status, message.matched_by) == ("processed", "thread")
        [comment] = comments_by_email(ticket)
        assert comment.author == rene
        assert 'log says "délai dépassé" (timeout).' in comment.body
        assert "Acme IT" not in comment.body and "wrote:" not in comment.body

    def test_an_agent_replying_by_email_answers_the_requester(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("gmail_reply_en.eml", ticket, **{"Alice Martin <alice@acme.test>": "<agent@support.test>"})
        assert message.status == "processed"
        [comment] = comments_by_email(ticket)
        assert comment.author == world.agent
        row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
        assert outbound.outbound_send(outbound_id=row.pk)
        assert mail.outbox[-1].to == ["alice@acme.test"]


class TestNewRequests:
    def test_html_only_message_from_a_verified_contact_email_opens_a_french_ticket(
        self, world: World, eager: None, django_capture_on_commit_callbacks
    ) -> None:
        set_contact(world.alice, "alice.martin@perso.example")
        with django_capture_on_commit_callbacks(execute=True):
            message = ingest("html_only_fr.eml")
        assert (message.status, message.reason, message.created_ticket) == ("processed", "new_ticket", True)
        ticket = message.ticket
        assert ticket.requester == world.alice and ticket.channel == "email" and ticket.language == "fr"
        assert ticket.subject == "Impossible d’exporter le rapport mensuel"
        assert "l’export du rapport mensuel échoue" in ticket.description and "Firefox 133" in ticket.description
        assert "alert(" not in ticket.description and "<b>" not in ticket.description
        # The acknowledgement answers the customer's message, in French, at the contact address.
        ack = OutboundMessage.objects.get(key=f"ack:{ticket.pk}")
        assert ack.status == "sent" and ack.in_reply_to == message.message_id
        assert ack.recipient == "alice.martin@perso.example" and ack.language == "fr"

    def test_forwarded_message_keeps_the_forwarded_text(self, world: World) -> None:
        message = ingest("forwarded_en.eml")
        assert message.reason == "new_ticket" and message.ticket.requester == world.carol
        assert message.ticket.subject == "Fwd: Export job failed overnight"
        assert 'Job "nightly-export" failed after 3 retries' in message.ticket.description

    def test_a_reply_prefix_is_dropped_from_the_subject_of_a_new_request(self, world: World) -> None:
        subject = {"Subject: Fwd: Export job failed overnight": "Subject: RE: Re: Export job failed overnight"}
        message = ingest("forwarded_en.eml", **subject)
        assert message.ticket.subject == "Export job failed overnight"

    def test_a_sender_not_entitled_gets_one_answer_with_the_community_link(self, world: World, settings) -> None:
        message = ingest("free_plan_request_en.eml")
        assert (message.status, message.reason, message.ticket) == ("ignored", "not_entitled", None)
        assert not Ticket.objects.exists()
        answer = OutboundMessage.objects.get(in_reply_to_inbound=message)
        assert answer.kind == "not_entitled" and answer.recipient == "dave@free.test"
        assert outbound.outbound_send(outbound_id=answer.pk)
        sent = mail.outbox[-1]
        assert settings.COMMUNITY_URL in sent.body and sent.to == ["dave@free.test"]
        head = {key.lower(): value for key, value in sent.message().items()}
        assert head["auto-submitted"] == "auto-replied" and head["in-reply-to"] == message.message_id
        assert "reply-to" not in head

    def test_automatic_answers_are_capped_per_sender_per_day(self, world: World) -> None:
        for index in range(5):
            ingest("free_plan_request_en.eml", **{"free-plan-0001": f"free-plan-{index}"})
        assert OutboundMessage.objects.filter(recipient="dave@free.test").count() == 3

    def test_an_unknown_sender_without_ticket_is_answered_not_filed(self, world: World) -> None:
        message = ingest("free_plan_request_en.eml", **{"dave@free.test": "someone@nowhere.test"})
        assert (message.status, message.reason) == ("ignored", "unknown_sender")
        assert OutboundMessage.objects.filter(recipient="someone@nowhere.test", kind="not_entitled").count() == 1


class TestAttachments:
    def test_accepted_files_are_kept_and_refused_ones_named_in_the_thread(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("multipart_attachments_en.eml", ticket)
        assert message.status == "processed" and "setup.exe" in message.detail
        [comment] = comments_by_email(ticket)
        names = sorted(attachment.original_name for attachment in comment.attachments.all())
        assert names == ["invoice-2026-11.pdf", "screenshot.png"]
        assert comment.body.startswith("Here are the screenshot, the invoice and the installer you asked about.")
        assert "setup.exe" in comment.body  # agents see what was not kept


class TestLoopsAndDuplicates:
    def test_an_out_of_office_reply_adds_nothing_and_answers_nothing(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("auto_reply_fr.eml", ticket)
        assert (message.status, message.reason) == ("ignored", "auto_submitted")
        assert ticket.comments.count() == 0
        assert not OutboundMessage.objects.filter(in_reply_to_inbound=message).exists()

    def test_a_bounce_marks_our_message_bounced_and_adds_nothing(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("bounce.eml", ticket)
        assert (message.status, message.reason) == ("ignored", "bounce")
        assert OutboundMessage.objects.get(key=f"ack:{ticket.pk}").status == "bounced"
        assert ticket.comments.count() == 0 and OutboundMessage.objects.exclude(kind="agent_new_ticket").count() == 1

    def test_a_duplicate_message_id_is_ignored(self, world: World) -> None:
        ticket = processed_ticket(world)
        raw = fill(eml("gmail_reply_en.eml"), ticket)
        first = email_ingest(raw=raw)
        second = email_ingest(raw=raw)
        assert not first.duplicate and second.duplicate and second.message.pk == first.message.pk
        assert ticket.comments.count() == 1 and InboundMessage.objects.count() == 1

    def test_a_message_without_message_id_is_deduplicated_by_its_bytes(self, world: World) -> None:
        raw = eml("forwarded_en.eml").replace(b"Message-ID: <CAJx9fwd-forwarded-en-0042@mail.gmail.com>\n", b"")
        first = email_ingest(raw=raw)
        assert first.message.message_id.endswith("@no-message-id.invalid>")
        assert email_ingest(raw=raw).duplicate and Ticket.objects.count() == 1


class TestQuarantine:
    def test_a_stranger_on_a_ticket_is_quarantined_for_review(self, world: World) -> None:
        ticket = processed_ticket(world)
        message = ingest("stranger_reply_en.eml", ticket)
        assert (message.status, message.reason, message.ticket) == ("quarantined", "unknown_sender", ticket)
        assert ticket.comments.count() == 0
        assert not OutboundMessage.objects.filter(in_reply_to_inbound=message).exists()

    def test_a_forged_reply_address_is_quarantined(self, world: World) -> None:
        ticket = processed_ticket(world)
        other = addresses.signature_for(ticket.number + 1)
        raw = (
            eml("stranger_reply_en.eml")
            .replace(b"@@REPLY_TO@@", f"support+{ticket.number}-{other}@answerfirst.localhost".encode())
            .replace(b"[#@@NUMBER@@] ", b"")
            .replace(b"In-Reply-To: @@ACK_ID@@\n", b"")
        )
        message = email_ingest(raw=raw).message
        assert (message.status, message.reason, message.ticket) == ("quarantined", "forged_address", None)
        assert Ticket.objects.count() == 1 and ticket.comments.count() == 0

    def test_a_message_failing_dmarc_is_quarantined_not_threaded(self, world: World) -> None:
        ticket = processed_ticket(world)
        raw = b"Authentication-Results: mx.answerfirst.localhost; dmarc=fail (p=none) header.from=acme.test\n"
        message = email_ingest(raw=raw + fill(eml("gmail_reply_en.eml"), ticket)).message
        assert (message.status, message.reason) == ("quarantined", "dmarc_fail")
        assert ticket.comments.count() == 0

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("malformed_headers.eml", "missing_sender"),
            ("broken_mime.eml", "malformed_mime"),
            ("unknown_charset.eml", "unknown_charset"),
        ],
    )
    def test_unreadable_messages_are_kept_in_quarantine_with_the_reason(
        self, world: World, name: str, reason: str
    ) -> None:
        message = ingest(name)
        assert (message.status, message.reason) == ("quarantined", reason)
        assert bytes(message.raw) == eml(name) and message.size == len(eml(name))
        assert not Ticket.objects.exists() and not OutboundMessage.objects.exists()

    def test_an_oversized_message_is_quarantined_whole(self, world: World, settings) -> None:
        settings.TICKETS_MAIL_MAX_BYTES = 4096
        message = ingest("oversized.eml")
        assert (message.status, message.reason) == ("quarantined", "too_large")
        assert bytes(message.raw) == eml("oversized.eml")
        assert not Ticket.objects.exists()

    def test_garbage_bytes_never_crash(self, world: World) -> None:
        raw = b"\x00\xff\xfe garbage \r\n\r\n\x80\x81"
        message = email_ingest(raw=raw).message
        assert message.status == "quarantined" and bytes(message.raw) == raw


class TestLifecycleByEmail:
    def test_a_reply_to_a_solved_ticket_reopens_it(self, world: World) -> None:
        ticket = processed_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        ingest("gmail_reply_en.eml", ticket)
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN and ticket.solved_at is None

    def test_a_reply_to_a_closed_ticket_inside_the_window_opens_a_linked_follow_up(
        self, world: World, eager: None, django_capture_on_commit_callbacks
    ) -> None:
        ticket = processed_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        services.ticket_transition(ticket=ticket, target=Status.CLOSED, actor_user=world.agent)
        with (
            time_machine.travel(timezone.now() + dt.timedelta(days=19)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = ingest("gmail_reply_en.eml", ticket)
        assert (message.status, message.reason, message.created_ticket) == ("processed", "follow_up", True)
        follow_up = message.ticket
        assert follow_up.follow_up_of == ticket and follow_up.channel == "email"
        assert "I restarted the sync agent" in follow_up.description
        notice = OutboundMessage.objects.get(key=f"ack:{follow_up.pk}")
        assert notice.kind == "follow_up" and notice.in_reply_to == message.message_id

    def test_after_the_window_the_customer_is_told_to_open_a_new_request(self, world: World) -> None:
        ticket = processed_ticket(world)
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
        services.ticket_transition(ticket=ticket, target=Status.CLOSED, actor_user=world.agent)
        with time_machine.travel(timezone.now() + dt.timedelta(days=21)):
            message = ingest("gmail_reply_en.eml", ticket)
        assert (message.status, message.reason) == ("processed", "window_closed")
        assert Ticket.objects.count() == 1 and ticket.comments.count() == 0
        answer = OutboundMessage.objects.get(in_reply_to_inbound=message)
        assert answer.kind == "new_request_needed"
        assert outbound.outbound_send(outbound_id=answer.pk)
        assert "/requests/new" in mail.outbox[-1].body and f"#{ticket.number}" in mail.outbox[-1].subject


class TestCommand:
    def test_ingest_email_reads_one_message_from_stdin(self, world: World, monkeypatch) -> None:
        ticket = processed_ticket(world)
        raw = fill(eml("gmail_reply_en.eml"), ticket)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        out = io.StringIO()
        call_command("ingest_email", stdout=out)
        assert out.getvalue().startswith("processed comment <CAF3kLq1x9Yp0=gmail-reply-en-0001@mail.gmail.com>")
        assert f"ticket=#{ticket.number}" in out.getvalue()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        out = io.StringIO()
        call_command("ingest_email", stdout=out)
        assert out.getvalue().startswith("duplicate")
        assert ticket.comments.count() == 1
