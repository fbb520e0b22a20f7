"""Satisfaction: one-click links from the email, the portal form, results for agents."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.tickets.conftest import World
from tests.tickets.mail.conftest import processed_ticket
from tickets import services
from tickets.mail import outbound
from tickets.mail.models import OutboundMessage, Rating, SatisfactionRating
from tickets.models import Route, Status, Ticket

pytestmark = pytest.mark.django_db


def solved(world: World, **overrides: object) -> Ticket:
    ticket = processed_ticket(world, **overrides)
    services.ticket_transition(ticket=ticket, target=Status.OPEN, actor_user=world.agent)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=world.agent)
    return services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=world.agent)


def links_from_survey(ticket: Ticket) -> dict[str, str]:
    row = OutboundMessage.objects.get(ticket=ticket, kind="satisfaction")
    assert outbound.outbound_send(outbound_id=row.pk)
    body = mail.outbox[-1].body
    links = [word for word in body.split() if "/requests/rate/" in word]
    return {"good": links[0].split("127.0.0.1:8000")[1], "bad": links[1].split("127.0.0.1:8000")[1]}


class TestOneClickLink:
    def test_a_click_records_the_rating_and_a_comment_can_follow(self, world: World, client: Client) -> None:
        ticket = solved(world)
        links = links_from_survey(ticket)
        response = client.get(links["good"])
        assert response.status_code == 200
        rating = SatisfactionRating.objects.get(ticket=ticket)
        assert (rating.rating, rating.channel) == ("good", "email")
        assert (rating.agent, rating.queue) == (world.agent, world.standard)
        response = client.post(links["good"], {"comment": "Quick and clear, thank you."})
        assert response.status_code == 200
        rating.refresh_from_db()
        assert (rating.rating, rating.comment) == ("good", "Quick and clear, thank you.")
        client.get(links["good"])  # a second click (or a mail scanner) keeps the comment
        rating.refresh_from_db()
        assert rating.comment == "Quick and clear, thank you."
        client.get(links["bad"])  # changing one's mind replaces the answer
        rating.refresh_from_db()
        assert (rating.rating, rating.comment) == ("bad", "")
        assert SatisfactionRating.objects.count() == 1

    def test_a_forged_or_tampered_link_changes_nothing(self, world: World, client: Client) -> None:
        ticket = solved(world)
        links = links_from_survey(ticket)
        response = client.get(links["good"][:-3] + "xyz")
        assert response.status_code == 400
        assert client.get("/requests/rate/not-a-token").status_code == 400
        assert not SatisfactionRating.objects.exists()

    def test_a_reopened_ticket_cannot_be_rated(self, world: World, client: Client) -> None:
        ticket = solved(world)
        links = links_from_survey(ticket)
        services.comment_add(ticket=ticket, author=world.alice, body="Not fixed after all")  # reopens
        response = client.get(links["good"])
        assert response.status_code == 400 and "once it is solved" in response.content.decode()
        assert not SatisfactionRating.objects.exists()


class TestPortalForm:
    def test_the_requester_rates_with_a_comment(self, world: World, client: Client) -> None:
        ticket = solved(world)
        client.force_login(world.alice)
        assert client.get(f"/requests/{ticket.number}/rate").status_code == 200
        response = client.post(f"/requests/{ticket.number}/rate", {"rating": "bad", "comment": "Took three days."})
        assert response.status_code == 302
        rating = SatisfactionRating.objects.get(ticket=ticket)
        assert (rating.rating, rating.comment, rating.channel) == ("bad", "Took three days.", "web")

    def test_others_cannot_rate_and_bad_input_saves_nothing(self, world: World, client: Client) -> None:
        ticket = solved(world)
        client.force_login(world.bob)  # sees alice's ticket through the organization, but did not file it
        assert client.post(f"/requests/{ticket.number}/rate", {"rating": "good"}).status_code == 403
        client.force_login(world.carol)  # another organization: the ticket does not exist for her
        assert client.post(f"/requests/{ticket.number}/rate", {"rating": "good"}).status_code == 404
        client.force_login(world.alice)
        assert client.post(f"/requests/{ticket.number}/rate", {"rating": "meh"}).status_code == 400
        long_comment = {"rating": "good", "comment": "x" * 2001}
        assert client.post(f"/requests/{ticket.number}/rate", long_comment).status_code == 400
        assert not SatisfactionRating.objects.exists()

    def test_an_open_request_cannot_be_rated_yet(self, world: World, client: Client) -> None:
        ticket = processed_ticket(world)
        client.force_login(world.alice)
        response = client.post(f"/requests/{ticket.number}/rate", {"rating": "good"})
        assert response.status_code == 400 and not SatisfactionRating.objects.exists()


class TestResults:
    def test_agents_see_counts_per_agent_and_queue_scoped_to_their_tickets(self, world: World, client: Client) -> None:
        from tickets.mail.csat import rating_record

        for rating in (Rating.GOOD, Rating.GOOD, Rating.BAD):
            rating_record(ticket=solved(world), rating=rating)
        gov = solved(world, requester=world.gina)
        assert gov.route == Route.GOV
        rating_record(ticket=gov, rating=Rating.BAD)

        client.force_login(world.agent)
        response = client.get("/agent/csat")
        assert response.status_code == 200
        results = response.context["results"]
        assert [(row.label, row.good, row.bad, row.percent_good) for row in results["queues"]] == [
            ("Standard", 2, 1, 67)
        ]
        assert [(row.label, row.good, row.bad) for row in results["agents"]] == [("agent@support.test", 2, 1)]

        client.force_login(world.gov_agent)  # cleared for Gov, works the Gov queue only
        results = client.get("/agent/csat").context["results"]
        assert [(row.label, row.good, row.bad) for row in results["queues"]] == [("Gov", 0, 1)]

    def test_customers_are_refused(self, world: World, client: Client) -> None:
        client.force_login(world.alice)
        assert client.get("/agent/csat").status_code == 403
        assert Client().get("/agent/csat").status_code == 302  # sign in first
