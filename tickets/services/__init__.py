"""Every write to tickets, one module per concern; callers read ``from tickets import services``.

- ``creation``: validation, entitlement and route, numbering, the deflection draft.
- ``thread``: ``reply_add`` (the one agent-or-customer decision), comments, follow-ups.
- ``lifecycle``: status changes through the tables of ``tickets.lifecycle``, the solve link, auto-close.
- ``attachments``: storing files, removing orphans.
- ``processing``: the outbox, triage, agent notifications, the outbox sweeper.
- ``tickets.links`` (a leaf outside the package, so the mail builder can use it): the solve
  token, suggested articles, absolute URLs.

Services are keyword-only and atomic. They raise domain errors (``TicketInputError``,
``NotEntitled``, ``FollowUpWindowClosed``, ``TicketTransitionError``, ``AttachmentRejected``)
that views and the API turn into clear 4xx messages; when one is raised nothing has been saved.
"""

from tickets.attachments import AttachmentRejected
from tickets.lifecycle import TicketTransitionError
from tickets.links import absolute_url, solve_link_token, suggested_articles

# The acknowledgement is built and sent by the mail pipeline; named here for callers of the services.
from tickets.mail.outbound import acknowledgement_send
from tickets.services.attachments import attachment_files_purge, attachments_store, files_removed_on_error
from tickets.services.creation import ticket_create
from tickets.services.errors import (
    BODY_MAX,
    SUBJECT_MAX,
    DraftNotFound,
    FollowUpWindowClosed,
    NotEntitled,
    TicketInputError,
)
from tickets.services.lifecycle import (
    is_agent_on,
    ticket_event_apply,
    ticket_solve_from_link,
    ticket_transition,
    tickets_auto_close,
)
from tickets.services.processing import (
    agents_notify_new,
    new_ticket_process,
    outbox_promise,
    outbox_sweep,
    queue_agents,
    queue_for,
    ticket_triage,
    triage_priority,
)
from tickets.services.thread import comment_add, customer_reply, reply_add

__all__ = [
    "BODY_MAX",
    "SUBJECT_MAX",
    "AttachmentRejected",
    "DraftNotFound",
    "FollowUpWindowClosed",
    "NotEntitled",
    "TicketInputError",
    "TicketTransitionError",
    "absolute_url",
    "acknowledgement_send",
    "agents_notify_new",
    "attachment_files_purge",
    "attachments_store",
    "comment_add",
    "customer_reply",
    "files_removed_on_error",
    "is_agent_on",
    "new_ticket_process",
    "outbox_promise",
    "outbox_sweep",
    "queue_agents",
    "queue_for",
    "reply_add",
    "solve_link_token",
    "suggested_articles",
    "ticket_create",
    "ticket_event_apply",
    "ticket_solve_from_link",
    "ticket_transition",
    "ticket_triage",
    "tickets_auto_close",
    "triage_priority",
]
