"""The one door for incoming email: store it, recognise it, thread it into the right ticket.

``email_ingest`` first commits the raw bytes (so a message is never lost, whatever happens
next), then:

1. ignores a Message-ID it has already seen;
2. quarantines what it cannot read (over the size cap, broken MIME, no sender, unknown charset);
3. ignores machine mail (auto-replies, bounces, lists): no comment, no answer, no loop;
4. finds the ticket — the signed reply address first, then In-Reply-To/References against the
   Message-IDs we sent and received, then a ``[#123]`` token in the subject;
5. on a ticket, adds the reply if the sender may write there (requester, organization member
   allowed to see it, agent of its queue), else quarantines it for review; a closed ticket gets
   a follow-up inside the window, an automatic "please open a new request" after it;
6. without a ticket, opens one if the sender is entitled to file, else answers once with how to
   get help (community link).
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.entitlements import entitlement_for
from accounts.models import support_profile_for
from tickets import services
from tickets.attachments import AttachmentRejected, check_uploads, max_files_per_upload
from tickets.mail import addresses, outbound, parsing
from tickets.mail import conf as mail_conf
from tickets.mail.models import InboundMessage, OutboundMessage
from tickets.models import Channel, Status, Ticket
from tickets.selectors import tickets_visible_to

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
# "Re:" and its translations in front of a subject that matched no ticket: not part of the request.
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|aw|sv|vs|r|réf|ref|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
Result = InboundMessage.Status


@dataclass(frozen=True)
class Ingested:
    message: InboundMessage
    duplicate: bool = False


class _Done(Exception):
    """Processing ended early with a final status (raised inside ``_process``)."""

    def __init__(self, status: str, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.detail = status, reason, detail


def email_ingest(*, raw: bytes, source: str = InboundMessage.Source.PIPE, envelope_recipient: str = "") -> Ingested:
    """Store and process one RFC 822 message; never raises for bad input (only if the database is down)."""
    try:
        message = parsing.parse_bytes(raw)
    except Exception:  # the parser is lenient; this is belt and braces
        message = None
    message_id = parsing.message_id_of(raw, message)
    existing = InboundMessage.objects.filter(message_id=message_id).first()
    if existing is not None:
        logger.info("duplicate email %s ignored", message_id)
        return Ingested(existing, duplicate=True)
    senders = parsing.addresses_in([_safe_header(message, "From")])
    try:
        with transaction.atomic():
            stored = InboundMessage.objects.create(
                message_id=message_id,
                raw=raw,
                size=len(raw),
                sha256=hashlib.sha256(raw).hexdigest(),
                source=source,
                sender=senders[0][:320] if senders else "",
                subject=_safe_header(message, "Subject")[:300],
            )
    except IntegrityError:  # the same message delivered twice at once
        return Ingested(InboundMessage.objects.get(message_id=message_id), duplicate=True)

    try:
        status, reason, detail = _process(stored, raw, message, envelope_recipient)
    except Exception as error:  # a bug must not lose the message: it waits in quarantine
        logger.exception("email %s could not be processed", message_id)
        status, reason, detail = Result.QUARANTINED, "error", f"{error!r}\n{traceback.format_exc()}"[:5000]
    InboundMessage.objects.filter(pk=stored.pk).update(
        status=status, reason=reason, detail=detail[:5000], processed_at=timezone.now()
    )
    stored.refresh_from_db()
    logger.info("email %s: %s %s (ticket %s)", message_id, status, reason, stored.ticket_id)
    return Ingested(stored)


def _safe_header(message: object, name: str) -> str:
    return parsing._header(message, name) if message is not None else ""


def _process(stored: InboundMessage, raw: bytes, message: object, envelope_recipient: str) -> tuple[str, str, str]:
    try:
        return _route(stored, raw, message, envelope_recipient)
    except _Done as done:
        return done.status, done.reason, done.detail
    except parsing.Unprocessable as problem:
        return Result.QUARANTINED, problem.reason, problem.detail


def _route(stored: InboundMessage, raw: bytes, message: object, envelope_recipient: str) -> tuple[str, str, str]:
    if len(raw) > mail_conf.max_message_bytes():
        raise _Done(Result.QUARANTINED, "too_large", f"{len(raw)} bytes; limit {mail_conf.max_message_bytes()}")
    if message is None:
        raise _Done(Result.QUARANTINED, "malformed_mime", "the message could not be parsed")
    automatic = parsing.automatic_reason(message)
    if automatic:
        if automatic == "bounce":
            _mark_bounced(parsing.bounced_message_ids(message))
        raise _Done(Result.IGNORED, automatic)
    if parsing.spoofing_suspected(message):
        raise _Done(Result.QUARANTINED, "dmarc_fail", "the sender's domain did not authenticate this message")
    mail = parsing.read(message)
    if envelope_recipient:
        mail.recipients.append(envelope_recipient)
    users = _users_for(mail.sender)
    InboundMessage.objects.filter(pk=stored.pk).update(sender_user=users[0] if users else None)
    stored.sender_user = users[0] if users else None

    ticket, matched_by, forged = _match(mail)
    if ticket is None:
        if forged:
            raise _Done(Result.QUARANTINED, "forged_address", ", ".join(forged)[:500])
        return _new_request(stored, mail, users)
    InboundMessage.objects.filter(pk=stored.pk).update(ticket=ticket, matched_by=matched_by)
    stored.ticket = ticket
    author = _author_on(ticket, users)
    if author is None:
        raise _Done(Result.QUARANTINED, "unknown_sender", f"{mail.sender} may not write on #{ticket.number}")
    return _reply(stored, mail, ticket, author)


def _mark_bounced(message_ids: list[str]) -> None:
    if message_ids:
        OutboundMessage.objects.filter(message_id__in=message_ids).update(status=OutboundMessage.Status.BOUNCED)


def _users_for(address: str) -> list[AbstractBaseUser]:
    """Active accounts whose sign-in email or verified support contact email is ``address``."""
    if not address:
        return []
    user_model = get_user_model()
    return list(
        user_model.objects.filter(is_active=True)
        .filter(
            Q(email__iexact=address)
            | Q(support_profile__contact_email__iexact=address, support_profile__contact_email_verified=True)
        )
        .distinct()
        .order_by("pk")
    )


def _match(mail: parsing.ParsedMail) -> tuple[Ticket | None, str, list[str]]:
    """The ticket a message belongs to, how it was found, and any forged reply addresses seen."""
    numbers, forged = addresses.numbers_in(mail.recipients)
    for number in numbers:
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None:
            return ticket, "address", forged
    if mail.thread_ids:
        sent = (
            OutboundMessage.objects.filter(message_id__in=mail.thread_ids, ticket__isnull=False)
            .order_by("-created_at")
            .first()
        )
        if sent is not None:
            return sent.ticket, "thread", forged
        received = (
            InboundMessage.objects.filter(message_id__in=mail.thread_ids, ticket__isnull=False)
            .order_by("-received_at")
            .first()
        )
        if received is not None:
            return received.ticket, "thread", forged
    for number in mail.subject_numbers:
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None:
            return ticket, "subject", forged
    return None, "", forged


def _author_on(ticket: Ticket, users: list[AbstractBaseUser]) -> AbstractBaseUser | None:
    """The sender's account that may write on ``ticket``: the requester first, then anyone who can see it."""
    for user in users:
        if user.pk == ticket.requester_id:
            return user
    for user in users:
        if tickets_visible_to(user).filter(pk=ticket.pk).exists():
            return user
    return None


def _files(mail: parsing.ParsedMail, *, already_on_ticket: int) -> tuple[list[object], list[str]]:
    """Attachments that pass the web's checks; the others are named so the thread says what was dropped."""
    accepted: list[object] = []
    refused: list[str] = []
    for upload in mail.attachments:
        if len(accepted) >= max_files_per_upload():
            refused.append(_("“%(name)s”: too many files in one message.") % {"name": upload.name})
            continue
        try:
            check_uploads([upload], already_on_ticket=already_on_ticket + len(accepted))
        except AttachmentRejected as rejection:
            refused.append(rejection.message)
            continue
        accepted.append(upload)
    for name in mail.skipped_parts:
        refused.append(_("“%(name)s” is an attached email and was not kept.") % {"name": name})
    return accepted, refused


def _body_with_notes(text: str, refused: list[str]) -> str:
    if not refused:
        return text
    note = _("Attachments not kept:") + "\n" + "\n".join(f"- {line}" for line in refused)
    return f"{text}\n\n[{note}]" if text else f"[{note}]"


def _reply(
    stored: InboundMessage, mail: parsing.ParsedMail, ticket: Ticket, author: AbstractBaseUser
) -> tuple[str, str, str]:
    ticket = Ticket.objects.get(pk=ticket.pk)  # the current status, not the one seen when matching
    files, refused = _files(mail, already_on_ticket=ticket.attachments.count())
    body = _body_with_notes(mail.text, refused)
    if not body.strip() and not files:
        raise _Done(Result.QUARANTINED, "empty", _("Nothing was left after removing the quoted history."))
    try:
        with transaction.atomic():  # the follow-up's acknowledgement (on commit) must see its origin
            comment, landed = services.reply_add(
                ticket=ticket, author=author, body=body, channel=Channel.EMAIL, files=files
            )
            InboundMessage.objects.filter(pk=stored.pk).update(
                ticket=landed, comment=comment, created_ticket=landed.pk != ticket.pk
            )
    except services.FollowUpWindowClosed as closed:
        outbound.auto_reply_promise(kind=Kind.NEW_REQUEST_NEEDED, inbound=stored, recipient=mail.sender, ticket=ticket)
        return Result.PROCESSED, "window_closed", closed.message
    except services.TicketTransitionError as refusal:
        if refusal.current == Status.CLOSED:  # only an agent's reply reaches a closed ticket
            raise _Done(Result.QUARANTINED, "ticket_closed", f"agent reply to closed #{ticket.number}") from None
        raise _Done(Result.QUARANTINED, "refused", refusal.message) from None
    except (services.TicketInputError, services.NotEntitled, AttachmentRejected) as refusal:
        raise _Done(Result.QUARANTINED, "refused", refusal.message) from None
    return Result.PROCESSED, "follow_up" if landed.pk != ticket.pk else "comment", "\n".join(refused)


def _new_request(
    stored: InboundMessage, mail: parsing.ParsedMail, users: list[AbstractBaseUser]
) -> tuple[str, str, str]:
    requester = next((user for user in users if entitlement_for(user).can_file), None)
    if requester is None:
        answer = outbound.auto_reply_promise(kind=Kind.NOT_ENTITLED, inbound=stored, recipient=mail.sender)
        reason = "not_entitled" if users else "unknown_sender"
        return Result.IGNORED, reason, "answered with how to get help" if answer else "auto-reply limit reached"
    files, refused = _files(mail, already_on_ticket=0)
    description = _body_with_notes(mail.text, refused)
    subject = _REPLY_PREFIX.sub("", " ".join(mail.subject.split()))[: services.SUBJECT_MAX]
    if not subject:
        first_line = next((line for line in description.splitlines() if line.strip()), "")
        subject = first_line[:80] or _("Request by email")
    language = support_profile_for(requester).language or mail.language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            ticket = services.ticket_create(
                requester=requester,
                subject=subject,
                description=description or _("(no text, see the attachments)"),
                language=language,
                channel=Channel.EMAIL,
                files=files,
            )
            InboundMessage.objects.filter(pk=stored.pk).update(ticket=ticket, created_ticket=True)
    except (services.TicketInputError, services.NotEntitled, AttachmentRejected) as refusal:
        raise _Done(Result.QUARANTINED, "refused", refusal.message) from None
    return Result.PROCESSED, "new_ticket", "\n".join(refused)


def inbound_reprocess(*, message: InboundMessage, reviewer: AbstractBaseUser) -> InboundMessage:
    """Run a quarantined message through the rules again (after an agent fixed the cause, e.g. added
    the sender's contact email); other statuses are left alone, so nothing is ever added twice."""
    if message.status != Result.QUARANTINED:
        return message
    raw = bytes(message.raw)
    try:
        parsed = parsing.parse_bytes(raw)
    except Exception:
        parsed = None
    try:
        status, reason, detail = _process(message, raw, parsed, "")
    except Exception as error:
        logger.exception("email %s could not be processed again", message.message_id)
        status, reason, detail = Result.QUARANTINED, "error", repr(error)[:5000]
    InboundMessage.objects.filter(pk=message.pk).update(
        status=status,
        reason=reason,
        detail=detail[:5000],
        processed_at=timezone.now(),
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
    )
    message.refresh_from_db()
    logger.info("email %s processed again by %s: %s %s", message.message_id, reviewer.pk, status, reason)
    return message
