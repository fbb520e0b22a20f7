"""Writes of the agent workspace: assignment, priority, the one-form update and bulk changes.

Replies, notes and status changes go through the core (``tickets.services.comment_add`` and
``ticket_transition``); assignment and priority are written here, with the same audit rows.
Each service is atomic: when it raises, nothing it touched is saved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import is_gov_cleared
from tickets.audit import event_record
from tickets.lifecycle import Actor, TicketTransitionError, check_transition
from tickets.models import Priority, Status, Ticket, TicketEvent
from tickets.services import TicketInputError, comment_add, ticket_transition

logger = logging.getLogger(__name__)


class WorkspaceError(Exception):
    """Input the workspace refuses; ``message`` is translated and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_assignee(ticket: Ticket, assignee: AbstractBaseUser | None) -> None:
    if assignee is None:
        return
    if not (assignee.is_active and assignee.is_staff):
        raise WorkspaceError(_("Tickets can only be assigned to active agents."))
    if ticket.is_gov and not is_gov_cleared(assignee):
        raise WorkspaceError(
            _("Ticket #%(number)s is a Gov ticket: only Gov-cleared agents can take it.") % {"number": ticket.number}
        )
    if assignee.pk == ticket.requester_id:
        raise WorkspaceError(_("An agent cannot be assigned their own request."))


def ticket_assign(*, ticket: Ticket, assignee: AbstractBaseUser | None, actor: AbstractBaseUser) -> Ticket:
    """Give the ticket to ``assignee`` (None: unassign); audited. The caller checked ``actor`` sees it."""
    _check_assignee(ticket, assignee)
    with transaction.atomic():
        # No select_related here: PostgreSQL cannot lock the nullable side of an outer join.
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.assignee_id == (assignee.pk if assignee else None):
            return locked
        old = locked.assignee.email if locked.assignee_id else ""
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        event_record(
            ticket=locked,
            actor=actor,
            kind=TicketEvent.Kind.ASSIGNEE,
            field="assignee",
            old=old,
            new=assignee.email if assignee else "",
        )
    return locked


def ticket_set_priority(*, ticket: Ticket, priority: str, actor: AbstractBaseUser) -> Ticket:
    """Change the priority (agents decide it; the customer's request is kept apart); audited."""
    if priority not in Priority.values:
        raise WorkspaceError(_("Choose a priority from the list."))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.priority == priority:
            return locked
        old = locked.priority
        locked.priority = priority
        locked.save(update_fields=["priority", "updated_at"])
        event_record(
            ticket=locked, actor=actor, kind=TicketEvent.Kind.PRIORITY, field="priority", old=old, new=priority
        )
    return locked


@dataclass(frozen=True)
class TicketUpdate:
    """Everything the one form on the ticket page can change at once."""

    body: str
    is_public: bool
    status: str
    priority: str
    assignee_id: int | None


def ticket_update(*, ticket: Ticket, agent: AbstractBaseUser, update: TicketUpdate) -> Ticket:
    """Reply or note, then assignee, priority and status, in one transaction (all or nothing).

    The comment comes first so that "reply and set pending" works on a new ticket: the reply
    opens it (core rule), then the status moves on from open.
    """
    assignee = None
    if update.assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=update.assignee_id).first()
        if assignee is None:
            raise WorkspaceError(_("This agent does not exist."))
    if update.status and update.status not in Status.values:
        raise WorkspaceError(_("Unknown status."))
    with transaction.atomic():
        if update.body.strip():
            comment_add(ticket=ticket, author=agent, body=update.body, is_public=update.is_public)
        current = ticket_assign(ticket=ticket, assignee=assignee, actor=agent)
        if update.priority:
            current = ticket_set_priority(ticket=current, priority=update.priority, actor=agent)
        if update.status and update.status != current.status:
            current = ticket_transition(ticket=current, target=update.status, actor_user=agent, actor=Actor.AGENT)
    return Ticket.objects.get(pk=ticket.pk)


class BulkRefused(Exception):
    """A bulk change refused for some tickets; nothing was changed. ``problems`` maps number to reason."""

    def __init__(self, problems: dict[int, str]) -> None:
        super().__init__("; ".join(f"#{number}: {reason}" for number, reason in problems.items()))
        self.problems = problems


def tickets_bulk_assign(
    *, tickets: list[Ticket], assignee: AbstractBaseUser | None, actor: AbstractBaseUser
) -> list[Ticket]:
    """Assign every ticket, or none when one of them cannot take this assignee."""
    problems = {}
    for ticket in tickets:
        try:
            _check_assignee(ticket, assignee)
        except WorkspaceError as error:
            problems[ticket.number] = error.message
    if problems:
        raise BulkRefused(problems)
    with transaction.atomic():
        return [ticket_assign(ticket=ticket, assignee=assignee, actor=actor) for ticket in tickets]


def tickets_bulk_transition(*, tickets: list[Ticket], target: str, actor: AbstractBaseUser) -> list[Ticket]:
    """Move every ticket to ``target``, or none when the lifecycle refuses one of them.

    Tickets already in ``target`` are left as they are (not an error for a bulk action).
    """
    problems = {}
    to_move = []
    for ticket in tickets:
        if ticket.status == target:
            continue
        try:
            check_transition(ticket.status, target, Actor.AGENT)
        except TicketTransitionError as error:
            problems[ticket.number] = error.message
        else:
            to_move.append(ticket)
    if problems:
        raise BulkRefused(problems)
    with transaction.atomic():
        return [
            ticket_transition(ticket=ticket, target=target, actor_user=actor, actor=Actor.AGENT) for ticket in to_move
        ]


__all__ = [
    "BulkRefused",
    "TicketInputError",
    "TicketUpdate",
    "WorkspaceError",
    "ticket_assign",
    "ticket_set_priority",
    "ticket_update",
    "tickets_bulk_assign",
    "tickets_bulk_transition",
]
