"""Fixtures for ticket email: eager Celery, requesters with contact emails, EML loading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import support_profile_for
from portal.celery import app
from tests.tickets.conftest import World
from tickets import services
from tickets.ingest.inbound import email_ingest
from tickets.mail.addresses import reply_address
from tickets.mail.models import InboundMessage, OutboundMessage
from tickets.models import Ticket
from tickets.tasks import process_new_ticket

EML_DIR = Path(__file__).resolve().parents[2] / "data" / "eml"


def eml(name: str) -> bytes:
    return (EML_DIR / name).read_bytes()


@pytest.fixture
def eager() -> Iterator[None]:
    """Run tasks in-process, as a worker would, so a test can watch their effects."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def set_contact(user: object, email: str, *, language: str = "") -> None:
    profile = support_profile_for(user)
    profile.contact_email, profile.contact_email_verified = email, True
    if language:
        profile.language = language
    profile.save()


def file_ticket(world: World, **overrides: object) -> Ticket:
    values = {"requester": world.alice, "subject": "Sync stopped", "description": "Nothing syncs since Monday."}
    values.update(overrides)
    return services.ticket_create(**values)


def processed_ticket(world: World, **overrides: object) -> Ticket:
    """A filed ticket whose acknowledgement went out (so the thread has a first Message-ID)."""
    ticket = file_ticket(world, **overrides)
    process_new_ticket.apply(args=[ticket.pk]).get()
    mail.outbox.clear()
    return ticket


def fill(raw: bytes, ticket: Ticket | None) -> bytes:
    """Put the ticket's reply address, number and acknowledgement Message-ID into a fixture."""
    if ticket is None:
        return raw
    ack = OutboundMessage.objects.filter(ticket=ticket, kind__in=["acknowledgement", "follow_up"]).first()
    return (
        raw.replace(b"@@REPLY_TO@@", reply_address(ticket.number).encode())
        .replace(b"@@NUMBER@@", str(ticket.number).encode())
        .replace(b"@@ACK_ID@@", (ack.message_id if ack else "<none@none>").encode())
    )


def ingest(name: str, ticket: Ticket | None = None, **replacements: str) -> InboundMessage:
    raw = fill(eml(name), ticket)
    for old, new in replacements.items():
        raw = raw.replace(old.encode(), new.encode())
    return email_ingest(raw=raw).message
