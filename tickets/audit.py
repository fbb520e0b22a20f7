"""The ticket audit trail: the one function that writes ``TicketEvent`` rows.

Services, the agent workspace, the SLA checker and the mail sender all record through it, so
every row has the same shape (actor only when signed in, values cut to the column's length).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from tickets.models import Ticket, TicketEvent

VALUE_MAX = 200


def event_record(
    *,
    ticket: Ticket | int,
    kind: str,
    actor: AbstractBaseUser | None = None,
    field: str = "",
    old: object = "",
    new: object = "",
) -> TicketEvent:
    """Write one audit row for ``ticket`` (an instance or its id); ``None`` values are stored empty."""
    ticket_ref = {"ticket_id": ticket} if isinstance(ticket, int) else {"ticket": ticket}
    return TicketEvent.objects.create(
        **ticket_ref,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        field=field,
        old_value=str(old if old is not None else "")[:VALUE_MAX],
        new_value=str(new if new is not None else "")[:VALUE_MAX],
    )
