"""The ticket lifecycle as a table: which status may follow which, and who may make the move.

new → open → pending (waiting on the customer) → solved → closed. A customer reply on pending
or solved reopens; closed is final (a later reply becomes a follow-up ticket).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from tickets.models import Status


class Actor(StrEnum):
    """Who asks for a transition; the table says what each may do."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Customers may only solve their own request by hand; reopening happens through a reply
# (``REOPENED_BY_CUSTOMER_REPLY``) and closing through the auto-close task.
_ALLOWED_TARGETS: dict[Actor, frozenset[str]] = {
    Actor.CUSTOMER: frozenset({Status.SOLVED}),
    Actor.AGENT: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED}),
    Actor.SYSTEM: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED}),
}

REOPENED_BY_CUSTOMER_REPLY: frozenset[str] = frozenset({Status.PENDING, Status.SOLVED})


class TicketTransitionError(Exception):
    """A status change the lifecycle refuses; ``message`` is translated and safe to show."""

    def __init__(self, message: str, *, current: str, target: str) -> None:
        super().__init__(message)
        self.message = message
        self.current = current
        self.target = target


def allowed_targets(current: str, actor: Actor) -> frozenset[str]:
    """The statuses ``actor`` may move a ticket in ``current`` to."""
    return TRANSITIONS.get(current, frozenset()) & _ALLOWED_TARGETS[actor]


def check_transition(current: str, target: str, actor: Actor) -> None:
    """Raise ``TicketTransitionError`` unless ``actor`` may move a ticket from ``current`` to ``target``."""
    labels = dict(Status.choices)
    if target not in labels:
        raise TicketTransitionError(str(_("Unknown status.")), current=current, target=target)
    if current == target:
        raise TicketTransitionError(
            str(_("This request is already “%(status)s”.") % {"status": labels[current]}),
            current=current,
            target=target,
        )
    if current == Status.CLOSED:
        raise TicketTransitionError(
            str(_("This request is closed and can no longer change.")), current=current, target=target
        )
    if target not in TRANSITIONS.get(current, frozenset()):
        raise TicketTransitionError(
            str(
                _("A request that is “%(current)s” cannot become “%(target)s”.")
                % {"current": labels[current], "target": labels[target]}
            ),
            current=current,
            target=target,
        )
    if target not in _ALLOWED_TARGETS[actor]:
        raise TicketTransitionError(
            str(_("You are not allowed to set this request to “%(target)s”.") % {"target": labels[target]}),
            current=current,
            target=target,
        )
