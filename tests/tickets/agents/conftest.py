"""Fixtures for the agent workspace: tickets made the way the core makes them, and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.tickets.conftest import World
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def make_ticket(world: World) -> Callable[..., Ticket]:
    """File and triage a ticket through the core services (queue, priority and SLA due times set)."""

    def make(
        requester: object | None = None, subject: str = "Cannot sign in", description: str = "Details.", **kw: object
    ) -> Ticket:
        ticket = services.ticket_create(
            requester=requester or world.alice, subject=subject, description=description, **kw
        )
        services.ticket_triage(ticket_id=ticket.pk)
        ticket.refresh_from_db()
        return ticket

    return make


@pytest.fixture
def client_for() -> Callable[[object | None], Client]:
    def make(user: object | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
