"""Filing a ticket: validation, entitlement and route, numbering, the deflection draft it came from.

Creation promises the ticket's processing (triage, acknowledgement, agent notifications) as an
outbox row in the same transaction; ``processing`` does the work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.entitlements import Entitlement, entitlement_for
from accounts.models import Organization
from deflection.exceptions import SessionNotFound
from deflection.selectors import session_for
from deflection.services import session_record_event
from tickets import conf
from tickets.attachments import check_uploads
from tickets.audit import event_record
from tickets.models import Channel, OutboxTask, Priority, ProductArea, Ticket, TicketEvent, TicketNumberSequence
from tickets.services.attachments import attachments_store, files_removed_on_error
from tickets.services.errors import BODY_MAX, SUBJECT_MAX, DraftNotFound, NotEntitled, TicketInputError, clean_text
from tickets.services.processing import outbox_promise

logger = logging.getLogger(__name__)

NUMBER_SEQUENCE = "tickets"


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
    clean_subject = clean_text(subject, field="subject", label=_("Subject"), max_length=SUBJECT_MAX)
    clean_description = clean_text(description, field="description", label=_("Description"), max_length=BODY_MAX)
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

    with files_removed_on_error() as written, transaction.atomic():
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
        event_record(ticket=ticket, actor=requester, kind=TicketEvent.Kind.CREATED, field="status", new=ticket.status)
        if follow_up_of is not None:
            event_record(ticket=follow_up_of, actor=requester, kind=TicketEvent.Kind.FOLLOW_UP, new=ticket.number)
        attachments_store(ticket, checked, comment=None, uploaded_by=requester, written=written)
        if session is not None:
            # deflection's outcome only moves up, so a repeat is harmless
            session_record_event(session_id=session.pk, user=requester, kind="escalated", visitor_key=visitor_key)
        outbox_promise(ticket=ticket, kind=OutboxTask.Kind.PROCESS_NEW_TICKET)
    logger.info("ticket %s created by user %s on route %s", ticket.number, requester.pk, route_code)
    return ticket


def _deflection_session_for(requester: AbstractBaseUser, session_id: object | None, visitor_key: str) -> object | None:
    """The requester's own deflection session (deflection's selector scopes it), or None."""
    if not session_id:
        return None
    try:
        return session_for(requester, session_id, visitor_key=visitor_key)
    except SessionNotFound:
        raise DraftNotFound(_("This draft was not found; start a new request."), field="session") from None
