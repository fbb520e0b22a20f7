"""SLA breach marks and timers at business-hour boundaries and on holidays, down to what the views show.

The standard queue of the fixtures is open Monday-Friday 09:00-17:00 Paris time with French
public holidays; its first-response target is 8 business hours (normal priority).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.tickets.conftest import World
from tickets import services
from tickets.agents.models import SlaMark
from tickets.agents.sla import sla_breaches_detect, timers_for
from tickets.agents.tasks import detect_sla_breaches
from tickets.models import Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def _filed_at(moment: dt.datetime, make_ticket: Callable[..., Ticket], **kw: object) -> Ticket:
    with time_machine.travel(moment, tick=False):
        return make_ticket(**kw)


def _breach_events(ticket: Ticket) -> list[str]:
    return list(
        ticket.events.filter(kind=TicketEvent.Kind.SLA, field__endswith="breached").values_list("field", flat=True)
    )


def test_friday_afternoon_ticket_breaches_on_monday_not_over_the_weekend(
    world: World, make_ticket: Callable[..., Ticket]
) -> None:
    # Friday 16:00: one business hour on Friday, seven on Monday -> due Monday 16:00.
    ticket = _filed_at(paris(2026, 3, 13, 16), make_ticket)
    assert ticket.first_response_due_at == paris(2026, 3, 16, 16)
    sla_breaches_detect(now=paris(2026, 3, 15, 23))  # Sunday night: 31 wall-clock hours later, not late
    sla_breaches_detect(now=paris(2026, 3, 16, 15, 59))
    assert not SlaMark.objects.filter(ticket=ticket, breached=True).exists()  # no mark, or not breached
    report = sla_breaches_detect(now=paris(2026, 3, 16, 16))
    assert report.new_breaches == 1
    mark = SlaMark.objects.get(ticket=ticket)
    assert mark.breached and mark.first_response_breached_at == paris(2026, 3, 16, 16)
    # Running again (the beat fires every two minutes) records nothing twice.
    assert sla_breaches_detect(now=paris(2026, 3, 16, 17)).new_breaches == 0
    assert _breach_events(ticket) == ["first_response_breached"]


def test_a_public_holiday_does_not_count(world: World, make_ticket: Callable[..., Ticket]) -> None:
    # Thursday 30 April 2026, 16:00; Friday 1 May is a French public holiday -> due Monday 4 May 16:00.
    ticket = _filed_at(paris(2026, 4, 30, 16), make_ticket)
    assert ticket.first_response_due_at == paris(2026, 5, 4, 16)
    sla_breaches_detect(now=paris(2026, 5, 1, 16, 30))  # the day it would be due without the holiday
    assert not SlaMark.objects.filter(ticket=ticket, breached=True).exists()  # no mark, or not breached
    sla_breaches_detect(now=paris(2026, 5, 4, 16, 0, 1))
    assert SlaMark.objects.get(ticket=ticket).first_response_breached_at is not None


def test_a_first_response_in_time_never_breaches(world: World, make_ticket: Callable[..., Ticket]) -> None:
    ticket = _filed_at(paris(2026, 3, 13, 16), make_ticket)
    with time_machine.travel(paris(2026, 3, 16, 9, 30), tick=False):
        services.comment_add(ticket=ticket, author=world.agent, body="On it")
    sla_breaches_detect(now=paris(2026, 3, 16, 18))
    assert not SlaMark.objects.filter(ticket=ticket, breached=True).exists()  # no mark, or not breached
    timers = {timer.label: timer for timer in timers_for(Ticket.objects.get(pk=ticket.pk), now=paris(2026, 3, 16, 18))}
    assert timers["First response"].state == "met"


def test_next_response_clock_after_a_customer_reply(world: World, make_ticket: Callable[..., Ticket]) -> None:
    ticket = _filed_at(paris(2026, 3, 9, 9), make_ticket)
    with time_machine.travel(paris(2026, 3, 9, 10), tick=False):
        services.comment_add(ticket=ticket, author=world.agent, body="Can you send the log?")
    with time_machine.travel(paris(2026, 3, 9, 15), tick=False):
        services.comment_add(ticket=Ticket.objects.get(pk=ticket.pk), author=world.alice, body="Here it is")
    # 15:00 + 8 business hours: 2 on Monday, 6 on Tuesday -> Tuesday 15:00.
    sla_breaches_detect(now=paris(2026, 3, 9, 16))
    mark = SlaMark.objects.get(ticket=ticket)
    assert mark.next_response_due_at == paris(2026, 3, 10, 15)
    assert not mark.breached
    sla_breaches_detect(now=paris(2026, 3, 10, 15, 1))
    mark.refresh_from_db()
    assert mark.next_response_breached_at is not None and mark.breached
    # The agent answers: no reply is owed any more, the live flag clears, the audit keeps the miss.
    with time_machine.travel(paris(2026, 3, 10, 16), tick=False):
        services.comment_add(ticket=Ticket.objects.get(pk=ticket.pk), author=world.agent, body="Fixed")
    sla_breaches_detect(now=paris(2026, 3, 10, 16, 5))
    mark.refresh_from_db()
    assert (mark.next_response_due_at, mark.next_response_breached_at, mark.breached) == (None, None, False)
    assert "next_response_breached" in _breach_events(ticket)


def test_waiting_on_the_customer_stops_the_response_clocks(world: World, make_ticket: Callable[..., Ticket]) -> None:
    ticket = _filed_at(paris(2026, 3, 9, 9), make_ticket)
    services.ticket_transition(ticket=ticket, target=Status.PENDING, actor_user=world.agent)
    sla_breaches_detect(now=paris(2026, 3, 9, 18))
    assert not SlaMark.objects.filter(ticket=ticket, first_response_breached_at__isnull=False).exists()


def test_the_task_runs_the_detection(world: World, make_ticket: Callable[..., Ticket]) -> None:
    ticket = _filed_at(paris(2026, 3, 2, 9), make_ticket)
    with time_machine.travel(paris(2026, 3, 20, 12), tick=False):
        assert detect_sla_breaches.apply().get() == 2  # first response and resolution (40 h) both missed
        assert detect_sla_breaches.apply().get() == 0
    assert sorted(_breach_events(ticket)) == ["first_response_breached", "resolution_breached"]


def test_views_show_timers_and_breaches(world: World, make_ticket: Callable[..., Ticket], client_for: Callable) -> None:
    late = _filed_at(paris(2026, 3, 13, 16), make_ticket, subject="Late ticket")
    _filed_at(paris(2026, 3, 16, 15), make_ticket, subject="Fresh ticket")
    client = client_for(world.agent)
    # Friday 16:30: half an hour left on Friday and seven hours on Monday.
    with time_machine.travel(paris(2026, 3, 13, 16, 30), tick=False):
        page = client.get(f"/agent/tickets/{late.number}")
        first = page.context["timers"][0]
        assert first.state == "running" and first.remaining_minutes == 450
        assert "450 business minutes left" in page.content.decode()
    with time_machine.travel(paris(2026, 3, 16, 16, 5), tick=False):
        sla_breaches_detect()
        queue = client.get("/agent/?view=breaching")
        # The late one is breached; the fresh one (due Tuesday 15:00) is not due within two hours.
        assert [t.subject for t in queue.context["page"].object_list] == ["Late ticket"]
        assert "Breached" in queue.content.decode()
        page = client.get(f"/agent/tickets/{late.number}")
        assert page.context["timers"][0].state == "breached"
        assert 'data-timer-state="breached"' in page.content.decode()
    with time_machine.travel(paris(2026, 3, 17, 13, 30), tick=False):
        soon = client.get("/agent/?view=breaching&sort=due").context["page"].object_list
        assert [t.subject for t in soon] == ["Late ticket", "Fresh ticket"]  # fresh: due at 15:00, within 2 h


def test_every_active_ticket_is_checked_in_chunks(world: World, make_ticket: Callable[..., Ticket]) -> None:
    tickets = [_filed_at(paris(2026, 3, 2, 9), make_ticket, subject=f"Old {n}") for n in range(5)]
    report = sla_breaches_detect(now=paris(2026, 3, 20, 12), chunk=2)
    assert report.checked == 5 and report.new_breaches == 10
    assert SlaMark.objects.filter(ticket__in=tickets, breached=True).count() == 5
    # Nothing changed since: the second pass writes nothing at all.
    events = TicketEvent.objects.count()
    assert sla_breaches_detect(now=paris(2026, 3, 20, 12, 2), chunk=2).new_breaches == 0
    assert TicketEvent.objects.count() == events
