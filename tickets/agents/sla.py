"""SLA breach detection and the timers agents see, in each queue's business hours.

The core computes the first-response and resolution due times at triage (``tickets.sla``).
This module adds what happens later: a next-response target each time a customer's public
message waits for an agent, breach marks written once by a periodic task, and the remaining
business time shown on the ticket page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.agents.models import SlaMark
from tickets.audit import event_record
from tickets.models import Comment, Queue, Status, Ticket, TicketEvent
from tickets.sla import PRIORITY_FACTOR, BusinessCalendar

logger = logging.getLogger(__name__)

ACTIVE = (Status.NEW, Status.OPEN, Status.PENDING)
# While a ticket waits on the customer no response clock runs.
CLOCK_RUNNING = (Status.NEW, Status.OPEN)


def next_response_hours(queue: Queue, priority: str) -> dt.timedelta:
    """The next-response target: the queue's first-response target, scaled by priority like it."""
    return dt.timedelta(hours=queue.first_response_hours * PRIORITY_FACTOR.get(priority, 1.0))


def _with_reply_times(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate the last public message of the customer and of anyone else (agents)."""
    public = Comment.objects.filter(ticket=OuterRef("pk"), is_public=True)
    return tickets.annotate(
        last_customer_at=Subquery(
            public.filter(author_id=OuterRef("requester_id"))
            .order_by()
            .values("ticket")
            .annotate(m=Max("created_at"))
            .values("m")
        ),
        last_agent_at=Subquery(
            public.exclude(author_id=OuterRef("requester_id"))
            .exclude(author__isnull=True)
            .order_by()
            .values("ticket")
            .annotate(m=Max("created_at"))
            .values("m")
        ),
    )


def next_response_due(
    ticket: Ticket, *, last_customer_at: dt.datetime | None, last_agent_at: dt.datetime | None
) -> dt.datetime | None:
    """When an agent owes the customer a reply, or None when nobody is waiting on us.

    Only after the first response (before it, the first-response target applies) and only for a
    customer message newer than the last agent reply.
    """
    if ticket.queue is None or ticket.status not in CLOCK_RUNNING or ticket.first_response_at is None:
        return None
    if last_customer_at is None or (last_agent_at is not None and last_agent_at >= last_customer_at):
        return None
    start = max(last_customer_at, ticket.first_response_at)
    return BusinessCalendar.for_queue(ticket.queue).add_business_time(
        start, next_response_hours(ticket.queue, ticket.priority)
    )


@dataclass(frozen=True)
class BreachReport:
    checked: int
    new_breaches: int


def _audit_breach(ticket: Ticket, field: str, due: dt.datetime) -> None:
    event_record(ticket=ticket, kind=TicketEvent.Kind.SLA, field=field, new=due.isoformat())


def _changes(ticket: Ticket, mark: SlaMark, due_next: dt.datetime | None, now: dt.datetime) -> dict[str, object]:
    """The fields of ``mark`` to change (a breach is recorded once and never moved)."""
    changes: dict[str, object] = {}
    if mark.next_response_due_at != due_next:
        changes["next_response_due_at"] = due_next
    if (
        mark.first_response_breached_at is None
        and ticket.status in CLOCK_RUNNING
        and ticket.first_response_at is None
        and ticket.first_response_due_at is not None
        and ticket.first_response_due_at <= now
    ):
        changes["first_response_breached_at"] = now
    if mark.resolution_breached_at is None and ticket.resolution_due_at is not None and ticket.resolution_due_at <= now:
        changes["resolution_breached_at"] = now
    if due_next is not None and due_next <= now and mark.next_response_breached_at is None:
        changes["next_response_breached_at"] = now
    breached = any(
        changes.get(name, getattr(mark, name)) is not None
        for name in ("first_response_breached_at", "resolution_breached_at", "next_response_breached_at")
    )
    if breached != mark.breached:
        changes["breached"] = breached
    return changes


_BREACH_DUE = {
    "first_response_breached_at": ("first_response_breached", lambda ticket, due_next: ticket.first_response_due_at),
    "resolution_breached_at": ("resolution_breached", lambda ticket, due_next: ticket.resolution_due_at),
    "next_response_breached_at": ("next_response_breached", lambda ticket, due_next: due_next),
}


def sla_breaches_detect(*, now: dt.datetime | None = None, chunk: int = 500) -> BreachReport:
    """Mark every active ticket whose targets passed, once each; refresh next-response due times.

    Reads go by chunks of ids; a ticket whose mark does not change costs no write, so the task
    stays cheap on a large backlog. Safe to run twice (or concurrently: the mark row is locked
    and the changes recomputed under the lock).
    """
    now = now or timezone.now()
    ids = list(
        Ticket.objects.filter(status__in=ACTIVE, queue__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    checked = new = 0
    for start in range(0, len(ids), chunk):
        tickets = _with_reply_times(Ticket.objects.filter(pk__in=ids[start : start + chunk])).select_related(
            "queue", "sla_mark"
        )
        for ticket in tickets:
            checked += 1
            due_next = next_response_due(
                ticket, last_customer_at=ticket.last_customer_at, last_agent_at=ticket.last_agent_at
            )
            current = getattr(ticket, "sla_mark", None) or SlaMark(ticket=ticket)
            if not _changes(ticket, current, due_next, now):
                continue
            with transaction.atomic():
                mark, _created = SlaMark.objects.select_for_update().get_or_create(ticket=ticket)
                changes = _changes(ticket, mark, due_next, now)
                for name, value in changes.items():
                    setattr(mark, name, value)
                    if name in _BREACH_DUE:
                        field, due = _BREACH_DUE[name]
                        _audit_breach(ticket, field, due(ticket, due_next))
                        new += 1
                if changes:
                    mark.save()
    # A reply answered later clears the next-response breach of the past exchange: the flag
    # marks what is late now or was missed; the audit log keeps the history.
    SlaMark.objects.filter(next_response_due_at__isnull=True, next_response_breached_at__isnull=False).update(
        next_response_breached_at=None,
        breached=ExpressionWrapper(
            Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False),
            output_field=BooleanField(),
        ),
    )
    if new:
        logger.warning("SLA: %d new breach(es) on %d active ticket(s)", new, checked)
    return BreachReport(checked=checked, new_breaches=new)


@dataclass(frozen=True)
class Timer:
    """One SLA clock on the ticket page."""

    label: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None  # met (or stopped) at
    remaining: dt.timedelta | None  # business time left (negative: overdue by), None when not running
    breached: bool

    @property
    def state(self) -> str:
        if self.due_at is None:
            return "none"
        if self.done_at is not None:
            return "breached" if self.done_at > self.due_at else "met"
        if self.breached or (self.remaining is not None and self.remaining <= dt.timedelta()):
            return "breached"
        return "running"

    @property
    def remaining_minutes(self) -> int | None:
        return None if self.remaining is None else int(self.remaining.total_seconds() // 60)


def _remaining(calendar: BusinessCalendar, now: dt.datetime, due: dt.datetime) -> dt.timedelta:
    if due >= now:
        return calendar.business_time_between(now, due)
    return -calendar.business_time_between(due, now)


def timers_for(ticket: Ticket, *, now: dt.datetime | None = None) -> list[Timer]:
    """First response, next response and resolution clocks in the queue's business hours."""
    now = now or timezone.now()
    mark = SlaMark.objects.filter(ticket=ticket).first()
    calendar = BusinessCalendar.for_queue(ticket.queue) if ticket.queue is not None else None
    annotated = (
        _with_reply_times(Ticket.objects.filter(pk=ticket.pk)).values("last_customer_at", "last_agent_at").first() or {}
    )
    next_due = next_response_due(ticket, **annotated) if calendar else None
    active = ticket.status in ACTIVE

    def remaining(due: dt.datetime | None, running: bool) -> dt.timedelta | None:
        if calendar is None or due is None or not running:
            return None
        return _remaining(calendar, now, due)

    first_running = ticket.first_response_at is None and ticket.status in CLOCK_RUNNING
    return [
        Timer(
            label=str(_("First response")),
            due_at=ticket.first_response_due_at,
            done_at=ticket.first_response_at,
            remaining=remaining(ticket.first_response_due_at, first_running),
            breached=bool(mark and mark.first_response_breached_at),
        ),
        Timer(
            label=str(_("Next response")),
            due_at=next_due,
            done_at=None,
            remaining=remaining(next_due, True),
            breached=bool(mark and mark.next_response_breached_at),
        ),
        Timer(
            label=str(_("Resolution")),
            due_at=ticket.resolution_due_at,
            done_at=ticket.solved_at if not active else None,
            remaining=remaining(ticket.resolution_due_at, active),
            breached=bool(mark and mark.resolution_breached_at),
        ),
    ]
