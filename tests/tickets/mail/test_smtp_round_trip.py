"""A real SMTP round trip: our task sends through Django's SMTP backend to an aiosmtpd server.

The server runs on 127.0.0.1 on a free port for the length of the test; what it receives is
parsed and checked like a mail client would (threading headers, signed Reply-To, both parts),
then answered, and the answer is ingested back into the same ticket.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, make_msgid

import pytest
from aiosmtpd.controller import Controller

from tests.tickets.conftest import World
from tests.tickets.mail.conftest import processed_ticket
from tickets import services
from tickets.ingest.inbound import email_ingest
from tickets.mail import addresses
from tickets.mail.models import OutboundMessage
from tickets.mail.tasks import send_outbound

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_an_agent_reply_crosses_real_smtp_threaded_and_signed_and_its_answer_comes_back(
    world: World, smtp_server: Inbox
) -> None:
    ticket = processed_ticket(world)  # the acknowledgement goes through the same SMTP server
    [ack_raw] = [raw for _from, rcpt, raw in smtp_server.received if rcpt == ["alice@acme.test"]]
    ack = parse(ack_raw)
    smtp_server.received.clear()  # keep the agents' new-ticket notice out of the count
    assert ack["Message-ID"].strip() == OutboundMessage.objects.get(key=f"ack:{ticket.pk}").message_id

    comment = services.comment_add(ticket=ticket, author=world.agent, body="Please restart the sync agent.")
    row = OutboundMessage.objects.get(key=f"reply:{comment.pk}")
    assert send_outbound.apply(args=[row.pk]).get() is True
    assert send_outbound.apply(args=[row.pk]).get() is False  # the rerun sends nothing
    assert len(smtp_server.received) == 1

    _sender, recipients, raw = smtp_server.received[0]
    reply = parse(raw)
    assert recipients == ["alice@acme.test"]
    assert reply["Message-ID"].strip() == row.message_id  # a long header may be folded: compare the ids
    assert reply["In-Reply-To"].strip() == ack["Message-ID"].strip()
    assert reply["References"].split() == [ack["Message-ID"].strip()]
    assert reply["Subject"] == f"Re: [#{ticket.number}] Sync stopped"
    [(_name, reply_to)] = getaddresses([str(reply["Reply-To"])])
    assert addresses.ticket_number_from(reply_to) == ticket.number
    assert reply.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in reply.iter_parts()}
    assert "Please restart the sync agent." in parts["text/plain"]
    assert "Please restart the sync agent." in parts["text/html"]

    # The customer answers the way a mail client does: to Reply-To, threaded under our message.
    answer = EmailMessage()
    answer["From"] = "Alice Martin <alice@acme.test>"
    answer["To"] = str(reply["Reply-To"])
    answer["Subject"] = f"Re: {reply['Subject']}"
    answer["Message-ID"] = make_msgid(domain="acme.test")
    answer["In-Reply-To"] = reply["Message-ID"]
    answer["References"] = f"{reply['References']} {reply['Message-ID']}"
    quoted = "\n".join(f"> {line}" for line in parts["text/plain"].splitlines())
    answer.set_content(f"Done, it syncs again.\n\nOn Tue, Nov 24, 2026 at 10:15 AM Support wrote:\n{quoted}\n")
    message = email_ingest(raw=answer.as_bytes()).message
    assert (message.status, message.matched_by, message.ticket) == ("processed", "address", ticket)
    assert ticket.comments.filter(author=world.alice).get().body == "Done, it syncs again."
