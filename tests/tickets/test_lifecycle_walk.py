"""Every (status, event) pair through the services: allowed → the new status and one audit row;
refused → the domain error and nothing written (no comment, no audit row, no email)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from tests.tickets.conftest import World
from tickets import services
from tickets.lifecycle import EVENT_TRANSITIONS, TRANSITIONS, Actor, Event, TicketTransitionError, allowed_targets
from tickets.mail.models import OutboundMessage
from tickets.models import Comment, Status, Ticket, TicketEvent

REFUSED = "refused"

# The rules the issue names, written out: the table must say exactly this.
EXPECTED_EVENTS = {
    Event.CUSTOMER_REPLY: {"new": None, "open": None, "pending": "open", "solved": "open"},
    Event.AGENT_PUBLIC_REPLY: {"new": "open", "open": None, "pending": None, "solved": None},
    Event.AUTO_CLOSE: {"solved": "closed"},
}


def test_the_event_table_states_the_reply_and_auto_close_rules() -> None:
    assert EVENT_TRANSITIONS == EXPECTED_EVENTS
    for event, row in EVENT_TRANSITIONS.items():
        for current, target in row.items():
            assert target is None or target in TRANSITIONS[current], (event, current)


def _ticket_in(world: World, status: str) -> Ticket:
    ticket = services.ticket_create(requester=world.alice, subject="Sync stopped", description="Nothing syncs.")
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        solved_at=now if status in (Status.SOLVED, Status.CLOSED) else None,
        closed_at=now if status == Status.CLOSED else None,
    )
    return Ticket.objects.get(pk=ticket.pk)


def _written(ticket: Ticket) -> tuple[int, int, int]:
    return (
        TicketEvent.objects.filter(ticket=ticket).count(),
        Comment.objects.filter(ticket=ticket).count(),
        OutboundMessage.objects.filter(ticket=ticket).count(),
    )


def _auto_close(ticket: Ticket, world: World) -> None:
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        services.ticket_event_apply(locked=locked, event=Event.AUTO_CLOSE, actor_user=None)


ACTIONS: dict[Event, Callable[[Ticket, World], object]] = {
    Event.CUSTOMER_REPLY: lambda ticket, world: services.comment_add(
        ticket=ticket, author=world.alice, body="Still broken."
    ),
    Event.AGENT_PUBLIC_REPLY: lambda ticket, world: services.comment_add(
        ticket=ticket, author=world.agent, body="On it."
    ),
    Event.AUTO_CLOSE: _auto_close,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "event"), sorted(itertools.product(Status.values, Event)))
def test_every_event_in_every_status(world: World, current: str, event: Event) -> None:
    ticket = _ticket_in(world, current)
    expected = EVENT_TRANSITIONS[event].get(current, REFUSED)
    before = _written(ticket)
    status_rows = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS)
    if expected == REFUSED:
        with pytest.raises(TicketTransitionError) as refused:
            ACTIONS[event](ticket, world)
        assert refused.value.message
        assert Ticket.objects.get(pk=ticket.pk).status == current
        assert _written(ticket) == before
        return
    ACTIONS[event](ticket, world)
    assert Ticket.objects.get(pk=ticket.pk).status == (expected or current)
    if expected is None:
        assert not status_rows.exists()
    else:
        row = status_rows.get()
        assert (row.old_value, row.new_value) == (current, expected)


ACTORS = {Actor.CUSTOMER: "alice", Actor.AGENT: "agent", Actor.SYSTEM: None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target", "actor"), sorted(itertools.product(Status.values, Status.values, list(Actor)))
)
def test_every_requested_status_in_every_status(world: World, current: str, target: str, actor: Actor) -> None:
    ticket = _ticket_in(world, current)
    user = getattr(world, ACTORS[actor]) if ACTORS[actor] else None
    before = _written(ticket)
    if target not in allowed_targets(current, actor):
        with pytest.raises(TicketTransitionError):
            services.ticket_transition(ticket=ticket, target=target, actor_user=user, actor=actor)
        assert Ticket.objects.get(pk=ticket.pk).status == current
        assert _written(ticket) == before
        return
    services.ticket_transition(ticket=ticket, target=target, actor_user=user, actor=actor)
    assert Ticket.objects.get(pk=ticket.pk).status == target
    row = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.STATUS)
    assert (row.old_value, row.new_value, row.actor) == (current, target, user)
