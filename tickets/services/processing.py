"""Work after a ticket is filed and the periodic jobs: the outbox, triage, notifications, sweeping.

The outbox row is written with the ticket and queued on commit; a lost task is queued again by
``outbox_sweep``. Each step of ``new_ticket_process`` is idempotent, so a rerun is harmless.
Emails go through the one mail pipeline (``tickets.mail.outbound``): a promised row, sent once.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import signature
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.selectors import gov_cleared
from tickets import conf
from tickets.audit import event_record
from tickets.mail import outbound
from tickets.models import OutboxTask, Priority, Queue, Route, Ticket, TicketEvent
from tickets.sla import due_times

logger = logging.getLogger(__name__)

# Outbox kinds and the Celery task (by name) that does each: queued by name so that this module
# and ``tickets.tasks``, which calls it, do not import each other. A signature runs the registered
# task (eager mode included) and falls back to sending by name where the task is not imported.
OUTBOX_TASK_NAMES = {OutboxTask.Kind.PROCESS_NEW_TICKET: "tickets.process_new_ticket"}


def outbox_promise(*, ticket: Ticket, kind: str) -> OutboxTask:
    """Record work for after the commit and queue its task once the transaction commits."""
    task, _created = OutboxTask.objects.get_or_create(ticket=ticket, kind=kind)
    transaction.on_commit(lambda: _enqueue(task.pk))
    return task


def _enqueue(outbox_id: int) -> None:
    task = OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).first()
    if task is None:
        return
    OutboxTask.objects.filter(pk=task.pk).update(enqueued_at=timezone.now(), attempts=F("attempts") + 1)
    try:
        signature(OUTBOX_TASK_NAMES[task.kind], args=[task.ticket_id]).delay()
    except Exception:  # the broker is down: the row stays, the sweeper will queue it again
        logger.exception("could not queue %s for ticket %s; the sweeper will retry", task.kind, task.ticket_id)


_URGENT_WORDS = ("outage", "down for everyone", "data loss", "security breach", "panne", "perte de données")


def triage_priority(ticket: Ticket) -> str:
    """Priority rules: the customer's choice when their plan allows it, raised for outages, never low on Gov."""
    priority = ticket.requested_priority or Priority.NORMAL
    order = list(Priority.values)  # low, normal, high, urgent
    text = f"{ticket.subject}\n{ticket.description}".lower()
    if any(word in text for word in _URGENT_WORDS) and order.index(priority) < order.index(Priority.HIGH):
        priority = Priority.HIGH
    if ticket.route == Route.GOV and priority == Priority.LOW:
        priority = Priority.NORMAL
    return priority


def queue_for(route: str, product_area: str) -> Queue | None:
    """The queue of a route and product area, else the route's default queue."""
    queues = {(q.product_area, q.route): q for q in Queue.objects.filter(route=route)}
    return queues.get((product_area, route)) or queues.get(("", route))


def ticket_triage(*, ticket_id: int) -> Ticket | None:
    """Queue, priority and SLA due times, once; a second run changes nothing."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.triaged_at is not None:
            return ticket
        queue = queue_for(ticket.route, ticket.product_area)
        priority = triage_priority(ticket)
        if queue is not None:
            event_record(ticket=ticket, kind=TicketEvent.Kind.QUEUE, field="queue", old="", new=queue.code)
            ticket.first_response_due_at, ticket.resolution_due_at = due_times(queue, priority, ticket.created_at)
            event_record(
                ticket=ticket,
                kind=TicketEvent.Kind.SLA,
                field="first_response_due_at",
                new=ticket.first_response_due_at.isoformat(),
            )
        else:
            logger.warning(
                "no queue for route %s / area %s (ticket %s)", ticket.route, ticket.product_area, ticket.number
            )
        if priority != ticket.priority:
            event_record(
                ticket=ticket, kind=TicketEvent.Kind.PRIORITY, field="priority", old=ticket.priority, new=priority
            )
        ticket.queue, ticket.priority, ticket.triaged_at = queue, priority, timezone.now()
        ticket.save(
            update_fields=[
                "queue",
                "priority",
                "triaged_at",
                "first_response_due_at",
                "resolution_due_at",
                "updated_at",
            ]
        )
    return ticket


def queue_agents(ticket: Ticket) -> list[AbstractBaseUser]:
    """Agents of the ticket's queue who may see it (Gov tickets: Gov-cleared agents only)."""
    if ticket.queue_id is None:
        return []
    agents = ticket.queue.agents.filter(is_active=True, is_staff=True)
    if ticket.is_gov:
        agents = gov_cleared(agents)
    return list(agents.order_by("pk").distinct())


def agents_notify_new(*, ticket_id: int) -> int:
    """Tell each agent of the queue about the new ticket, once per agent; returns emails sent."""
    ticket = Ticket.objects.select_related("queue", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    sent = 0
    for agent in queue_agents(ticket):
        row = outbound.agent_new_ticket_promise(ticket=ticket, agent=agent)
        sent += outbound.outbound_send(outbound_id=row.pk)
    return sent


def new_ticket_process(*, ticket_id: int) -> bool:
    """Everything promised when a ticket was filed; each step is idempotent, so a rerun is harmless."""
    outbox = OutboxTask.objects.filter(ticket_id=ticket_id, kind=OutboxTask.Kind.PROCESS_NEW_TICKET).first()
    if outbox is not None and outbox.done_at is not None:
        return False
    if ticket_triage(ticket_id=ticket_id) is None:
        return False
    outbound.acknowledgement_send(ticket_id=ticket_id)
    agents_notify_new(ticket_id=ticket_id)
    OutboxTask.objects.filter(ticket_id=ticket_id, kind=OutboxTask.Kind.PROCESS_NEW_TICKET).update(
        done_at=timezone.now(), last_error=""
    )
    return True


def outbox_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again outbox work not done after ``TICKETS_OUTBOX_RETRY_MINUTES``; returns the row ids."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=conf.outbox_retry_minutes())
    pending = OutboxTask.objects.filter(done_at__isnull=True).filter(
        Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True, created_at__lt=cutoff)
    )
    # Work that failed this many times needs a person, not another retry every few minutes.
    given_up = pending.filter(attempts__gte=conf.outbox_max_attempts())
    for task in given_up.filter(last_error=""):
        logger.error("outbox %s for ticket %s gave up after %d attempts", task.kind, task.ticket_id, task.attempts)
    given_up.filter(last_error="").update(last_error="gave up: too many attempts")
    stale = list(pending.filter(attempts__lt=conf.outbox_max_attempts()).values_list("pk", flat=True)[:500])
    for outbox_id in stale:
        _enqueue(outbox_id)
    if stale:
        logger.warning("outbox sweeper re-queued %d task(s)", len(stale))
    return stale
