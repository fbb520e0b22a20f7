"""The New request page: draft, suggestions, the last look before a ticket, and the outcome buttons.

``suggestions_context`` and the include ``deflection/_suggestions.html`` are the pieces the tickets
app reuses when it puts its form behind this page.
"""

from __future__ import annotations

import logging
import uuid

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.entitlements import Entitlement, entitlement_for
from deflection import conf, services
from deflection.api import article_link, suggestions_payload
from deflection.exceptions import InvalidEvent, SessionNotFound
from deflection.forms import DraftForm, OutcomeForm
from deflection.models import DeflectionSession, EventKind
from deflection.ratelimits import client_spacing_ms, retry_after
from deflection.selectors import session_for
from deflection.visitors import existing_visitor_key, remember_visitor, visitor_key

logger = logging.getLogger(__name__)

TICKET_FORM_URL = "/requests/new/ticket"  # the tickets app serves it


def ticket_form_url(session_id: object) -> str:
    return f"{TICKET_FORM_URL}?session={session_id}"


def suggestions_context(
    request: HttpRequest,
    *,
    subject: str,
    description: str,
    session_id: object | None = None,
    language: str | None = None,
    limit: int | None = None,
) -> dict:
    """Suggest for a draft and return the context ``deflection/_suggestions.html`` renders.

    The caller renders its response and passes it to ``deflection.visitors.remember_visitor`` so an
    anonymous customer keeps their session. Raises ``SessionNotFound`` (404) for a foreign session.
    """
    result = services.suggest_for_draft(
        subject=subject,
        description=description,
        language=language or get_language() or "en",
        user=request.user,
        session_id=session_id,
        visitor_key=visitor_key(request),
        limit=limit,
    )
    payload = suggestions_payload(result)
    return {
        "deflection": {
            "searched": True,
            "session_id": payload["session"],
            "items": payload["suggestions"],
            "degraded": result.degraded,
            "truncated": result.truncated,
        }
    }


def _rate_limited(request: HttpRequest, group: str, rate: str) -> HttpResponse | None:
    wait = retry_after(request, group=group, rate=rate)
    if wait is None:
        return None
    response = render(request, "deflection/rate_limited.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    """Draft a question; "Find answers" (no JavaScript) or typing (JavaScript) shows suggestions."""
    context: dict = {"deflection": {"searched": False, "items": []}}
    if request.method == "POST":
        limited = _rate_limited(request, "deflection.suggest", conf.suggest_rate())
        if limited:
            return limited
        form = DraftForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            context = suggestions_context(
                request, subject=data["subject"], description=data["description"], session_id=data["session"]
            )
            session_id = context["deflection"]["session_id"]
            if request.POST.get("action") == "review" and session_id:
                return remember_visitor(request, redirect("deflection:review", session_id=session_id))
            form = DraftForm(initial={**data, "session": session_id})
        else:
            logger.info("draft refused: %s", form.errors.as_json())
    else:
        form = DraftForm(initial=_resume(request))
    context["suggest_spacing_ms"] = client_spacing_ms(conf.suggest_rate())
    context["refused"] = _filing_refused(request)
    response = render(request, "deflection/new_request.html", {"form": form, **context})
    return remember_visitor(request, response)


def _filing_refused(request: HttpRequest) -> Entitlement | None:
    """A signed-in customer's entitlement when they may not file a ticket, else None.

    Said on the draft page, before they type, so they are not surprised at the end; they still
    get the suggestions and the community link. Anonymous visitors are asked to sign in later.
    """
    if not request.user.is_authenticated:
        return None
    entitlement = entitlement_for(request.user)
    return None if entitlement.can_file else entitlement


def _resume(request: HttpRequest) -> dict:
    """Prefill the form from ``?session=<id>`` when it is the requester's own undecided session."""
    session_id = request.GET.get("session")
    if not session_id:
        return {}
    try:
        session = session_for(request.user, session_id, visitor_key=existing_visitor_key(request))
    except SessionNotFound:
        return {}
    if session.is_closed:
        return {}
    return {"subject": session.subject, "description": session.description, "session": session.pk}


def _own_session(request: HttpRequest, session_id: uuid.UUID) -> DeflectionSession:
    return session_for(request.user, session_id, visitor_key=existing_visitor_key(request))


@require_GET
def review(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The last look before a ticket: "these articles may answer your question"."""
    session = _own_session(request, session_id)
    items = [
        {
            **item,
            "open_url": reverse("deflection:open", args=[session.pk, item["article_id"]]),
        }
        for item in session.last_suggestions
    ]
    return render(
        request,
        "deflection/review.html",
        {"session": session, "items": items, "ticket_url": ticket_form_url(session.pk)},
    )


@require_GET
def open_article(request: HttpRequest, session_id: uuid.UUID, article_id: str) -> HttpResponse:
    """Record that a suggestion was opened, then show the article (only URLs we suggested)."""
    session = _own_session(request, session_id)
    shown = session.suggestion_for(article_id)
    target = str(shown.get("url", "")) if shown else ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        raise Http404("This article was not suggested in this session.")
    services.session_record_event(
        session_id=session.pk,
        user=request.user,
        visitor_key=existing_visitor_key(request),
        kind=EventKind.OPENED,
        article_id=article_id,
        rank=shown.get("rank"),
    )
    return HttpResponseRedirect(article_link(target, session.pk))


@require_POST
def record_outcome(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """ "This solved it" ends the session as deflected; "I still need help" leads to the ticket form."""
    limited = _rate_limited(request, "deflection.events", conf.events_rate())
    if limited:
        return limited
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        logger.info("outcome refused: %s", form.errors.as_json())
        return HttpResponse(_("Choose “This solved it” or “I still need help”."), status=400)
    try:
        services.session_record_event(
            session_id=session_id,
            user=request.user,
            visitor_key=existing_visitor_key(request),
            kind=form.cleaned_data["outcome"],
            article_id=form.cleaned_data["article_id"] or None,
        )
    except InvalidEvent as error:
        logger.info("outcome refused: %s", error)
        return HttpResponse(str(error), status=400)
    if form.cleaned_data["outcome"] == EventKind.ESCALATED:
        return redirect(ticket_form_url(session_id))
    return redirect("deflection:done", session_id=session_id)


@require_GET
def done(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _own_session(request, session_id)
    return render(request, "deflection/done.html", {"session": session, "ticket_url": ticket_form_url(session.pk)})
