"""Customer satisfaction: the requester rates a solved ticket good or bad, with a comment.

Two doors, one service: the one-click signed links of the satisfaction email (the token names
the ticket and the rating, so no sign-in is needed) and the portal form (signed in, the
requester only). Rating again replaces the earlier answer. Results per agent and per queue are
read through ``csat_results``, scoped to the tickets the agent may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tickets.mail import conf
from tickets.mail.building import CSAT_SALT
from tickets.mail.models import Rating, SatisfactionRating
from tickets.models import Status, Ticket
from tickets.selectors import tickets_visible_to

COMMENT_MAX = 2000
_RATEABLE = frozenset({Status.SOLVED, Status.CLOSED})


class RatingRefused(Exception):
    """A rating that cannot be recorded (bad link, ticket not solved, comment too long); safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def rating_record(*, ticket: Ticket, rating: str, comment: str = "", channel: str = "web") -> SatisfactionRating:
    """Record (or replace) the rating of a solved or closed ticket; the agent and queue are kept as they are now."""
    if rating not in Rating.values:
        raise RatingRefused(_("Choose good or bad."))
    text = (comment or "").replace("\x00", "").strip()
    if len(text) > COMMENT_MAX:
        raise RatingRefused(_("Your comment is too long (at most %(max)d characters).") % {"max": COMMENT_MAX})
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status not in _RATEABLE:
            raise RatingRefused(_("You can rate a request once it is solved."))
        row, _created = SatisfactionRating.objects.update_or_create(
            ticket=locked,
            defaults={
                "rating": rating,
                "comment": text,
                "agent_id": locked.assignee_id,
                "queue_id": locked.queue_id,
                "channel": channel,
            },
        )
    return row


def ticket_from_token(token: str) -> tuple[Ticket, str]:
    """The ticket and rating a one-click link names; ``RatingRefused`` when it is forged or too old."""
    try:
        payload = signing.loads(token, salt=CSAT_SALT, max_age=dt.timedelta(days=conf.csat_link_days()))
    except signing.SignatureExpired:
        raise RatingRefused(_("This link has expired. Open your request to rate it.")) from None
    except signing.BadSignature:
        raise RatingRefused(_("This link is not valid.")) from None
    ticket = Ticket.objects.filter(pk=payload.get("t")).first()
    if ticket is None or payload.get("r") not in Rating.values:
        raise RatingRefused(_("This link is not valid."))
    return ticket, payload["r"]


def rating_from_link(*, token: str, comment: str | None = None) -> SatisfactionRating:
    """Record the rating of a one-click link; a later comment keeps the rating of the link."""
    ticket, rating = ticket_from_token(token)
    if comment is None:
        existing = SatisfactionRating.objects.filter(ticket=ticket).first()
        comment = existing.comment if existing is not None and existing.rating == rating else ""
    return rating_record(ticket=ticket, rating=rating, comment=comment, channel="email")


@dataclass(frozen=True)
class ResultRow:
    label: str
    good: int
    bad: int

    @property
    def total(self) -> int:
        return self.good + self.bad

    @property
    def percent_good(self) -> int:
        return round(100 * self.good / self.total) if self.total else 0


def csat_results(user: AbstractBaseUser, *, since: dt.datetime | None = None) -> dict[str, list[ResultRow]]:
    """Good and bad counts per agent and per queue, over the tickets ``user`` may see."""
    ratings = SatisfactionRating.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))
    if since is not None:
        ratings = ratings.filter(updated_at__gte=since)
    counts = {"good": Count("pk", filter=Q(rating=Rating.GOOD)), "bad": Count("pk", filter=Q(rating=Rating.BAD))}
    unassigned, no_queue = _("Unassigned"), _("No queue")
    per_agent = [
        ResultRow(label=row["agent__email"] or unassigned, good=row["good"], bad=row["bad"])
        for row in ratings.values("agent__email").annotate(**counts).order_by("agent__email")
    ]
    per_queue = [
        ResultRow(label=row["queue__name"] or no_queue, good=row["good"], bad=row["bad"])
        for row in ratings.values("queue__name").annotate(**counts).order_by("queue__name")
    ]
    overall = ratings.aggregate(**counts)
    return {
        "agents": per_agent,
        "queues": per_queue,
        "overall": [ResultRow(label=_("All"), good=overall["good"] or 0, bad=overall["bad"] or 0)],
    }
