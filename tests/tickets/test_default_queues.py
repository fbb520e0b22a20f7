"""A fresh install routes tickets: the migrations ship a default queue per support route."""

from __future__ import annotations

import pytest

from tests.accounts.factories import member
from tickets import services
from tickets.models import Queue, Route

pytestmark = pytest.mark.django_db


def test_each_route_has_its_default_queue() -> None:
    defaults = {queue.route: queue for queue in Queue.objects.filter(product_area="")}
    assert sorted(defaults) == sorted(Route.values)
    gov = defaults[Route.GOV]
    assert (gov.time_zone, gov.holiday_country, gov.business_hours["0"]) == (
        "America/Los_Angeles",
        "US",
        ["06:00", "18:00"],
    )
    assert "5" not in gov.business_hours  # closed at weekends


@pytest.mark.parametrize(("route", "plan", "gov"), [(Route.STANDARD, "pro", False), (Route.GOV, "pro", True)])
def test_a_ticket_on_a_fresh_install_lands_in_a_queue(route: str, plan: str, gov: bool) -> None:
    requester = member(plan, "licensed", gov=gov)
    ticket = services.ticket_create(requester=requester, subject="Export stops", description="At 50%.")
    triaged = services.ticket_triage(ticket_id=ticket.pk)
    assert triaged is not None
    assert triaged.route == route
    assert triaged.queue == Queue.objects.get(route=route, product_area="")
