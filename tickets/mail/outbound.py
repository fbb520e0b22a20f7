"""Outgoing ticket email, the one pipeline: promised in the transaction of the change, sent once.

Every email the product sends (acknowledgement, replies, solved/closed, CSAT, automatic answers,
the queue agents' new-request notice, accounts' contact-email confirmation) is a kind of
``OutboundMessage``, sent by ``outbound_send`` (the ``send_outbound`` task, or inline by
``process_new_ticket``) and recovered by ``outbound_sweep``.

Every notification is an ``OutboundMessage`` row with a unique key (``reply:<comment>``,
``solved:<ticket>:<time>``…), written in the same transaction as the comment or status change it
announces and queued on commit; the sweeper queues rows a lost task left behind. Sending claims
the row first, so two workers never send the same message, and a failed send releases the claim
for the retry.

``tickets.mail.building`` renders each message in its recipient's language, with its thread
headers; requester mail goes to their support contact email when one is set.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import make_msgid

from celery import signature
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tickets.audit import event_record
from tickets.mail import conf
from tickets.mail.building import AUTO_REPLY_KINDS, PREBUILT_KINDS, SkipMessage, build
from tickets.mail.models import InboundMessage, OutboundMessage
from tickets.models import Comment, Status, Ticket, TicketEvent

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
# The send task, queued by name (a signature): its module imports this one.
SEND_TASK = "tickets_mail.send_outbound"


# --- Promises (called inside the transaction of the change) ----------------------------------------


def new_message_id() -> str:
    return make_msgid(idstring="af", domain=conf.reply_domain())


def promise(
    *,
    key: str,
    kind: str,
    ticket: Ticket | None = None,
    comment: Comment | None = None,
    inbound: InboundMessage | None = None,
    recipient: str = "",
    recipient_user: AbstractBaseUser | None = None,
    queue: bool = True,
) -> OutboundMessage:
    """Record a notification to send once; a repeated key returns the existing row and queues nothing."""
    row, created = OutboundMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "kind": kind,
            "ticket": ticket,
            "comment": comment,
            "in_reply_to_inbound": inbound,
            "recipient": recipient,
            "recipient_user": recipient_user,
            "message_id": new_message_id(),
        },
    )
    if created and queue:
        transaction.on_commit(lambda: enqueue(row.pk))
    return row


def enqueue(outbound_id: int) -> None:
    """Queue the send task; a broker outage leaves the row pending for the sweeper."""
    try:
        signature(SEND_TASK, args=[outbound_id]).delay()
    except Exception:
        logger.exception("could not queue outbound email %s; the sweeper will retry", outbound_id)


def _stamp(moment: dt.datetime | None) -> str:
    return str(int(moment.timestamp())) if moment else "0"


def notify_comment_added(*, comment: Comment, by_agent: bool) -> OutboundMessage | None:
    """Hook of ``tickets.services.comment_add``: an agent's public reply is mailed to the requester; the
    requester's reply (web, email or API) to the assigned agent, who can answer it by email too."""
    if not comment.is_public:
        return None
    if by_agent:
        return promise(key=f"reply:{comment.pk}", kind=Kind.AGENT_REPLY, ticket=comment.ticket, comment=comment)
    assignee = comment.ticket.assignee
    if assignee is None or not assignee.is_active or assignee.pk == comment.author_id:
        return None
    return promise(
        key=f"requester-reply:{comment.pk}",
        kind=Kind.REQUESTER_REPLY,
        ticket=comment.ticket,
        comment=comment,
        recipient=assignee.email,
    )


def notify_status_changed(*, ticket: Ticket, old: str, new: str) -> list[OutboundMessage]:
    """Hook of the core's status changes: solved (with the satisfaction request) and closed are mailed."""
    if new == Status.SOLVED:
        stamp = _stamp(ticket.solved_at)
        return [
            promise(key=f"solved:{ticket.pk}:{stamp}", kind=Kind.SOLVED, ticket=ticket),
            promise(key=f"csat:{ticket.pk}:{stamp}", kind=Kind.SATISFACTION, ticket=ticket),
        ]
    if new == Status.CLOSED:
        return [promise(key=f"closed:{ticket.pk}", kind=Kind.CLOSED, ticket=ticket)]
    return []


def auto_reply_promise(
    *, kind: str, inbound: InboundMessage, recipient: str, ticket: Ticket | None = None
) -> OutboundMessage | None:
    """An automatic answer to ``inbound``, unless this address already got its daily share (loop guard)."""
    recipient = recipient.strip().lower()
    if not recipient:
        return None
    since = timezone.now() - dt.timedelta(days=1)
    recent = OutboundMessage.objects.filter(
        recipient__iexact=recipient, kind__in=list(AUTO_REPLY_KINDS), created_at__gte=since
    ).count()
    if recent >= conf.auto_replies_per_sender_per_day():
        logger.warning("no automatic reply to %s: %d sent in the last day", recipient, recent)
        return None
    return promise(key=f"{kind}:{inbound.pk}", kind=kind, ticket=ticket, inbound=inbound, recipient=recipient)


def acknowledgement_send(*, ticket_id: int) -> bool:
    """The acknowledgement of a new ticket (a follow-up notice for follow-ups), sent once, now.

    Called by the core's ``process_new_ticket`` task, which already runs outside any request.
    """
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return False
    kind = Kind.FOLLOW_UP if ticket.follow_up_of_id else Kind.ACKNOWLEDGEMENT
    origin = InboundMessage.objects.filter(ticket=ticket, created_ticket=True).order_by("pk").first()
    row = promise(key=f"ack:{ticket.pk}", kind=kind, ticket=ticket, inbound=origin, queue=False)
    return outbound_send(outbound_id=row.pk)


def prebuilt_promise(
    *, key: str, kind: str, recipient: str, subject: str, body: str, recipient_user: AbstractBaseUser | None = None
) -> OutboundMessage:
    """A message another app wrote (accounts' contact-email confirmation), sent once after the
    commit by the same task and sweeper as ticket mail; a repeated key queues nothing.

    Named by ``ACCOUNTS_MAIL_OUTBOX`` in the settings: accounts may not import tickets.
    """
    if kind not in PREBUILT_KINDS:
        raise ValueError(f"{kind!r} is not a message another app may write")
    row = promise(key=key, kind=kind, recipient=recipient, recipient_user=recipient_user)
    if not row.body:
        OutboundMessage.objects.filter(pk=row.pk).update(subject=subject[:300], body=body)
    return row


def agent_new_ticket_promise(*, ticket: Ticket, agent: AbstractBaseUser) -> OutboundMessage:
    """The new-request notice to one agent of the ticket's queue (once per agent), not queued:
    ``process_new_ticket`` sends it inline and the sweeper recovers it if that run dies."""
    return promise(
        key=f"agent-new:{ticket.pk}:{agent.pk}",
        kind=Kind.AGENT_NEW_TICKET,
        ticket=ticket,
        recipient=agent.email,
        recipient_user=agent,
        queue=False,
    )


# --- Sending --------------------------------------------------------------------------------------


def outbound_send(*, outbound_id: int) -> bool:
    """Send one promised message unless it was sent (or is being sent); True if this call sent it."""
    now = timezone.now()
    with transaction.atomic():
        row = OutboundMessage.objects.select_for_update().filter(pk=outbound_id).first()
        if row is None or row.status != OutboundMessage.Status.PENDING:
            return False
        if row.claimed_at is not None and now - row.claimed_at < dt.timedelta(minutes=conf.claim_minutes()):
            return False  # another worker is sending it right now
        OutboundMessage.objects.filter(pk=row.pk).update(claimed_at=now, attempts=F("attempts") + 1)
    # Related rows are read after the lock: PostgreSQL cannot lock the nullable side of a join.
    row = (
        OutboundMessage.objects.select_related(
            "ticket__requester", "ticket__follow_up_of", "comment__author", "in_reply_to_inbound", "recipient_user"
        )
        .filter(pk=row.pk)
        .get()
    )
    try:
        message = build(row)
    except SkipMessage as skip:
        OutboundMessage.objects.filter(pk=row.pk).update(status=OutboundMessage.Status.SKIPPED, last_error=str(skip))
        logger.info("outbound %s skipped: %s", row.key, skip)
        return False
    try:
        message.send()
    except Exception as error:
        OutboundMessage.objects.filter(pk=row.pk).update(claimed_at=None, last_error=repr(error)[:2000])
        raise
    sent_at = timezone.now()
    OutboundMessage.objects.filter(pk=row.pk).update(
        status=OutboundMessage.Status.SENT,
        sent_at=sent_at,
        recipient=row.recipient,
        language=row.language,
        subject=row.subject,
        in_reply_to=row.in_reply_to,
        references=row.references,
        last_error="",
    )
    if row.ticket_id is not None:
        event_record(ticket=row.ticket_id, kind=TicketEvent.Kind.NOTIFIED, field=row.kind, new=row.language)
    logger.info("outbound %s sent to %s as %s", row.key, row.recipient, row.message_id)
    return True


def outbound_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again pending messages whose task never ran or died; returns their ids."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=conf.retry_minutes())
    claim_cutoff = now - dt.timedelta(minutes=conf.claim_minutes())
    stale = list(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING, created_at__lt=cutoff)
        .exclude(claimed_at__gte=claim_cutoff)
        .values_list("pk", flat=True)[:500]
    )
    for outbound_id in stale:
        enqueue(outbound_id)
    if stale:
        logger.warning("outbound sweeper re-queued %d email(s)", len(stale))
    return stale
