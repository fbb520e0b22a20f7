"""Customer portal: my requests, one request's thread ("Share and update"), the ticket form, files.

Views parse input, call one selector or service, and turn domain errors into a clear message
with a 4xx status; permissions come from ``tickets.selectors`` only.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.entitlements import SupportRoute, entitlement_for
from accounts.hours import hours_display
from accounts.selectors import user_time_zone
from deflection.exceptions import SessionNotFound
from deflection.selectors import session_for
from deflection.visitors import existing_visitor_key
from tickets import conf, selectors, services
from tickets.attachments import INLINE_IMAGE_TYPES, AttachmentRejected, max_file_bytes, max_files_per_upload
from tickets.forms import CommentForm, RequestFilterForm, TicketForm
from tickets.lifecycle import Actor, TicketTransitionError, allowed_targets
from tickets.models import Attachment, Status, Ticket
from tickets.ratelimits import ticket_creation_counted, ticket_creation_wait

logger = logging.getLogger(__name__)

DOMAIN_ERRORS = (
    services.TicketInputError,
    services.NotEntitled,
    services.FollowUpWindowClosed,
    TicketTransitionError,
    AttachmentRejected,
)


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """My requests: open first, then by last update; search by text or number, filter by status."""
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tickets = selectors.customer_ticket_list(
        request.user,
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        mine_only=bool(filters.get("mine")),
    )
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    return render(request, "tickets/list.html", {"form": form, "page": page})


def _hours_context(request: HttpRequest, routes: list[SupportRoute]) -> list[dict[str, object]]:
    """Each route's support hours as the reader sees them (their own time zone)."""
    reader_tz = user_time_zone(request.user)
    rows = []
    for route in routes:
        if route.hours is None:
            rows.append({"route": route, "always": True})
            continue
        display = hours_display(route.hours, timezone.now(), reader_tz)
        rows.append({"route": route, "always": False, "display": display})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    """The ticket form behind the deflection page, prefilled from the draft (``?session=<uuid>``)."""
    entitlement = entitlement_for(request.user)
    if not entitlement.can_file:
        return render(request, "tickets/not_entitled.html", {"entitlement": entitlement}, status=403)
    session = _draft_session(request)
    initial = {"session": session.pk if session else None}
    if session is not None:
        initial.update(subject=session.subject[:200], description=session.description)
    form = TicketForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        routes=entitlement.routes,
        can_set_priority=entitlement.can_set_priority,
    )
    status = 200
    if request.method == "POST":
        wait = ticket_creation_wait(request)
        if wait is not None:
            logger.warning("ticket creation rate limit hit by user %s", request.user.pk)
            form.is_valid()
            form.add_error(
                None,
                _("You have sent many requests in a short time. Please try again in %(minutes)d minutes.")
                % {"minutes": max(1, wait // 60)},
            )
            response = _new_form_page(request, form, entitlement, session, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    requester=request.user,
                    subject=data["subject"],
                    description=data["description"],
                    route=data["route"],
                    product_area=data["product_area"],
                    priority=data.get("priority") or "",
                    language=translation.get_language(),
                    files=data["files"],
                    deflection_session_id=data.get("session"),
                    visitor_key=_visitor_key(request),
                )
            except DOMAIN_ERRORS as error:
                logger.info("ticket refused for user %s: %s", request.user.pk, error)
                field = getattr(error, "field", None)
                visible = field in form.fields and not form.fields[field].widget.is_hidden
                form.add_error(field if visible else None, error.message)
            else:
                ticket_creation_counted(request)
                messages.success(
                    request, _("Your request #%(number)s was sent. We will email you.") % {"number": ticket.number}
                )
                return redirect(ticket.get_absolute_url())
        logger.info("ticket form invalid for user %s: %s", request.user.pk, form.errors.as_json())
        status = 400
    return _new_form_page(request, form, entitlement, session, status=status)


def _new_form_page(
    request: HttpRequest, form: TicketForm, entitlement: object, session: object | None, *, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "entitlement": entitlement,
        "hours": _hours_context(request, entitlement.routes),
        "session": session,
        "limits": _limits(),
    }
    return render(request, "tickets/new.html", context, status=status)


def _limits() -> dict[str, int]:
    return {"max_bytes": max_file_bytes(), "max_files": max_files_per_upload()}


def _visitor_key(request: HttpRequest) -> str:
    return existing_visitor_key(request)


def _draft_session(request: HttpRequest) -> object | None:
    """The requester's own deflection session named in the URL or form, else None (never someone else's)."""
    raw = request.POST.get("session") or request.GET.get("session")
    if not raw:
        return None
    try:
        session_id = uuid.UUID(raw)
    except ValueError:
        return None
    try:
        return session_for(request.user, session_id, visitor_key=_visitor_key(request))
    except SessionNotFound:
        return None


def _detail_context(request: HttpRequest, ticket: Ticket, form: CommentForm | None = None) -> dict[str, object]:
    actor = Actor.AGENT if services.is_agent_on(request.user, ticket) else Actor.CUSTOMER
    closed_for = timezone.now() - (ticket.closed_at or ticket.updated_at) if ticket.status == Status.CLOSED else None
    return {
        "ticket": ticket,
        "thread": selectors.thread_for(request.user, ticket),
        "initial_files": selectors.initial_attachments(ticket),
        "form": form or CommentForm(),
        "can_solve": Status.SOLVED in allowed_targets(ticket.status, actor),
        "can_follow_up": closed_for is None or closed_for.days < conf.follow_up_days(),
        "is_closed": ticket.status == Status.CLOSED,
        "limits": _limits(),
        "follow_ups": list(ticket.follow_ups.filter(pk__in=selectors.tickets_visible_to(request.user).values("pk"))),
    }


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, number: int) -> HttpResponse:
    """One request: the public thread, "Share and update" (message + files) and "Mark as solved"."""
    ticket = selectors.ticket_for(request.user, number)
    if request.method == "GET":
        return render(request, "tickets/detail.html", _detail_context(request, ticket))
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _comment, landed = services.reply_add(
                ticket=ticket, author=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
            )
        except DOMAIN_ERRORS as error:
            logger.info("reply refused on ticket %s for user %s: %s", ticket.number, request.user.pk, error)
            form.add_error(None, error.message)
        else:
            if landed.pk != ticket.pk:
                messages.success(
                    request,
                    _("This request was closed, so we opened follow-up #%(number)s for your message.")
                    % {"number": landed.number},
                )
            else:
                messages.success(request, _("Your update was added."))
            return redirect(landed.get_absolute_url())
    ticket.refresh_from_db()
    return render(request, "tickets/detail.html", _detail_context(request, ticket, form), status=400)


@login_required
@require_POST
def request_solve(request: HttpRequest, number: int) -> HttpResponse:
    """ "Mark as solved" from the request page."""
    ticket = selectors.ticket_for(request.user, number)
    try:
        services.ticket_transition(ticket=ticket, target=Status.SOLVED, actor_user=request.user)
    except TicketTransitionError as error:
        logger.info("solve refused on ticket %s: %s", ticket.number, error)
        messages.error(request, error.message)
        return render(request, "tickets/detail.html", _detail_context(request, ticket), status=409)
    messages.success(request, _("Thanks! Your request is marked as solved."))
    return redirect(ticket.get_absolute_url())


@require_http_methods(["GET", "POST"])
def solve_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed "this solved it, close my request" link from the acknowledgement.

    GET only shows a button: mail scanners open links, and must not solve anyone's request.
    """
    if request.method == "GET":
        return render(request, "tickets/solve_link.html", {"token": token})
    try:
        ticket = services.ticket_solve_from_link(token=token)
    except DOMAIN_ERRORS as error:
        logger.info("solve link refused: %s", error)
        return render(request, "tickets/solve_link.html", {"token": token, "error": error.message}, status=400)
    return render(request, "tickets/solve_link.html", {"token": token, "solved": ticket})


@login_required
@require_GET
def attachment_download(request: HttpRequest, number: int, attachment_id: int) -> HttpResponse:
    """Serve a file only to someone who may read it; never inline unless it is a safe image."""
    attachment = selectors.attachment_for(request.user, number, attachment_id)
    return attachment_response(attachment, download=request.GET.get("download") == "1")


def attachment_response(attachment: Attachment, *, download: bool) -> FileResponse:
    """The file with safe headers: images inline (unless asked to download), everything else as a download."""
    inline = attachment.content_type in INLINE_IMAGE_TYPES and not download
    content_type = attachment.content_type or "application/octet-stream"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(attachment.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
