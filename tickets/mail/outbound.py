"""Outgoing ticket email, the one pipeline: promised in the transaction of the change, sent once.

Every email about a ticket (acknowledgement, replies, solved/closed, CSAT, automatic answers,
the queue agents' new-request notice) is a kind of ``OutboundMessage``, sent by
``outbound_send`` (the ``send_outbound`` task, or inline by ``process_new_ticket``) and
recovered by ``outbound_sweep``.

Every notification is an ``OutboundMessage`` row with a unique key (``reply:<comment>``,
``solved:<ticket>:<time>``…), written in the same transaction as the comment or status change it
announces and queued on commit; the sweeper queues rows a lost task left behind. Sending claims
the row first, so two workers never send the same message, and a failed send releases the claim
for the retry.

Messages are rendered in the requester's language, as text and HTML, and carry Message-ID,
In-Reply-To and References (mail clients thread them) and a signed Reply-To for the ticket.
They go to the requester's support contact email when one is set, not the sign-in address.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import make_msgid

from celery import signature
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import support_profile_for
from accounts.selectors import notification_email_for, wants_email_notifications
from portal.links import absolute_url
from tickets import conf as ticket_conf
from tickets.audit import event_record
from tickets.links import solve_link_token, suggested_articles
from tickets.mail import conf
from tickets.mail.addresses import reply_address
from tickets.mail.models import InboundMessage, OutboundMessage, Rating
from tickets.models import Attachment, Comment, Status, Ticket, TicketEvent

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
CSAT_SALT = "tickets.mail.csat"
# Kinds the requester can turn off with "email notifications" in their settings.
_OPTIONAL_KINDS = frozenset({Kind.AGENT_REPLY, Kind.SOLVED, Kind.CLOSED, Kind.SATISFACTION})
# Kinds written by a person (an agent's reply); the rest are machine-generated (RFC 3834).
_HUMAN_KINDS = frozenset({Kind.AGENT_REPLY})
_AUTO_REPLY_KINDS = frozenset({Kind.NOT_ENTITLED, Kind.NEW_REQUEST_NEEDED})
# Kinds that go to an agent (the assignee, the queue's agents) rather than to the requester.
_TO_ASSIGNEE_KINDS = frozenset({Kind.REQUESTER_REPLY})
_TO_AGENT_KINDS = frozenset({Kind.REQUESTER_REPLY, Kind.AGENT_NEW_TICKET})
# Kinds another app writes itself (subject and text) and hands over ready to send.
_PREBUILT_KINDS = frozenset({Kind.CONTACT_EMAIL})
# Notices to the queue's agents are not part of the conversation with the requester.
_OUTSIDE_THREAD_KINDS = frozenset({Kind.AGENT_NEW_TICKET})
# The send task, queued by name (a signature): its module imports this one.
SEND_TASK = "tickets_mail.send_outbound"
_MAX_REFERENCES = 10


class SkipMessage(Exception):
    """Nothing to send for this row (recipient opted out, has no address, ticket gone)."""


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
        recipient__iexact=recipient, kind__in=list(_AUTO_REPLY_KINDS), created_at__gte=since
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
    if kind not in _PREBUILT_KINDS:
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


# --- Building -------------------------------------------------------------------------------------


def csat_token(ticket: Ticket, rating: str) -> str:
    return signing.dumps({"t": ticket.pk, "r": rating}, salt=CSAT_SALT, compress=True)


def recipient_for(ticket: Ticket) -> str:
    """The requester's verified support contact email, else the sign-in email (accounts decides)."""
    return notification_email_for(ticket.requester)


def language_for(row: OutboundMessage) -> str:
    languages = dict(settings.LANGUAGES)
    ticket = row.ticket
    if row.recipient_user is not None:
        agent_language = support_profile_for(row.recipient_user).language
        return agent_language if agent_language in languages else settings.LANGUAGE_CODE
    if ticket is not None and row.kind in _TO_ASSIGNEE_KINDS and ticket.assignee is not None:
        agent_language = support_profile_for(ticket.assignee).language
        return agent_language if agent_language in languages else settings.LANGUAGE_CODE
    if ticket is not None:
        profile_language = support_profile_for(ticket.requester).language
        if profile_language in languages:
            return profile_language
        if ticket.language in languages:
            return ticket.language
    if row.in_reply_to_inbound is not None and row.in_reply_to_inbound.sender_user is not None:
        profile_language = support_profile_for(row.in_reply_to_inbound.sender_user).language
        if profile_language in languages:
            return profile_language
    return settings.LANGUAGE_CODE


def _subject(row: OutboundMessage, ticket: Ticket | None) -> str:
    values = {"number": ticket.number if ticket else "", "subject": ticket.subject if ticket else ""}
    if row.kind == Kind.ACKNOWLEDGEMENT:
        return _("[#%(number)s] We received your request: %(subject)s") % values
    if row.kind == Kind.FOLLOW_UP:
        values["previous"] = ticket.follow_up_of.number if ticket.follow_up_of else ""
        return _("[#%(number)s] Follow-up to request #%(previous)s: %(subject)s") % values
    if row.kind == Kind.AGENT_REPLY:
        return _("Re: [#%(number)s] %(subject)s") % values
    if row.kind == Kind.REQUESTER_REPLY:
        values["requester"] = _requester_label(ticket) if ticket else ""
        return _("[#%(number)s] %(requester)s replied: %(subject)s") % values
    if row.kind == Kind.SOLVED:
        return _("[#%(number)s] Your request is solved: %(subject)s") % values
    if row.kind == Kind.CLOSED:
        return _("[#%(number)s] Your request is closed: %(subject)s") % values
    if row.kind == Kind.SATISFACTION:
        return _("[#%(number)s] How did we do? %(subject)s") % values
    if row.kind == Kind.NEW_REQUEST_NEEDED:
        return _("[#%(number)s] This request is closed: please open a new one") % values
    if row.kind == Kind.AGENT_NEW_TICKET:
        values["queue"] = ticket.queue.name if ticket and ticket.queue else ""
        return _("[#%(number)s] New request in %(queue)s: %(subject)s") % values
    original = row.in_reply_to_inbound.subject if row.in_reply_to_inbound else ""
    return _("How to get help: %(subject)s") % {"subject": original or _("your message")}


def _context(row: OutboundMessage, ticket: Ticket | None) -> dict[str, object]:
    context: dict[str, object] = {
        "kind": row.kind,
        "ticket": ticket,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "help_url": absolute_url("/help/"),
        "new_request_url": absolute_url("/requests/new"),
        "community_url": settings.COMMUNITY_URL,
    }
    if ticket is not None:
        to_agent = row.kind in _TO_AGENT_KINDS
        path = reverse("agents:ticket", args=[ticket.number]) if to_agent else ticket.get_absolute_url()
        context["ticket_url"] = absolute_url(path)
    if row.comment is not None:
        author = row.comment.author
        context["comment"] = row.comment
        if row.kind == Kind.REQUESTER_REPLY:
            context["author_name"] = _requester_label(ticket)
        else:
            context["author_name"] = (author.get_full_name() or author.get_short_name()) if author else ""
    if row.kind in {Kind.ACKNOWLEDGEMENT, Kind.FOLLOW_UP} and ticket is not None:
        context["articles"] = suggested_articles(ticket)
        context["solve_url"] = absolute_url(f"/requests/solve/{solve_link_token(ticket)}")
        context["previous"] = ticket.follow_up_of
    if row.kind == Kind.SATISFACTION and ticket is not None:
        context["good_url"] = absolute_url(f"/requests/rate/{csat_token(ticket, Rating.GOOD)}")
        context["bad_url"] = absolute_url(f"/requests/rate/{csat_token(ticket, Rating.BAD)}")
        context["rate_url"] = absolute_url(f"/requests/{ticket.number}/rate")
    if row.kind == Kind.AGENT_NEW_TICKET:
        context["agent"] = row.recipient_user
    if row.kind == Kind.NEW_REQUEST_NEEDED:
        context["follow_up_days"] = ticket_conf.follow_up_days()
    return context


def _files_to_attach(row: OutboundMessage) -> list[Attachment]:
    """The files of an agent's reply, when they fit in one email; otherwise none (the page has them)."""
    if row.kind != Kind.AGENT_REPLY or row.comment is None:
        return []
    files = list(row.comment.attachments.all())
    return files if sum(attachment.size for attachment in files) <= conf.attachments_max_bytes() else []


def _requester_label(ticket: Ticket) -> str:
    """How the assignee is told who wrote: the requester's name, else their address."""
    requester = ticket.requester
    return requester.get_full_name() or requester.get_short_name() or requester.email


def _thread(row: OutboundMessage, ticket: Ticket | None) -> tuple[str, list[str]]:
    """In-Reply-To and References: the message answered, after the first and latest of the thread."""
    if ticket is None:
        answered = row.in_reply_to_inbound.message_id if row.in_reply_to_inbound else ""
        return answered, [answered] if answered else []
    received = InboundMessage.objects.filter(ticket=ticket, status=InboundMessage.Status.PROCESSED).values_list(
        "message_id", "received_at"
    )
    sent = (
        OutboundMessage.objects.filter(ticket=ticket, status=OutboundMessage.Status.SENT)
        .exclude(pk=row.pk)
        .exclude(kind__in=list(_OUTSIDE_THREAD_KINDS))
        .values_list("message_id", "sent_at")
    )
    thread = [message_id for message_id, _when in sorted([*received, *sent], key=lambda item: item[1])]
    if ticket.follow_up_of_id and not thread:
        previous = OutboundMessage.objects.filter(
            ticket_id=ticket.follow_up_of_id, status=OutboundMessage.Status.SENT
        ).exclude(kind__in=list(_OUTSIDE_THREAD_KINDS))
        thread = list(previous.order_by("sent_at").values_list("message_id", flat=True))
    answered = row.in_reply_to_inbound.message_id if row.in_reply_to_inbound else (thread[-1] if thread else "")
    references: list[str] = []
    for message_id in thread[:1] + thread[-(_MAX_REFERENCES - 2) :]:
        if message_id and message_id != answered and message_id not in references:
            references.append(message_id)
    if answered:
        references.append(answered)  # RFC 5322: the parent comes last
    return answered, references


def build(row: OutboundMessage) -> EmailMultiAlternatives:
    """The email for ``row``, in the recipient's language; raises ``SkipMessage`` when none should go."""
    if row.kind in _PREBUILT_KINDS:
        return _prebuilt(row)
    ticket = row.ticket
    if ticket is not None and row.kind in _OPTIONAL_KINDS and not wants_email_notifications(ticket.requester):
        raise SkipMessage("the requester turned email notifications off")
    recipient = row.recipient or (recipient_for(ticket) if ticket is not None else "")
    if not recipient:
        raise SkipMessage("no recipient address")
    language = language_for(row)
    files = _files_to_attach(row)
    with translation.override(language):
        context = {**_context(row, ticket), "files_attached": bool(files)}
        subject = " ".join(_subject(row, ticket).split())[:300]
        text = render_to_string(f"tickets/mail/{row.kind}.txt", context)
        html = render_to_string(f"tickets/mail/{row.kind}.html", context)
    in_reply_to, references = _thread(row, ticket)
    headers = {
        "Message-ID": row.message_id,
        "X-Auto-Response-Suppress": "All",  # no out-of-office answers from Exchange
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    if row.kind in _AUTO_REPLY_KINDS:
        headers["Auto-Submitted"] = "auto-replied"
    elif row.kind not in _HUMAN_KINDS:
        headers["Auto-Submitted"] = "auto-generated"
    if ticket is not None:
        headers["X-Answerfirst-Ticket"] = str(ticket.number)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[reply_address(ticket.number)] if ticket is not None else None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for attachment in files:
        with attachment.file.open("rb") as stored:
            message.attach(attachment.original_name, stored.read(), attachment.content_type)
    row.recipient, row.language, row.subject = recipient, language, subject
    row.in_reply_to, row.references = in_reply_to, " ".join(references)
    return message


def _prebuilt(row: OutboundMessage) -> EmailMultiAlternatives:
    """The email of a message written by another app: its own subject and text, as they are."""
    if not row.recipient:
        raise SkipMessage("no recipient address")
    row.language = row.language or settings.LANGUAGE_CODE
    return EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers={"Message-ID": row.message_id, "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
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
