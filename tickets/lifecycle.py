"""The ticket lifecycle as a table: which status may follow which, and who may make the move.

new → open → pending (waiting on the customer) → solved → closed. Two tables:

- ``TRANSITIONS`` and ``_ALLOWED_TARGETS``: a status someone asks for (an agent's form, the
  customer's "mark as solved", the solve link), checked by ``check_transition``.
- ``EVENT_TRANSITIONS``: what an event does to each status, decided by ``event_target``. A
  customer reply on pending or solved reopens; an agent's first public reply opens a new ticket;
  auto-close closes a solved one. Closed is final (a later reply becomes a follow-up ticket).

Every status change in ``tickets.services`` goes through one of the two.
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


class Event(StrEnum):
    """Something that happens to a ticket and may move its status as a side effect."""

    CUSTOMER_REPLY = "customer_reply"
    AGENT_PUBLIC_REPLY = "agent_public_reply"
    AUTO_CLOSE = "auto_close"


# For each event, the status it leads to from each status it is allowed in (``None``: allowed,
# the status stays). A status missing from an event's row refuses the event.
EVENT_TRANSITIONS: dict[Event, dict[str, str | None]] = {
    Event.CUSTOMER_REPLY: {
        Status.NEW: None,
        Status.OPEN: None,
        Status.PENDING: Status.OPEN,
        Status.SOLVED: Status.OPEN,
    },
    Event.AGENT_PUBLIC_REPLY: {
        Status.NEW: Status.OPEN,
        Status.OPEN: None,
        Status.PENDING: None,
        Status.SOLVED: None,
    },
    Event.AUTO_CLOSE: {Status.SOLVED: Status.CLOSED},
}

REOPENED_BY_CUSTOMER_REPLY: frozenset[str] = frozenset(
    current for current, target in EVENT_TRANSITIONS[Event.CUSTOMER_REPLY].items() if target == Status.OPEN
)


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


def event_target(current: str, event: Event) -> str | None:
    """The status ``event`` moves a ticket in ``current`` to (``None``: it stays); raises
    ``TicketTransitionError`` when the event is not allowed in that status."""
    row = EVENT_TRANSITIONS[event]
    if current in row:
        return row[current]
    if current == Status.CLOSED:
        raise TicketTransitionError(
            str(_("This request is closed and can no longer change.")), current=current, target=current
        )
    labels = dict(Status.choices)
    target = next((status for status in row.values() if status), current)
    raise TicketTransitionError(
        str(
            _("A request that is “%(current)s” cannot become “%(target)s”.")
            % {"current": labels.get(current, current), "target": labels.get(target, target)}
        ),
        current=current,
        target=target,
    )
