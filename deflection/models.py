"""Deflection sessions (one per drafting customer) and their events.

A session keeps the customer's current draft and the suggestions last shown, so a suggestion
request updates one row and never writes an event per keystroke. Opens and outcomes are events,
unique per session (and article, for opens) so repeated or late deliveries are recorded once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    ABANDONED = "abandoned", _("Abandoned")
    DEFLECTED = "deflected", _("Deflected")
    ESCALATED = "escalated", _("Escalated")


# An outcome only ever moves up this order, whatever order the events arrive in: a late
# "abandoned" sweep never hides a "this solved it", and a ticket filed after "this solved it"
# means the question was not deflected after all.
OUTCOME_ORDER: dict[str, int] = {
    Outcome.OPEN: 0,
    Outcome.ABANDONED: 1,
    Outcome.DEFLECTED: 2,
    Outcome.ESCALATED: 3,
}


class EventKind(models.TextChoices):
    OPENED = "opened", _("Article opened")
    DEFLECTED = "deflected", _("This answered my question")
    ESCALATED = "escalated", _("I still need help")
    ABANDONED = "abandoned", _("Abandoned")


EVENT_OUTCOME: dict[str, str] = {
    EventKind.DEFLECTED: Outcome.DEFLECTED,
    EventKind.ESCALATED: Outcome.ESCALATED,
    EventKind.ABANDONED: Outcome.ABANDONED,
}


class DeflectionSession(models.Model):
    """One customer drafting one question, from the first suggestion to its outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deflection_sessions",
    )
    # Anonymous drafters are recognised by a random key in a signed cookie.
    visitor_key = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    # Lower-case, accent-free, punctuation-free subject (or start of the description): the key
    # content gaps are grouped by. Purged with the draft.
    normalized_text = models.CharField(max_length=200, blank=True, db_index=True)
    last_suggestions = models.JSONField(default=list, blank=True)
    suggestion_requests = models.PositiveIntegerField(default=0)
    first_suggested_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN, db_index=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    draft_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deflection session")
        verbose_name_plural = _("deflection sessions")
        indexes = [models.Index(fields=["outcome", "last_activity_at"], name="deflection_open_activity")]

    def __str__(self) -> str:
        return f"{self.id} ({self.outcome})"

    @property
    def is_closed(self) -> bool:
        """Deflected or escalated: the customer has told us how it ended."""
        return self.outcome in {Outcome.DEFLECTED, Outcome.ESCALATED}

    @property
    def had_suggestions(self) -> bool:
        return self.first_suggested_at is not None

    def suggestion_for(self, article_id: str) -> dict | None:
        """The suggestion last shown for ``article_id`` (its rank, title and URL), if any."""
        for item in self.last_suggestions:
            if str(item.get("article_id")) == str(article_id):
                return item
        return None


class DeflectionEvent(models.Model):
    """Something the customer did with the suggestions: opened one, or ended the session."""

    session = models.ForeignKey(DeflectionSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    # Empty when the event is not about one article (e.g. "I still need help").
    article_id = models.CharField(max_length=64, blank=True, default="")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("deflection event")
        verbose_name_plural = _("deflection events")
        constraints = [
            # An article is opened once per session as far as the funnel is concerned...
            models.UniqueConstraint(
                fields=["session", "kind", "article_id"],
                condition=models.Q(kind="opened"),
                name="deflection_open_once",
            ),
            # ...and each outcome happens once, whichever article it names.
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=~models.Q(kind="opened"),
                name="deflection_outcome_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id} ({self.session_id})"


class FunnelDay(models.Model):
    """Funnel figures for one day and language, recomputed by a periodic task.

    The admin reads these rows instead of counting sessions on every page view.
    """

    day = models.DateField()
    language = models.CharField(max_length=8)
    sessions = models.PositiveIntegerField(default=0)
    with_suggestions = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    deflected = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("funnel day")
        verbose_name_plural = _("funnel days")
        constraints = [models.UniqueConstraint(fields=["day", "language"], name="deflection_funnel_day_once")]
        ordering = ["day", "language"]

    def __str__(self) -> str:
        return f"{self.day} {self.language}"
