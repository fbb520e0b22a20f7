"""The workspace's paths for customers, agents and Gov-cleared agents: who reaches what, and what the pages show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from accounts.models import support_profile_for
from tests.tickets.conftest import World
from tickets import services
from tickets.agents.models import SlaMark
from tickets.agents.services import ticket_assign
from tickets.models import Comment, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(world: World, make_ticket: Callable[..., Ticket]) -> dict[str, Ticket]:
    standard = make_ticket(world.alice, subject="Export fails with error 500", description="The CSV export breaks.")
    gov = make_ticket(world.gina, subject="Classified export question", description="Gov only text.")
    services.comment_add(ticket=gov, author=world.gov_agent, body="Secret gov note", is_public=False)
    return {"standard": standard, "gov": gov}


def _paths(ticket: Ticket) -> list[tuple[str, str]]:
    number = ticket.number
    return [
        ("get", "/agent/"),
        ("get", f"/agent/tickets/{number}"),
        ("get", f"/agent/tickets/{number}/articles?q=export"),
        ("post", f"/agent/tickets/{number}/update"),
        ("post", f"/agent/tickets/{number}/draft-article"),
        ("post", "/agent/bulk"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(tickets: dict[str, Ticket]) -> None:
    for method, path in _paths(tickets["standard"]):
        response = getattr(Client(), method)(path)
        assert response.status_code == 302, path
        assert "login" in response["Location"]


@pytest.mark.parametrize("person", ["alice", "gina", "outsider"])
def test_customers_get_403_everywhere_even_on_their_own_ticket(
    world: World, tickets: dict[str, Ticket], client_for: Callable, person: str
) -> None:
    client = client_for(getattr(world, person))
    own = tickets["gov"] if person == "gina" else tickets["standard"]
    before = (Comment.objects.count(), TicketEvent.objects.count())
    for method, path in _paths(own):
        data = {"tickets": [own.number], "action": "status", "status": "solved", "body": "hi", "kind": "public"}
        response = getattr(client, method)(path, data) if method == "post" else client.get(path)
        assert response.status_code == 403, path
    assert (Comment.objects.count(), TicketEvent.objects.count()) == before


def test_agent_outside_gov_never_sees_gov_tickets(
    world: World, tickets: dict[str, Ticket], client_for: Callable
) -> None:
    gov = tickets["gov"]
    for agent in (world.agent, world.uncleared_agent, world.other_agent):
        client = client_for(agent)
        listing = client.get("/agent/?view=all").content.decode()
        assert "Classified export question" not in listing
        searched = client.get("/agent/?view=all&q=Classified").content.decode()
        assert "Classified" not in searched.split("<tbody>")[1]
        assert client.get(f"/agent/tickets/{gov.number}").status_code == 404
        assert client.get(f"/agent/tickets/{gov.number}/articles?q=x").status_code == 404
        assert client.post(f"/agent/tickets/{gov.number}/update", {"body": "x", "kind": "public"}).status_code == 404
        response = client.post("/agent/bulk", {"tickets": [gov.number], "action": "status", "status": "pending"})
        assert response.status_code == 404
        assert client.get("/agent/?queue=gov").status_code == 404
    gov.refresh_from_db()
    assert gov.status == Status.NEW
    assert not gov.comments.filter(body="x").exists()


def test_counts_exclude_gov_tickets_for_uncleared_agents(
    world: World, tickets: dict[str, Ticket], client_for: Callable
) -> None:
    uncleared = client_for(world.uncleared_agent).get("/agent/")
    assert uncleared.context["counts"]["unassigned"] == 0
    assert uncleared.context["queues"] == []
    cleared = client_for(world.gov_agent).get("/agent/")
    assert cleared.context["counts"]["unassigned"] == 1
    assert [(row["queue"].code, row["count"]) for row in cleared.context["queues"]] == [("gov", 1)]


def test_gov_cleared_agent_works_gov_tickets(world: World, tickets: dict[str, Ticket], client_for: Callable) -> None:
    client = client_for(world.gov_agent)
    assert "Classified export question" in client.get("/agent/?view=all").content.decode()
    page = client.get(f"/agent/tickets/{tickets['gov'].number}")
    assert page.status_code == 200
    assert "Secret gov note" in page.content.decode()
    assert client.get(f"/agent/tickets/{tickets['standard'].number}").status_code == 404  # not their queue


def test_thread_tells_notes_from_public_replies(world: World, tickets: dict[str, Ticket], client_for: Callable) -> None:
    ticket = tickets["standard"]
    services.comment_add(ticket=ticket, author=world.agent, body="Visible answer", is_public=True)
    services.comment_add(ticket=ticket, author=world.agent, body="Only for us", is_public=False)
    html = client_for(world.agent).get(f"/agent/tickets/{ticket.number}").content.decode()
    note = html.index("Only for us")
    answer = html.index("Visible answer")
    assert 'class="message message-note"' in html[:note] and "Internal note — not visible to the customer" in html
    assert html.rfind("message-note", 0, note) > html.rfind("message-agent", 0, note)
    assert html.rfind("message-agent", 0, answer) > html.rfind("message-note", 0, answer)
    # The customer's own page never shows the note.
    assert "Only for us" not in client_for(world.alice).get(f"/requests/{ticket.number}").content.decode()


def test_one_form_replies_assigns_prioritizes_and_sets_pending(
    world: World, tickets: dict[str, Ticket], client_for: Callable
) -> None:
    ticket = tickets["standard"]
    response = client_for(world.agent).post(
        f"/agent/tickets/{ticket.number}/update",
        {
            "body": "Try exporting again.",
            "kind": "public",
            "status": "pending",
            "priority": "high",
            "assignee": str(world.agent.pk),
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id) == (Status.PENDING, "high", world.agent.pk)
    assert ticket.first_response_at is not None
    assert ticket.comments.get().is_public
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {"comment", "assignee", "priority", "status"} <= kinds


def test_refused_transition_changes_nothing(world: World, tickets: dict[str, Ticket], client_for: Callable) -> None:
    ticket = tickets["standard"]
    services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)
    services.ticket_transition(ticket=ticket, target=Status.CLOSED, actor_user=None)
    events = TicketEvent.objects.count()
    response = client_for(world.agent).post(
        f"/agent/tickets/{ticket.number}/update",
        {"body": "Late note", "kind": "note", "status": "open", "priority": "urgent", "assignee": str(world.agent.pk)},
    )
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id) == (Status.CLOSED, "normal", None)
    assert TicketEvent.objects.count() == events
    assert not Comment.objects.filter(body="Late note").exists()


def test_gov_ticket_cannot_be_assigned_to_an_uncleared_agent(
    world: World, tickets: dict[str, Ticket], client_for: Callable
) -> None:
    gov = tickets["gov"]
    response = client_for(world.gov_agent).post(
        f"/agent/tickets/{gov.number}/update",
        {
            "body": "",
            "kind": "public",
            "status": "new",
            "priority": "normal",
            "assignee": str(world.uncleared_agent.pk),
        },
    )
    assert response.status_code == 400
    gov.refresh_from_db()
    assert gov.assignee_id is None


def test_bulk_assign_and_status(world: World, make_ticket: Callable, client_for: Callable) -> None:
    first, second = make_ticket(subject="One"), make_ticket(world.carol, subject="Two")
    client = client_for(world.agent)
    response = client.post(
        "/agent/bulk", {"tickets": [first.number, second.number], "action": "assign", "assignee": "me"}
    )
    assert response.status_code == 302
    assert set(Ticket.objects.filter(assignee=world.agent).values_list("number", flat=True)) == {
        first.number,
        second.number,
    }
    response = client.post(
        "/agent/bulk", {"tickets": [first.number, second.number], "action": "status", "status": "pending"}
    )
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_bulk_refuses_all_when_one_transition_is_refused(
    world: World, make_ticket: Callable, client_for: Callable
) -> None:
    first, second = make_ticket(subject="One"), make_ticket(subject="Two")
    services.ticket_transition(ticket=second, target=Status.SOLVED, actor_user=world.agent)
    services.ticket_transition(ticket=second, target=Status.CLOSED, actor_user=None)
    response = client_for(world.agent).post(
        "/agent/bulk",
        {"tickets": [first.number, second.number], "action": "status", "status": "pending"},
    )
    assert response.status_code == 400
    assert f"#{second.number}" in response.content.decode()
    first.refresh_from_db()
    assert first.status == Status.NEW


def test_bulk_rejects_bad_input(world: World, make_ticket: Callable, client_for: Callable) -> None:
    ticket = make_ticket()
    client = client_for(world.agent)
    for data in (
        {"action": "assign", "assignee": "me"},  # nothing selected
        {"tickets": ["abc"], "action": "assign", "assignee": "me"},
        {"tickets": [ticket.number], "action": "status", "status": ""},
        {"tickets": [ticket.number], "action": "explode"},
    ):
        assert client.post("/agent/bulk", data).status_code == 400, data
    assert client.post("/agent/bulk", {"tickets": [999999], "action": "assign", "assignee": "me"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_views_filter_sort_and_search_comments(world: World, make_ticket: Callable, client_for: Callable) -> None:
    mine = make_ticket(subject="Billing address change")
    waiting = make_ticket(world.carol, subject="Webhook retries")
    ticket_assign(ticket=mine, assignee=world.agent, actor=world.agent)
    services.comment_add(ticket=waiting, author=world.agent, body="Asked for the zeppelin logs", is_public=False)
    services.ticket_transition(ticket=waiting, target=Status.PENDING, actor_user=world.agent)
    client = client_for(world.agent)

    def numbers(query: str) -> list[int]:
        return [t.number for t in client.get("/agent/" + query).context["page"].object_list]

    assert numbers("?view=mine") == [mine.number]
    assert numbers("?view=unassigned") == [waiting.number]
    assert numbers("?view=waiting") == [waiting.number]
    assert numbers("?view=active&q=zeppelin") == [waiting.number]  # text of an internal note
    assert numbers(f"?view=all&q=%23{mine.number}") == [mine.number]
    assert numbers("?view=all&q=carol@solo") == [waiting.number]
    assert numbers("?view=all&status=pending") == [waiting.number]
    assert numbers("?view=all&assignee=none") == [waiting.number]
    assert numbers("?view=all&sort=created") == [waiting.number, mine.number]
    assert numbers("?view=all&sort=oldest")[0] == mine.number
    waiting_row = client.get("/agent/?view=waiting").content.decode().split("<tbody>")[1]
    assert "Waiting on the customer" in waiting_row and "Awaiting your reply" not in waiting_row
    counts = client.get("/agent/").context["counts"]
    assert (counts["mine"], counts["unassigned"], counts["waiting"], counts["active"]) == (1, 1, 1, 2)


def test_breaching_view_lists_marked_tickets(world: World, make_ticket: Callable, client_for: Callable) -> None:
    late, fine = make_ticket(subject="Late one"), make_ticket(subject="Fine one")
    Ticket.objects.filter(pk=fine.pk).update(first_response_due_at=None, resolution_due_at=None)
    SlaMark.objects.create(ticket=late, breached=True)
    response = client_for(world.agent).get("/agent/?view=breaching")
    assert [t.number for t in response.context["page"].object_list] == [late.number]
    assert response.context["counts"]["breaching"] == 1
    assert "sla-breached" in response.content.decode()


def test_ticket_page_panels(world: World, make_ticket: Callable, client_for: Callable) -> None:
    from accounts.models import support_profile_for

    profile = support_profile_for(world.alice)
    profile.time_zone, profile.language = "Asia/Tokyo", "fr"
    profile.save()
    parent = make_ticket(subject="Original")
    services.ticket_transition(ticket=parent, target=Status.SOLVED, actor_user=world.agent)
    services.ticket_transition(ticket=parent, target=Status.CLOSED, actor_user=None)
    parent.refresh_from_db()
    _none, follow_up = services.customer_reply(ticket=parent, author=world.alice, body="Still broken")
    services.ticket_triage(ticket_id=follow_up.pk)
    html = client_for(world.agent).get(f"/agent/tickets/{parent.number}").content.decode()
    assert "Acme" in html and "Pro" in html and "Asia/Tokyo" in html and "May file requests" in html
    assert "(Paid plan, " in html and "paid_plan" not in html  # issue 16 point 13: no raw codes
    assert "<dt>Language</dt><dd>French</dd>" in html  # the language's name, not its code
    assert f'href="/agent/tickets/{follow_up.number}"' in html
    assert "First response" in html and "Resolution" in html
    child = client_for(world.agent).get(f"/agent/tickets/{follow_up.number}").content.decode()
    assert f'href="/agent/tickets/{parent.number}"' in child


@pytest.mark.parametrize(("zone", "expected"), [("Asia/Tokyo", "10:30"), ("America/Los_Angeles", "17:30")])
def test_the_requester_s_local_time_is_their_wall_clock(
    world: World, make_ticket: Callable, client_for: Callable, zone: str, expected: str
) -> None:
    """01:30 UTC on 24 November is 10:30 in Tokyo and 17:30 the day before in Los Angeles (the agent works in UTC)."""
    profile = support_profile_for(world.alice)
    profile.time_zone = zone
    profile.save()
    ticket = make_ticket(subject="Clock")
    moment = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        html = client_for(world.agent).get(f"/agent/tickets/{ticket.number}").content.decode()
    local = moment.astimezone(ZoneInfo(zone))
    assert f'<time datetime="{local.isoformat()}">{expected}</time>' in html


def test_agents_own_request_is_not_in_the_workspace(world: World, client_for: Callable) -> None:
    from tests.tickets.conftest import join

    join(world.agent, world.acme)
    own = services.ticket_create(requester=world.agent, subject="My own", description="x")
    services.ticket_triage(ticket_id=own.pk)
    assert client_for(world.agent).get(f"/agent/tickets/{own.number}").status_code == 404


def test_deflection_context_shows_draft_suggestions_and_opens(
    world: World, make_ticket: Callable, client_for: Callable
) -> None:
    from deflection.models import DeflectionEvent, DeflectionSession

    session = DeflectionSession.objects.create(
        user=world.alice,
        language="en",
        subject="csv export broken",
        description="The export button shows error 500",
        last_suggestions=[
            {"article_id": "11", "rank": 1, "title": "Export your data", "url": "/help/data/export/?lang=en"},
            {"article_id": "12", "rank": 2, "title": "Error codes", "url": "/help/data/errors/?lang=en"},
        ],
    )
    DeflectionEvent.objects.create(session=session, kind="opened", article_id="12", rank=2)
    DeflectionEvent.objects.create(session=session, kind="opened", article_id="99", rank=1)
    ticket = make_ticket(world.alice, subject="Export broken", deflection_session_id=session.pk)
    page = client_for(world.agent).get(f"/agent/tickets/{ticket.number}")
    context = page.context["deflection"]
    assert (context.subject, context.description) == ("csv export broken", "The export button shows error 500")
    assert [(s.title, s.opened) for s in context.suggestions] == [("Export your data", False), ("Error codes", True)]
    assert context.opened_elsewhere == ["99"]
    html = page.content.decode()
    assert "The export button shows error 500" in html and "Also opened 1 article" in html


def test_the_workspace_speaks_french(world: World, tickets: dict[str, Ticket], client_for: Callable) -> None:
    client = client_for(world.agent)
    client.cookies["django_language"] = "fr"
    assert "SLA bientôt dépassé" in client.get("/agent/").content.decode()
    html = client.get(f"/agent/tickets/{tickets['standard'].number}").content.decode()
    assert "Répondre, annoter et mettre à jour" in html and "Journal d'audit" in html


def test_odd_numbers_and_digits_never_crash(world: World, make_ticket: Callable, client_for: Callable) -> None:
    make_ticket()
    client = client_for(world.agent)
    for query in ("?q=%23%C2%B2", "?q=%23" + "9" * 30, "?assignee=%C2%B2", "?assignee=" + "9" * 30, "?page=abc"):
        assert client.get("/agent/" + query).status_code == 200, query
    for numbers in (["9" * 30], ["²"], ["0"]):
        response = client.post("/agent/bulk", {"tickets": numbers, "action": "assign", "assignee": "me"})
        assert response.status_code == 400, numbers
    assert client.post("/agent/bulk", {"tickets": ["1001"], "action": "assign", "assignee": "²"}).status_code == 400
