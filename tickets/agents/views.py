"""The agent workspace at /agent/: queues with counts and bulk actions, and the ticket page.

Staff only: customers get 403 before any ticket is read, and every ticket comes through the
core's scoped selectors (queues worked, Gov clearance), so a foreign number is a 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audiences import article_audiences_for
from cms.selectors import categories_open_to
from portal.links import absolute_url
from search.service import search_articles
from tickets import selectors as core_selectors
from tickets.agents import selectors, services
from tickets.agents.articles import DraftRefused, article_draft_from_ticket
from tickets.agents.forms import BulkForm, DraftArticleForm, QueueFilterForm, TicketUpdateForm
from tickets.agents.labels import AGENT_STATUS_CHOICES
from tickets.agents.sla import timers_for
from tickets.lifecycle import Actor, TicketTransitionError, allowed_targets
from tickets.models import Ticket
from tickets.services import TicketInputError

logger = logging.getLogger(__name__)

DOMAIN_ERRORS = (services.WorkspaceError, TicketInputError, TicketTransitionError)
ARTICLE_RESULTS = 8


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only: anonymous visitors go to sign in, customers get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        selectors.require_agent(request.user)
        return view(request, *args, **kwargs)

    return wrapper


@agent_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """One queue view (mine, unassigned, per queue, breaching, waiting), filtered and sorted."""
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.QueueFilters(
        view=data.get("view") or "active",
        queue=data.get("queue") or "",
        status=data.get("status") or "",
        priority=data.get("priority") or "",
        assignee=data.get("assignee") or "",
        q=data.get("q") or "",
        sort=data.get("sort") or "updated",
    )
    now = timezone.now()
    queues = selectors.queues_for(request.user)
    if filters.queue and filters.queue not in {q.code for q in queues}:
        raise Http404("No such queue.")
    page = selectors.queue_page(request.user, filters, page=request.GET.get("page"), now=now)
    counts = selectors.workspace_counts(request.user, queues, now=now)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "counts": counts.views,
        "queues": [{"queue": q, "count": counts.queues.get(q.pk, 0)} for q in queues],
        "agents": selectors.assignable_agents(request.user),
        "statuses": AGENT_STATUS_CHOICES,
        "now": now,
        "soon_hours": selectors.soon_hours(),
        "query_string": request.GET.urlencode(),
    }
    return render(request, "tickets/agents/queue.html", context)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("agents:queue")


def _assignee_from(value: str, user: Any) -> Any:
    if value == "none":
        return None
    if value == "me":
        return user
    assignee = get_user_model().objects.filter(pk=int(value)).first()
    if assignee is None:
        raise services.WorkspaceError(_("This agent does not exist."))
    return assignee


@agent_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or change the status of the selected tickets: all of them, or none with the reasons."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        logger.info("bulk action refused for user %s: %s", request.user.pk, errors)
        return _bulk_refused(request, errors)
    tickets = selectors.tickets_for_bulk(request.user, form.cleaned_data["tickets"])
    try:
        if form.cleaned_data["action"] == "assign":
            assignee = _assignee_from(form.cleaned_data["assignee"], request.user)
            changed = services.tickets_bulk_assign(tickets=tickets, assignee=assignee, actor=request.user)
        else:
            changed = services.tickets_bulk_transition(
                tickets=tickets, target=form.cleaned_data["status"], actor=request.user
            )
    except services.BulkRefused as refused:
        detail = "; ".join(f"#{number}: {reason}" for number, reason in refused.problems.items())
        message = _("Nothing was changed. %(detail)s") % {"detail": detail}
        logger.info("bulk action refused for user %s: %s", request.user.pk, detail)
        return _bulk_refused(request, message)
    except services.WorkspaceError as error:
        return _bulk_refused(request, error.message)
    messages.success(request, _("%(count)d ticket(s) updated.") % {"count": len(changed)})
    return redirect(_back(request))


def _bulk_refused(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that says why nothing was changed, with the way back to the same view."""
    return render(request, "tickets/agents/refused.html", {"message": message, "back": _back(request)}, status=400)


def _detail_context(request: HttpRequest, ticket: Ticket, form: TicketUpdateForm | None = None) -> dict[str, Any]:
    user = request.user
    panel = selectors.requester_panel(ticket)
    macros = selectors.macros_for(ticket, user, language=panel.language)
    agents = selectors.assignable_agents(user, gov=ticket.is_gov)
    if form is None:
        initial = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": str(ticket.assignee_id or ""),
            "kind": "public",
        }
        chosen = request.GET.get("macro", "")
        macro = next((m for m in macros if str(m.id) == chosen), None)
        if macro is not None:
            initial["body"] = macro.text
            initial["kind"] = "note" if macro.is_internal_note else "public"
        form = TicketUpdateForm(initial=initial, agents=agents)
    article_query = (request.GET.get("article_q") or "").strip()[:200]
    return {
        "ticket": ticket,
        "thread": core_selectors.thread_for(user, ticket),
        "initial_attachments": core_selectors.initial_attachments(ticket),
        "events": core_selectors.events_for(user, ticket),
        "panel": panel,
        "deflection": selectors.deflection_context(ticket),
        "timers": timers_for(ticket),
        "follow_ups": selectors.follow_ups_for(user, ticket),
        "parent": selectors.parent_for(user, ticket),
        "macros": macros,
        "signature_names": selectors.signature_names(user),
        "form": form,
        "allowed_statuses": [
            label for value, label in AGENT_STATUS_CHOICES if value in allowed_targets(ticket.status, Actor.AGENT)
        ],
        "article_query": article_query,
        "article_results": _article_results(ticket, article_query, panel.language) if article_query else None,
        "categories": categories_open_to(user),
    }


def _refused(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    """The ticket page again, with the reason, as a 400 (nothing was saved)."""
    logger.info("agent action on ticket %s refused: %s", ticket.number, message)
    messages.error(request, message)
    return render(request, "tickets/agents/ticket.html", _detail_context(request, ticket), status=400)


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.agent_ticket_for(request.user, number)
    return render(request, "tickets/agents/ticket.html", _detail_context(request, ticket))


@agent_required
@require_POST
def ticket_update(request: HttpRequest, number: int) -> HttpResponse:
    """The one form: reply or note, status, assignee, priority — applied together or not at all."""
    ticket = selectors.agent_ticket_for(request.user, number)
    agents = selectors.assignable_agents(request.user, gov=ticket.is_gov)
    form = TicketUpdateForm(request.POST, agents=agents)
    if form.is_valid():
        update = services.TicketUpdate(
            body=form.cleaned_data["body"],
            is_public=form.cleaned_data["kind"] == "public",
            status=form.cleaned_data["status"],
            priority=form.cleaned_data["priority"],
            assignee_id=form.cleaned_data["assignee"],
        )
        try:
            services.ticket_update(ticket=ticket, agent=request.user, update=update)
        except DOMAIN_ERRORS as error:
            form.add_error(None, error.message)
            logger.info("agent update of ticket %s refused: %s", ticket.number, error.message)
        else:
            messages.success(request, _("Ticket #%(number)s updated.") % {"number": ticket.number})
            return redirect("agents:ticket", number=ticket.number)
    ticket = selectors.agent_ticket_for(request.user, number)
    return render(request, "tickets/agents/ticket.html", _detail_context(request, ticket, form), status=400)


def _article_results(ticket: Ticket, text: str, language: str) -> dict[str, Any]:
    """Help articles in the customer's language that the customer may read (so a link works for them)."""
    results = search_articles(
        text, language=language, audiences=article_audiences_for(ticket.requester), limit=ARTICLE_RESULTS
    )
    return {
        "degraded": results.degraded,
        "hits": [
            {
                "title": hit.title,
                "url": absolute_url(hit.url),
                "snippet": hit.snippet,
                "language": hit.language,
                "is_fallback": hit.is_fallback,
            }
            for hit in results.hits
        ],
    }


@agent_required
@require_GET
def article_search(request: HttpRequest, number: int) -> JsonResponse:
    """Inline search for the reply box (JSON for the script; the page also renders it without script)."""
    ticket = selectors.agent_ticket_for(request.user, number)
    text = (request.GET.get("q") or "").strip()
    if len(text) > 200:
        return JsonResponse({"error": _("The search text is too long (200 characters at most).")}, status=400)
    if not text:
        return JsonResponse({"hits": [], "degraded": False})
    language = selectors.requester_panel(ticket).language
    return JsonResponse(_article_results(ticket, text, language))


@agent_required
@require_POST
def draft_article(request: HttpRequest, number: int) -> HttpResponse:
    """Start a draft article from this ticket's question and the agent's answer, then open it in Wagtail."""
    ticket = selectors.agent_ticket_for(request.user, number)
    categories = categories_open_to(request.user)
    if not categories:
        raise PermissionDenied("You may not add help articles.")
    form = DraftArticleForm(request.POST, categories=categories)
    if not form.is_valid():
        return _refused(request, ticket, _("Choose a category you may add articles to."))
    category = next(page for page in categories if page.pk == form.cleaned_data["category"])
    try:
        page = article_draft_from_ticket(ticket=ticket, agent=request.user, category=category)
    except DraftRefused as refused:
        return _refused(request, ticket, refused.message)
    logger.info("draft article %s created from ticket %s by %s", page.pk, ticket.number, request.user.pk)
    return redirect("wagtailadmin_pages:edit", page.pk)
