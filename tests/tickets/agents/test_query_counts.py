"""List views cost a fixed number of queries, whether a view holds 5 tickets or 50."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.conftest import World
from tickets import services
from tickets.agents.models import SlaMark
from tickets.agents.services import ticket_assign
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _add_tickets(world: World, make_ticket: Callable[..., Ticket], count: int) -> None:
    """Tickets that touch every relation a row shows: requester, organization, queue, assignee, SLA mark, comments."""
    for index in range(count):
        requester = world.alice if index % 2 else world.carol
        ticket = make_ticket(requester, subject=f"Question {index}")
        if index % 3 == 0:
            ticket_assign(ticket=ticket, assignee=world.agent, actor=world.agent)
        if index % 4 == 0:
            SlaMark.objects.create(ticket=ticket, breached=index % 8 == 0)
        services.comment_add(ticket=ticket, author=requester, body="More details")


def _count(client: object, path: str) -> int:
    client.get(path)  # first request of a session creates rows (support profile) and fills caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path",
    [
        "/agent/",
        "/agent/?view=mine",
        "/agent/?view=unassigned&sort=priority",
        "/agent/?view=breaching&sort=due",
        "/agent/?view=all&q=Question",
        "/agent/?view=active&queue=standard&status=new",
    ],
)
def test_queue_views_use_a_fixed_number_of_queries(
    world: World,
    make_ticket: Callable[..., Ticket],
    client_for: Callable,
    django_assert_num_queries: Callable,
    path: str,
) -> None:
    client = client_for(world.agent)
    _add_tickets(world, make_ticket, 5)
    with_five = _count(client, path)
    _add_tickets(world, make_ticket, 45)
    assert client.get(path).context["page"].paginator.count >= (5 if "mine" not in path else 1)
    with django_assert_num_queries(with_five):
        client.get(path)
    assert with_five <= 16


def test_ticket_page_queries_do_not_grow_with_the_thread(
    world: World, make_ticket: Callable[..., Ticket], client_for: Callable, django_assert_num_queries: Callable
) -> None:
    client = client_for(world.agent)
    ticket = make_ticket()
    for index in range(5):
        services.comment_add(ticket=ticket, author=world.agent, body=f"note {index}", is_public=index % 2 == 0)
    path = f"/agent/tickets/{ticket.number}"
    with_five = _count(client, path)
    for index in range(45):
        services.comment_add(ticket=ticket, author=world.alice if index % 2 else world.agent, body=f"more {index}")
    with django_assert_num_queries(with_five):
        client.get(path)
