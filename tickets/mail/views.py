"""Satisfaction pages: the one-click link, the portal form, and the results for agents."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tickets.mail import csat
from tickets.mail.forms import LinkCommentForm, RatingForm
from tickets.mail.models import SatisfactionRating
from tickets.selectors import ticket_for

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the email records the rating; the page then offers a comment box."""
    form = LinkCommentForm(request.POST or None)
    try:
        if request.method == "POST":
            if not form.is_valid():
                return render(request, "tickets/mail/rate_link.html", {"form": form, "token": token}, status=400)
            rating = csat.rating_from_link(token=token, comment=form.cleaned_data["comment"])
            return render(request, "tickets/mail/rate_link.html", {"rating": rating, "thanked": True})
        rating = csat.rating_from_link(token=token)
    except csat.RatingRefused as refusal:
        logger.info("rating link refused: %s", refusal.message)
        return render(request, "tickets/mail/rate_link.html", {"error": refusal.message}, status=400)
    return render(
        request,
        "tickets/mail/rate_link.html",
        {"rating": rating, "form": LinkCommentForm(initial={"comment": rating.comment}), "token": token},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_form(request: HttpRequest, number: int) -> HttpResponse:
    """The portal form: the requester rates their own solved request."""
    ticket = ticket_for(request.user, number)
    if ticket.requester_id != request.user.pk:
        raise PermissionDenied("Only the requester can rate this request.")
    existing = SatisfactionRating.objects.filter(ticket=ticket).first()
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else {}
    form = RatingForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            csat.rating_record(ticket=ticket, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
        except csat.RatingRefused as refusal:
            error = refusal.message
        else:
            return redirect(f"/requests/{ticket.number}/rate?saved=1")
    status = 400 if request.method == "POST" else 200
    context = {"ticket": ticket, "form": form, "error": error, "saved": request.GET.get("saved") == "1"}
    return render(request, "tickets/mail/rate_form.html", context, status=status)


@login_required
@require_GET
def csat_report(request: HttpRequest) -> HttpResponse:
    """Good and bad ratings per agent and per queue, over the last N days, for agents."""
    if not request.user.is_staff:
        raise PermissionDenied("Agents only.")
    try:
        days = min(max(int(request.GET.get("days", "90")), 1), 3650)
    except ValueError:
        days = 90
    results = csat.csat_results(request.user, since=timezone.now() - dt.timedelta(days=days))
    return render(request, "tickets/mail/csat_report.html", {"results": results, "days": days})
