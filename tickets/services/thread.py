"""The thread of a ticket: replies and internal notes, from the web, the API and email alike.

``reply_add`` is the one place that decides whether a reply is an agent's or the customer's;
the status moves that follow a reply are rows of the lifecycle table (``Event``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import conf
from tickets.attachments import check_uploads
from tickets.audit import event_record
from tickets.lifecycle import Event, TicketTransitionError, event_target
from tickets.mail.outbound import notify_comment_added
from tickets.models import Channel, Comment, Status, Ticket, TicketEvent
from tickets.services.attachments import attachments_store, files_removed_on_error
from tickets.services.creation import ticket_create
from tickets.services.errors import (
    BODY_MAX,
    SUBJECT_MAX,
    FollowUpWindowClosed,
    NotEntitled,
    TicketInputError,
    clean_text,
)
from tickets.services.lifecycle import is_agent_on, ticket_event_apply


def reply_add(
    *,
    ticket: Ticket,
    author: AbstractBaseUser,
    body: str,
    is_public: bool = True,
    channel: str = Channel.WEB,
    files: Iterable[UploadedFile] = (),
) -> tuple[Comment | None, Ticket]:
    """A reply by ``author``: an agent's comment or note, or the customer's reply (a follow-up
    ticket when theirs is closed). Returns (comment, ticket the reply landed on)."""
    if is_agent_on(author, ticket):
        comment = comment_add(
            ticket=ticket, author=author, body=body, is_public=is_public, channel=channel, files=files
        )
        return comment, ticket
    if not is_public:
        raise NotEntitled(_("Only agents can add internal notes."))
    return customer_reply(ticket=ticket, author=author, body=body, channel=channel, files=files)


def comment_add(
    *,
    ticket: Ticket,
    author: AbstractBaseUser,
    body: str,
    is_public: bool = True,
    channel: str = Channel.WEB,
    files: Iterable[UploadedFile] = (),
) -> Comment:
    """Add a reply or internal note (with files) to a ticket that is not closed.

    The status follows the table: a customer reply on a pending or solved ticket reopens it; an
    agent's public reply opens a new one (and the first one records the first response).
    """
    uploads = list(files)
    text = clean_text(body, field="body", label=_("Message"), max_length=BODY_MAX, required=not uploads)
    agent = is_agent_on(author, ticket)
    if not agent and not is_public:
        raise TicketInputError(_("Only agents can add internal notes."), field="is_public")
    if channel not in Channel.values:
        raise TicketInputError(_("Unknown channel."), field="channel")
    event = None if not is_public else (Event.AGENT_PUBLIC_REPLY if agent else Event.CUSTOMER_REPLY)
    with files_removed_on_error() as written, transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Status.CLOSED:
            raise TicketTransitionError(
                _("This request is closed and can no longer change."), current=locked.status, target=locked.status
            )
        if event is not None:
            event_target(locked.status, event)  # refused before anything is written
        checked = check_uploads(uploads, already_on_ticket=locked.attachments.count())
        comment = Comment.objects.create(ticket=locked, author=author, body=text, is_public=is_public, channel=channel)
        event_record(
            ticket=locked, actor=author, kind=TicketEvent.Kind.COMMENT, field="public" if is_public else "note"
        )
        attachments_store(locked, checked, comment=comment, uploaded_by=author, written=written)
        notify_comment_added(comment=comment, by_agent=agent)
        now = timezone.now()
        changed = event is not None and ticket_event_apply(locked=locked, event=event, actor_user=author, now=now)
        if event == Event.AGENT_PUBLIC_REPLY and locked.first_response_at is None:
            locked.first_response_at = now
            locked.save(update_fields=["first_response_at", "updated_at"])
        elif not changed:
            locked.save(update_fields=["updated_at"])
    return comment


def customer_reply(
    *,
    ticket: Ticket,
    author: AbstractBaseUser,
    body: str,
    channel: str = Channel.WEB,
    files: Iterable[UploadedFile] = (),
) -> tuple[Comment | None, Ticket]:
    """A requester's reply: a comment on the ticket, or a follow-up ticket when it is closed.

    Returns (comment, ticket the reply landed on). Raises ``FollowUpWindowClosed`` when the
    ticket closed longer ago than ``TICKETS_FOLLOW_UP_DAYS``.
    """
    if ticket.status != Status.CLOSED:
        return comment_add(ticket=ticket, author=author, body=body, channel=channel, files=files), ticket
    closed_at = ticket.closed_at or ticket.updated_at
    if timezone.now() - closed_at > dt.timedelta(days=conf.follow_up_days()):
        raise FollowUpWindowClosed(
            _("This request was closed more than %(days)d days ago. Please open a new request.")
            % {"days": conf.follow_up_days()}
        )
    follow_up = ticket_create(
        requester=author,
        subject=(_("Follow-up: %(subject)s") % {"subject": ticket.subject})[:SUBJECT_MAX],
        description=body,
        product_area=ticket.product_area,
        language=ticket.language,
        channel=channel,
        files=files,
        follow_up_of=ticket,
    )
    return None, follow_up
