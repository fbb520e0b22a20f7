"""Every write to tickets: create, comment, transition, triage, notify, auto-close, sweep.

Services are keyword-only and atomic. They raise domain errors (``TicketInputError``,
``NotEntitled``, ``FollowUpWindowClosed``, ``lifecycle.TicketTransitionError``,
``attachments.AttachmentRejected``) that views and the API turn into clear 4xx messages; when
one is raised nothing has been saved.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.entitlements import Entitlement, entitlement_for
from accounts.models import Organization, support_profile_for
from accounts.selectors import notification_email_for
from portal.links import absolute_url
from tickets import conf
from tickets.attachments import AttachmentRejected, CheckedFile, check_uploads
from tickets.lifecycle import REOPENED_BY_CUSTOMER_REPLY, Actor, TicketTransitionError, check_transition
from tickets.models import (
    ATTACHMENTS_DIR,
    Attachment,
    Channel,
    Comment,
    OutboxTask,
    Priority,
    ProductArea,
    Queue,
    Route,
    SentNotification,
    Status,
    Ticket,
    TicketEvent,
    TicketNumberSequence,
)

logger = logging.getLogger(__name__)

__all__ = [
    "AttachmentRejected",
    "FollowUpWindowClosed",
    "NotEntitled",
    "TicketInputError",
    "TicketTransitionError",
]

SUBJECT_MAX = 200
BODY_MAX = 20000
SOLVE_LINK_SALT = "tickets.solve-link"
NUMBER_SEQUENCE = "tickets"


class TicketInputError(Exception):
    """Input a service refuses (empty subject, over-long text, unknown choice); safe to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DraftNotFound(TicketInputError):
    """The deflection session a request comes from is unknown or someone else's."""


class NotEntitled(Exception):
    """The user may not file this request (plan, route); ``message`` explains and is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FollowUpWindowClosed(Exception):
    """A reply to a ticket closed longer ago than the follow-up window: a new request is needed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Helpers --------------------------------------------------------------------------------------


def is_agent_on(user: AbstractBaseUser | None, ticket: Ticket) -> bool:
    """Staff acting on a ticket someone else filed speak as agents; on their own, as customers."""
    return bool(user is not None and user.is_staff and user.pk != ticket.requester_id)


def _clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not text:
        raise TicketInputError(_("%(field)s cannot be empty.") % {"field": label}, field=field)
    if len(text) > max_length:
        raise TicketInputError(
            _("%(field)s is too long (%(length)d characters; at most %(max)d).")
            % {"field": label, "length": len(text), "max": max_length},
            field=field,
        )
    return text


def _event(
    ticket: Ticket,
    *,
    actor: AbstractBaseUser | None,
    kind: str,
    field: str = "",
    old: object = "",
    new: object = "",
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        field=field,
        old_value=str(old if old is not None else "")[:200],
        new_value=str(new if new is not None else "")[:200],
    )


def _allocate_number() -> int:
    """The next ticket number; the caller holds a transaction, so the counter row stays locked until commit.

    On PostgreSQL the row lock (``select_for_update``) serializes concurrent creations; on SQLite
    the transaction is IMMEDIATE (see settings), which takes the database write lock up front.
    """
    if not TicketNumberSequence.objects.filter(name=NUMBER_SEQUENCE).exists():
        try:
            with transaction.atomic():
                start = max(
                    conf.first_number() - 1,
                    Ticket.objects.order_by("-number").values_list("number", flat=True).first() or 0,
                )
                TicketNumberSequence.objects.create(name=NUMBER_SEQUENCE, last_value=start)
        except IntegrityError:
            pass  # created concurrently; the locked read below waits for it
    sequence = TicketNumberSequence.objects.select_for_update().get(name=NUMBER_SEQUENCE)
    TicketNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db(fields=["last_value"])
    return int(sequence.last_value)


def _store_attachments(
    ticket: Ticket,
    files: Sequence[CheckedFile],
    *,
    comment: Comment | None,
    uploaded_by: AbstractBaseUser | None,
    written: list[tuple[object, str]],
) -> list[Attachment]:
    """Save checked files; ``written`` collects (storage, name) so a rollback can remove them."""
    stored = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            uploaded_by=uploaded_by,
            original_name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
            checksum=checked.checksum,
        )
        checked.upload.seek(0)
        attachment.file.save(checked.name, checked.upload, save=False)
        written.append((attachment.file.storage, attachment.file.name))
        attachment.save()
        _event(ticket, actor=uploaded_by, kind=TicketEvent.Kind.ATTACHMENT, new=checked.name)
        stored.append(attachment)
    return stored


# Files younger than this are left alone: their row may be in a transaction not yet committed.
ORPHAN_GRACE = dt.timedelta(days=1)


def attachment_files_purge(*, grace: dt.timedelta = ORPHAN_GRACE) -> list[str]:
    """Delete stored attachment files no row points at: left by a crashed upload (the process died
    between the storage write and the commit) or by deleted tickets (rows cascade, files do not)."""
    storage = Attachment._meta.get_field("file").storage
    try:
        _dirs, names = storage.listdir(ATTACHMENTS_DIR)
    except FileNotFoundError:
        return []
    kept = set(Attachment.objects.values_list("file", flat=True))
    cutoff = timezone.now() - grace
    purged = []
    for name in names:
        path = f"{ATTACHMENTS_DIR}/{name}"
        if path in kept or storage.get_modified_time(path) > cutoff:
            continue
        storage.delete(path)
        purged.append(path)
    if purged:
        logger.info("purged %d attachment files no request refers to", len(purged))
    return purged


@contextmanager
def _files_removed_on_error() -> Iterator[list[tuple[object, str]]]:
    """Storage writes are not transactional: delete the files of a transaction that failed."""
    written: list[tuple[object, str]] = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:  # best effort; an orphan file is never served (no row points at it)
                logger.exception("could not remove orphan attachment %s", name)
        raise


# --- Creation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTicket:
    """What a customer asked for, before entitlement and validation."""

    subject: str
    description: str
    route: str
    product_area: str = ProductArea.OTHER
    priority: str = ""
    language: str = ""
    channel: str = Channel.WEB


def _resolve_route(entitlement: Entitlement, route: str) -> tuple[str, int | None]:
    if not entitlement.can_file:
        raise NotEntitled(entitlement.message)
    chosen = entitlement.route(route) if route else (entitlement.routes[0] if entitlement.routes else None)
    if chosen is None:
        raise NotEntitled(_("You cannot submit requests on this support route."))
    return chosen.code, chosen.organization_id


def ticket_create(
    *,
    requester: AbstractBaseUser,
    subject: str,
    description: str,
    route: str = "",
    product_area: str = ProductArea.OTHER,
    priority: str = "",
    language: str = "",
    channel: str = Channel.WEB,
    files: Iterable[UploadedFile] = (),
    deflection_session_id: object | None = None,
    visitor_key: str = "",
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """File a ticket for ``requester`` and promise its processing (outbox row + task on commit).

    The entitlement decides whether the requester may file and on which route; the requested
    priority is kept only when their plan allows choosing it.
    """
    clean_subject = _clean_text(subject, field="subject", label=_("Subject"), max_length=SUBJECT_MAX)
    clean_description = _clean_text(description, field="description", label=_("Description"), max_length=BODY_MAX)
    if product_area not in ProductArea.values:
        raise TicketInputError(_("Choose a product area from the list."), field="product_area")
    if priority and priority not in Priority.values:
        raise TicketInputError(_("Choose a priority from the list."), field="priority")
    if channel not in Channel.values:
        raise TicketInputError(_("Unknown channel."), field="channel")
    if follow_up_of is not None:
        route_code, organization_id = follow_up_of.route, follow_up_of.organization_id
        can_set_priority = False
    else:
        entitlement = entitlement_for(requester)
        route_code, organization_id = _resolve_route(entitlement, route)
        can_set_priority = entitlement.can_set_priority
    checked = check_uploads(list(files))
    session = _deflection_session_for(requester, deflection_session_id, visitor_key)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE

    with _files_removed_on_error() as written, transaction.atomic():
        ticket = Ticket.objects.create(
            number=_allocate_number(),
            requester=requester,
            organization=Organization.objects.filter(pk=organization_id).first() if organization_id else None,
            route=route_code,
            product_area=product_area,
            subject=clean_subject,
            description=clean_description,
            requested_priority=priority if (priority and can_set_priority) else "",
            language=language,
            channel=channel,
            deflection_session=session,
            follow_up_of=follow_up_of,
        )
        _event(ticket, actor=requester, kind=TicketEvent.Kind.CREATED, field="status", new=ticket.status)
        if follow_up_of is not None:
            _event(follow_up_of, actor=requester, kind=TicketEvent.Kind.FOLLOW_UP, new=ticket.number)
        _store_attachments(ticket, checked, comment=None, uploaded_by=requester, written=written)
        if session is not None:
            _mark_session_escalated(session, requester, visitor_key)
        outbox_promise(ticket=ticket, kind=OutboxTask.Kind.PROCESS_NEW_TICKET)
    logger.info("ticket %s created by user %s on route %s", ticket.number, requester.pk, route_code)
    return ticket


def _deflection_session_for(requester: AbstractBaseUser, session_id: object | None, visitor_key: str) -> object | None:
    """The requester's own deflection session (deflection's selector scopes it), or None."""
    if not session_id:
        return None
    from deflection.exceptions import SessionNotFound
    from deflection.selectors import session_for

    try:
        return session_for(requester, session_id, visitor_key=visitor_key)
    except SessionNotFound:
        raise DraftNotFound(_("This draft was not found; start a new request."), field="session") from None


def _mark_session_escalated(session: object, user: AbstractBaseUser, visitor_key: str) -> None:
    """Tell deflection the draft became a ticket (its outcome only moves up, so a repeat is harmless)."""
    from deflection.services import session_record_event

    session_record_event(session_id=session.pk, user=user, kind="escalated", visitor_key=visitor_key)


def outbox_promise(*, ticket: Ticket, kind: str) -> OutboxTask:
    """Record work for after the commit and queue its task once the transaction commits."""
    task, _created = OutboxTask.objects.get_or_create(ticket=ticket, kind=kind)
    transaction.on_commit(lambda: _enqueue(task.pk))
    return task


def _enqueue(outbox_id: int) -> None:
    from tickets.tasks import OUTBOX_TASKS

    task = OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).first()
    if task is None:
        return
    OutboxTask.objects.filter(pk=task.pk).update(enqueued_at=timezone.now(), attempts=F("attempts") + 1)
    try:
        OUTBOX_TASKS[task.kind].delay(task.ticket_id)
    except Exception:  # the broker is down: the row stays, the sweeper will queue it again
        logger.exception("could not queue %s for ticket %s; the sweeper will retry", task.kind, task.ticket_id)


# --- Lifecycle ----------------------------------------------------------------------------------


def _apply_status(ticket: Ticket, target: str, *, actor_user: AbstractBaseUser | None, now: dt.datetime) -> None:
    old = ticket.status
    ticket.status = target
    fields = ["status", "updated_at"]
    if target == Status.SOLVED:
        ticket.solved_at = now
        fields.append("solved_at")
    elif target == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif old == Status.SOLVED:
        ticket.solved_at = None
        fields.append("solved_at")
    ticket.save(update_fields=fields)
    _event(ticket, actor=actor_user, kind=TicketEvent.Kind.STATUS, field="status", old=old, new=target)
    from tickets.mail.outbound import notify_status_changed  # email hook: solved/closed mails, in this transaction

    notify_status_changed(ticket=ticket, old=old, new=target)


def ticket_transition(
    *, ticket: Ticket, target: str, actor_user: AbstractBaseUser | None, actor: Actor | None = None
) -> Ticket:
    """Move ``ticket`` to ``target`` if the lifecycle table lets ``actor`` do it; audit the change."""
    if actor is None:
        actor = (
            Actor.SYSTEM if actor_user is None else (Actor.AGENT if is_agent_on(actor_user, ticket) else Actor.CUSTOMER)
        )
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        check_transition(locked.status, target, actor)
        _apply_status(locked, target, actor_user=actor_user, now=timezone.now())
    logger.info("ticket %s: %s -> %s by %s", locked.number, ticket.status, target, actor.value)
    return locked


def comment_add(
    *,
    ticket: Ticket,
    author: AbstractBaseUser,
    body: str,
    is_public: bool = True,
    channel: str = Channel.WEB,
    files: Iterable[UploadedFile] = (),
) -> Comment:
    """Add a reply or internal note (with files) to an open ticket.

    A customer reply on a pending or solved ticket reopens it; an agent's first public reply
    records the first response and opens a new ticket. Closed tickets take no comments: see
    ``customer_reply`` for follow-ups.
    """
    uploads = list(files)
    text = _clean_text(body, field="body", label=_("Message"), max_length=BODY_MAX, required=not uploads)
    agent = is_agent_on(author, ticket)
    if not agent and not is_public:
        raise TicketInputError(_("Only agents can add internal notes."), field="is_public")
    if channel not in Channel.values:
        raise TicketInputError(_("Unknown channel."), field="channel")
    with _files_removed_on_error() as written, transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Status.CLOSED:
            raise TicketTransitionError(
                _("This request is closed and can no longer change."), current=locked.status, target=locked.status
            )
        checked = check_uploads(uploads, already_on_ticket=locked.attachments.count())
        comment = Comment.objects.create(ticket=locked, author=author, body=text, is_public=is_public, channel=channel)
        _event(locked, actor=author, kind=TicketEvent.Kind.COMMENT, field="public" if is_public else "note")
        _store_attachments(locked, checked, comment=comment, uploaded_by=author, written=written)
        from tickets.mail.outbound import notify_comment_added  # email hook: agent replies are mailed

        notify_comment_added(comment=comment, by_agent=agent)
        now = timezone.now()
        if not agent and locked.status in REOPENED_BY_CUSTOMER_REPLY:
            _apply_status(locked, Status.OPEN, actor_user=author, now=now)
        elif agent and is_public:
            if locked.first_response_at is None:
                locked.first_response_at = now
                locked.save(update_fields=["first_response_at", "updated_at"])
            if locked.status == Status.NEW:
                _apply_status(locked, Status.OPEN, actor_user=author, now=now)
        else:
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


def ticket_solve_from_link(*, token: str) -> Ticket:
    """Solve the ticket named by a signed one-click link from the acknowledgement email."""
    try:
        payload = signing.loads(token, salt=SOLVE_LINK_SALT, max_age=dt.timedelta(days=conf.solve_link_days()))
    except signing.SignatureExpired:
        raise TicketInputError(_("This link has expired. Open your request to mark it solved.")) from None
    except signing.BadSignature:
        raise TicketInputError(_("This link is not valid.")) from None
    ticket = Ticket.objects.filter(pk=payload.get("t")).first()
    if ticket is None:
        raise TicketInputError(_("This link is not valid."))
    return ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=ticket.requester, actor=Actor.CUSTOMER)


def solve_link_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk}, salt=SOLVE_LINK_SALT, compress=True)


# --- Triage and notifications -------------------------------------------------------------------

_URGENT_WORDS = ("outage", "down for everyone", "data loss", "security breach", "panne", "perte de données")


def triage_priority(ticket: Ticket) -> str:
    """Priority rules: the customer's choice when their plan allows it, raised for outages, never low on Gov."""
    priority = ticket.requested_priority or Priority.NORMAL
    order = list(Priority.values)  # low, normal, high, urgent
    text = f"{ticket.subject}\n{ticket.description}".lower()
    if any(word in text for word in _URGENT_WORDS) and order.index(priority) < order.index(Priority.HIGH):
        priority = Priority.HIGH
    if ticket.route == Route.GOV and priority == Priority.LOW:
        priority = Priority.NORMAL
    return priority


def queue_for(route: str, product_area: str) -> Queue | None:
    """The queue of a route and product area, else the route's default queue."""
    queues = {(q.product_area, q.route): q for q in Queue.objects.filter(route=route)}
    return queues.get((product_area, route)) or queues.get(("", route))


def ticket_triage(*, ticket_id: int) -> Ticket | None:
    """Queue, priority and SLA due times, once; a second run changes nothing."""
    from tickets.sla import due_times

    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.triaged_at is not None:
            return ticket
        queue = queue_for(ticket.route, ticket.product_area)
        priority = triage_priority(ticket)
        if queue is not None:
            _event(ticket, actor=None, kind=TicketEvent.Kind.QUEUE, field="queue", old="", new=queue.code)
            ticket.first_response_due_at, ticket.resolution_due_at = due_times(queue, priority, ticket.created_at)
            _event(
                ticket,
                actor=None,
                kind=TicketEvent.Kind.SLA,
                field="first_response_due_at",
                new=ticket.first_response_due_at.isoformat(),
            )
        else:
            logger.warning(
                "no queue for route %s / area %s (ticket %s)", ticket.route, ticket.product_area, ticket.number
            )
        if priority != ticket.priority:
            _event(
                ticket, actor=None, kind=TicketEvent.Kind.PRIORITY, field="priority", old=ticket.priority, new=priority
            )
        ticket.queue, ticket.priority, ticket.triaged_at = queue, priority, timezone.now()
        ticket.save(
            update_fields=[
                "queue",
                "priority",
                "triaged_at",
                "first_response_due_at",
                "resolution_due_at",
                "updated_at",
            ]
        )
    return ticket


def notification_send_once(
    *, key: str, ticket: Ticket, kind: str, recipient: str, subject: str, text: str, html: str
) -> bool:
    """Send one email unless one with ``key`` was sent (or is being sent); True if this call sent it.

    The claim is committed before sending and removed if sending fails, so a retry sends again;
    only a crash between the send and the final update could send twice (at-least-once).
    """
    now = timezone.now()
    with transaction.atomic():
        row, created = SentNotification.objects.select_for_update().get_or_create(
            key=key, defaults={"ticket": ticket, "kind": kind, "recipient": recipient, "claimed_at": now}
        )
        if row.sent_at is not None:
            return False
        if not created:
            if now - row.claimed_at < dt.timedelta(minutes=conf.claim_minutes()):
                return False  # another worker is sending it right now
            row.claimed_at = now
            row.save(update_fields=["claimed_at"])
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        SentNotification.objects.filter(pk=row.pk, sent_at__isnull=True).delete()
        raise
    SentNotification.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    return True


def requester_language(ticket: Ticket) -> str:
    profile = support_profile_for(ticket.requester)
    languages = dict(settings.LANGUAGES)
    if profile.language in languages:
        return profile.language
    return ticket.language if ticket.language in languages else settings.LANGUAGE_CODE


def requester_email(ticket: Ticket) -> str:
    """The support contact email when verified, else the sign-in email (accounts decides)."""
    return notification_email_for(ticket.requester)


def suggested_articles(ticket: Ticket, limit: int = 3) -> list[dict[str, str]]:
    """Up to ``limit`` articles the deflection session showed (title and absolute URL)."""
    session = ticket.deflection_session
    if session is None:
        return []
    articles = []
    for item in (session.last_suggestions or [])[:limit]:
        title, url = str(item.get("title") or ""), str(item.get("url") or "")
        if title and url:
            articles.append({"title": title, "url": absolute_url(url)})
    return articles


def acknowledgement_send(*, ticket_id: int) -> bool:
    """The requester's acknowledgement, in their language, once: built, threaded and sent by tickets.mail."""
    from tickets.mail.outbound import acknowledgement_send as mail_acknowledgement_send

    return mail_acknowledgement_send(ticket_id=ticket_id)


def queue_agents(ticket: Ticket) -> list[AbstractBaseUser]:
    """Agents of the ticket's queue who may see it (Gov tickets: cleared agents only)."""
    if ticket.queue_id is None:
        return []
    agents = ticket.queue.agents.filter(is_active=True, is_staff=True)
    if ticket.is_gov:
        agents = agents.filter(groups__name=conf.GOV_CLEARED_GROUP)
    return list(agents.order_by("pk").distinct())


def agents_notify_new(*, ticket_id: int) -> int:
    """Tell each agent of the queue about the new ticket, once per agent; returns emails sent."""
    ticket = Ticket.objects.select_related("queue", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    sent = 0
    for agent in queue_agents(ticket):
        language = support_profile_for(agent).language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"ticket": ticket, "ticket_url": absolute_url(f"/agent/tickets/{ticket.number}"), "agent": agent}
            subject = _("[#%(number)s] New request in %(queue)s: %(subject)s") % {
                "number": ticket.number,
                "queue": ticket.queue.name,
                "subject": ticket.subject,
            }
            text = render_to_string("tickets/email/agent_new_ticket.txt", context)
            html = render_to_string("tickets/email/agent_new_ticket.html", context)
        sent += notification_send_once(
            key=f"agent-new:{ticket.pk}:{agent.pk}",
            ticket=ticket,
            kind="agent_new_ticket",
            recipient=agent.email,
            subject=subject.replace("\n", " "),
            text=text,
            html=html,
        )
    return sent


def new_ticket_process(*, ticket_id: int) -> bool:
    """Everything promised when a ticket was filed; each step is idempotent, so a rerun is harmless."""
    outbox = OutboxTask.objects.filter(ticket_id=ticket_id, kind=OutboxTask.Kind.PROCESS_NEW_TICKET).first()
    if outbox is not None and outbox.done_at is not None:
        return False
    if ticket_triage(ticket_id=ticket_id) is None:
        return False
    acknowledgement_send(ticket_id=ticket_id)
    agents_notify_new(ticket_id=ticket_id)
    OutboxTask.objects.filter(ticket_id=ticket_id, kind=OutboxTask.Kind.PROCESS_NEW_TICKET).update(
        done_at=timezone.now(), last_error=""
    )
    return True


# --- Periodic work --------------------------------------------------------------------------------


def outbox_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again outbox work not done after ``TICKETS_OUTBOX_RETRY_MINUTES``; returns the row ids."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=conf.outbox_retry_minutes())
    pending = OutboxTask.objects.filter(done_at__isnull=True).filter(
        Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True, created_at__lt=cutoff)
    )
    # Work that failed this many times needs a person, not another retry every few minutes.
    given_up = pending.filter(attempts__gte=conf.outbox_max_attempts())
    for task in given_up.filter(last_error=""):
        logger.error("outbox %s for ticket %s gave up after %d attempts", task.kind, task.ticket_id, task.attempts)
    given_up.filter(last_error="").update(last_error="gave up: too many attempts")
    stale = list(pending.filter(attempts__lt=conf.outbox_max_attempts()).values_list("pk", flat=True)[:500])
    for outbox_id in stale:
        _enqueue(outbox_id)
    if stale:
        logger.warning("outbox sweeper re-queued %d task(s)", len(stale))
    return stale


def tickets_auto_close(*, now: dt.datetime | None = None) -> list[int]:
    """Close tickets solved more than ``TICKETS_AUTO_CLOSE_DAYS`` ago; returns their numbers."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=conf.auto_close_days())
    closed = []
    for pk in Ticket.objects.filter(status=Status.SOLVED, solved_at__lte=cutoff).values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.status != Status.SOLVED:
                continue
            _apply_status(ticket, Status.CLOSED, actor_user=None, now=now)
            closed.append(ticket.number)
    return closed
