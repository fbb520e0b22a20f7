"""Status changes: every one goes through the tables of ``tickets.lifecycle``.

``ticket_transition`` applies a status someone asked for; ``ticket_event_apply`` applies what an
event (a reply, auto-close) does to the status. Both audit the change and promise its emails
(solved, closed) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import conf
from tickets.audit import event_record
from tickets.lifecycle import Actor, Event, check_transition, event_target
from tickets.links import SOLVE_LINK_SALT
from tickets.mail.outbound import notify_status_changed
from tickets.models import Status, Ticket, TicketEvent
from tickets.services.errors import TicketInputError

logger = logging.getLogger(__name__)


def is_agent_on(user: AbstractBaseUser | None, ticket: Ticket) -> bool:
    """Staff acting on a ticket someone else filed speak as agents; on their own, as customers."""
    return bool(user is not None and user.is_staff and user.pk != ticket.requester_id)


def _status_set(ticket: Ticket, target: str, *, actor_user: AbstractBaseUser | None, now: dt.datetime) -> None:
    """Write the new status, its timestamps, the audit row and the emails; the caller checked the
    table and holds the row lock."""
    old = ticket.status
    ticket.status = target
    fields = ["status", "updated_at"]
    if target == Status.SOLVED:
        ticket.solved_at = now
        fields.append("solved_at")
    elif target == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif old == Status.SOLVED:
        ticket.solved_at = None
        fields.append("solved_at")
    ticket.save(update_fields=fields)
    event_record(ticket=ticket, actor=actor_user, kind=TicketEvent.Kind.STATUS, field="status", old=old, new=target)
    notify_status_changed(ticket=ticket, old=old, new=target)


def ticket_event_apply(
    *, locked: Ticket, event: Event, actor_user: AbstractBaseUser | None, now: dt.datetime | None = None
) -> bool:
    """Apply what ``event`` does to the status of ``locked`` (the caller holds its row lock).

    Returns True when the status changed; raises ``TicketTransitionError`` when the table refuses
    the event in the current status (nothing written).
    """
    target = event_target(locked.status, event)
    if target is None:
        return False
    _status_set(locked, target, actor_user=actor_user, now=now or timezone.now())
    return True


def ticket_transition(
    *, ticket: Ticket, target: str, actor_user: AbstractBaseUser | None, actor: Actor | None = None
) -> Ticket:
    """Move ``ticket`` to ``target`` if the lifecycle table lets ``actor`` do it; audit the change."""
    if actor is None:
        actor = (
            Actor.SYSTEM if actor_user is None else (Actor.AGENT if is_agent_on(actor_user, ticket) else Actor.CUSTOMER)
        )
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        check_transition(locked.status, target, actor)
        _status_set(locked, target, actor_user=actor_user, now=timezone.now())
    logger.info("ticket %s: %s -> %s by %s", locked.number, ticket.status, target, actor.value)
    return locked


def ticket_solve_from_link(*, token: str) -> Ticket:
    """Solve the ticket named by a signed one-click link from the acknowledgement email."""
    try:
        payload = signing.loads(token, salt=SOLVE_LINK_SALT, max_age=dt.timedelta(days=conf.solve_link_days()))
    except signing.SignatureExpired:
        raise TicketInputError(_("This link has expired. Open your request to mark it solved.")) from None
    except signing.BadSignature:
        raise TicketInputError(_("This link is not valid.")) from None
    ticket = Ticket.objects.filter(pk=payload.get("t")).first()
    if ticket is None:
        raise TicketInputError(_("This link is not valid."))
    return ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=ticket.requester, actor=Actor.CUSTOMER)


def tickets_auto_close(*, now: dt.datetime | None = None) -> list[int]:
    """Close tickets solved more than ``TICKETS_AUTO_CLOSE_DAYS`` ago; returns their numbers."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=conf.auto_close_days())
    closed = []
    for pk in Ticket.objects.filter(status=Status.SOLVED, solved_at__lte=cutoff).values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.status != Status.SOLVED:
                continue  # reopened since the query: the table would refuse it
            ticket_event_apply(locked=ticket, event=Event.AUTO_CLOSE, actor_user=None, now=now)
            closed.append(ticket.number)
    return closed
