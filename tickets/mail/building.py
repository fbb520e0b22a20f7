"""Building ticket email: the message for one ``OutboundMessage`` row, in the recipient's language.

Subject, text and HTML from the kind's templates, the thread headers (Message-ID, In-Reply-To,
References, RFC 3834 Auto-Submitted), a signed Reply-To for the ticket and, for an agent's reply,
its files. ``tickets.mail.outbound`` promises the rows and sends what this module builds.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import support_profile_for
from accounts.selectors import notification_email_for, wants_email_notifications
from portal.links import absolute_url
from tickets import conf as ticket_conf
from tickets.links import solve_link_token, suggested_articles
from tickets.mail import conf
from tickets.mail.addresses import reply_address
from tickets.mail.models import InboundMessage, OutboundMessage, Rating
from tickets.models import Attachment, Ticket

Kind = OutboundMessage.Kind
CSAT_SALT = "tickets.mail.csat"
# Kinds the requester can turn off with "email notifications" in their settings.
_OPTIONAL_KINDS = frozenset({Kind.AGENT_REPLY, Kind.SOLVED, Kind.CLOSED, Kind.SATISFACTION})
# Kinds written by a person (an agent's reply); the rest are machine-generated (RFC 3834).
_HUMAN_KINDS = frozenset({Kind.AGENT_REPLY})
AUTO_REPLY_KINDS = frozenset({Kind.NOT_ENTITLED, Kind.NEW_REQUEST_NEEDED})
# Kinds that go to an agent (the assignee, the queue's agents) rather than to the requester.
_TO_ASSIGNEE_KINDS = frozenset({Kind.REQUESTER_REPLY})
_TO_AGENT_KINDS = frozenset({Kind.REQUESTER_REPLY, Kind.AGENT_NEW_TICKET})
# Kinds another app writes itself (subject and text) and hands over ready to send.
PREBUILT_KINDS = frozenset({Kind.CONTACT_EMAIL})
# Notices to the queue's agents are not part of the conversation with the requester.
_OUTSIDE_THREAD_KINDS = frozenset({Kind.AGENT_NEW_TICKET})
_MAX_REFERENCES = 10


class SkipMessage(Exception):
    """Nothing to send for this row (recipient opted out, has no address, ticket gone)."""


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
    if row.kind in PREBUILT_KINDS:
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
    if row.kind in AUTO_REPLY_KINDS:
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
