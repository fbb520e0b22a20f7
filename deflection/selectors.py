"""Reads of deflection data, scoped by who asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from wagtail.models import Page

from deflection import conf
from deflection.exceptions import SessionNotFound
from deflection.models import DeflectionEvent, DeflectionSession, EventKind, FunnelDay, Outcome


def _as_uuid(session_id: object) -> uuid.UUID | None:
    if isinstance(session_id, uuid.UUID):
        return session_id
    try:
        return uuid.UUID(str(session_id))
    except (TypeError, ValueError, AttributeError):
        return None


def sessions_of(user: object | None, *, visitor_key: str | None) -> QuerySet[DeflectionSession]:
    """The sessions the requester may see: a signed-in user's own, or an anonymous visitor's own."""
    if user is not None and getattr(user, "is_authenticated", False):
        own = Q(user=user)
        if visitor_key:
            # Drafted anonymously, then signed in on the same browser.
            own |= Q(user__isnull=True, visitor_key=visitor_key)
        return DeflectionSession.objects.filter(own)
    if not visitor_key:
        return DeflectionSession.objects.none()
    return DeflectionSession.objects.filter(user__isnull=True, visitor_key=visitor_key)


def session_for(user: object | None, session_id: object, *, visitor_key: str | None) -> DeflectionSession:
    """The requester's session ``session_id``; ``SessionNotFound`` (a 404) when unknown or foreign."""
    pk = _as_uuid(session_id)
    if pk is None:
        raise SessionNotFound("Unknown deflection session.")
    session = sessions_of(user, visitor_key=visitor_key).filter(pk=pk).first()
    if session is None:
        raise SessionNotFound("Unknown deflection session.")
    return session


def current_session_for(user: object | None, *, visitor_key: str | None) -> DeflectionSession | None:
    """The requester's open session with recent activity, so one drafting customer keeps one session."""
    cutoff = timezone.now() - timedelta(minutes=conf.abandon_after_minutes())
    return (
        sessions_of(user, visitor_key=visitor_key)
        .filter(outcome=Outcome.OPEN, last_activity_at__gte=cutoff)
        .order_by("-last_activity_at")
        .first()
    )


# --- Analytics (editors) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionArticles:
    """What a session showed (its last suggestion list: ``article_id``, ``title``, ``url``, ``rank``)
    and the ids of the articles the customer opened from it, first opened first."""

    shown: list[dict]
    opened: list[str]


def session_articles(session: DeflectionSession) -> SessionArticles:
    """The articles shown and opened in ``session`` (for the agent's view of a ticket filed from it)."""
    opened = (
        DeflectionEvent.objects.filter(session=session, kind=EventKind.OPENED)
        .order_by("created_at")
        .values_list("article_id", flat=True)
    )
    return SessionArticles(shown=list(session.last_suggestions or []), opened=[str(article) for article in opened])


@dataclass(frozen=True)
class FunnelRow:
    period_start: date
    sessions: int
    with_suggestions: int
    opened: int
    deflected: int
    escalated: int

    @property
    def deflection_rate(self) -> float | None:
        """Deflected ÷ sessions with suggestions (None when no session had suggestions)."""
        if not self.with_suggestions:
            return None
        return self.deflected / self.with_suggestions


FUNNEL_FIELDS = ("sessions", "with_suggestions", "opened", "deflected", "escalated")


def funnel(*, start: date, end: date, period: str = "day", language: str | None = None) -> list[FunnelRow]:
    """Funnel figures per day or ISO week (Monday start) between ``start`` and ``end`` inclusive.

    Reads the ``FunnelDay`` rows the periodic task keeps; every period in range appears, zeros included.
    """
    if period not in {"day", "week"}:
        raise ValueError("period must be 'day' or 'week'")
    rows = FunnelDay.objects.filter(day__gte=start, day__lte=end)
    if language:
        rows = rows.filter(language=language)
    per_day = {row["day"]: row for row in rows.values("day").annotate(**{name: Sum(name) for name in FUNNEL_FIELDS})}
    buckets: dict[date, dict[str, int]] = {}
    day = start
    while day <= end:
        key = day - timedelta(days=day.weekday()) if period == "week" else day
        bucket = buckets.setdefault(key, dict.fromkeys(FUNNEL_FIELDS, 0))
        for name in FUNNEL_FIELDS:
            bucket[name] += (per_day.get(day) or {}).get(name) or 0
        day += timedelta(days=1)
    return [FunnelRow(period_start=key, **values) for key, values in sorted(buckets.items())]


def funnel_totals(rows: list[FunnelRow]) -> FunnelRow | None:
    if not rows:
        return None
    return FunnelRow(
        period_start=rows[0].period_start,
        **{name: sum(getattr(row, name) for row in rows) for name in FUNNEL_FIELDS},
    )


def _sessions_between(start: date, end: date, language: str | None) -> QuerySet[DeflectionSession]:
    tz = timezone.get_current_timezone()
    sessions = DeflectionSession.objects.filter(
        created_at__gte=datetime.combine(start, datetime.min.time(), tz),
        created_at__lt=datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
    )
    if language:
        sessions = sessions.filter(language=language)
    return sessions


@dataclass(frozen=True)
class ArticleCount:
    article_id: str
    title: str
    url: str
    deflected: int
    opened: int


def top_deflecting_articles(
    *, start: date, end: date, language: str | None = None, limit: int = 10
) -> list[ArticleCount]:
    """Articles named in "this answered my question" most often, with how often they were opened."""
    sessions = _sessions_between(start, end, language)
    counts = (
        DeflectionEvent.objects.filter(session__in=sessions, kind__in=[EventKind.DEFLECTED, EventKind.OPENED])
        .exclude(article_id="")
        .values("article_id")
        .annotate(
            deflected=Count("id", filter=Q(kind=EventKind.DEFLECTED)),
            opened=Count("id", filter=Q(kind=EventKind.OPENED)),
        )
        .filter(deflected__gt=0)
        .order_by("-deflected", "-opened", "article_id")[:limit]
    )
    counts = list(counts)
    pages = _pages_by_id([row["article_id"] for row in counts])
    return [
        ArticleCount(
            article_id=row["article_id"],
            title=pages.get(row["article_id"], (row["article_id"], ""))[0],
            url=pages.get(row["article_id"], ("", ""))[1],
            deflected=row["deflected"],
            opened=row["opened"],
        )
        for row in counts
    ]


def _pages_by_id(article_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Titles and URLs of Wagtail pages by id (ids that are not pages are left out)."""
    numeric = [int(article_id) for article_id in article_ids if article_id.isdigit()]
    return {str(page.pk): (page.title, page.url or "") for page in Page.objects.filter(pk__in=numeric)}


@dataclass(frozen=True)
class ContentGap:
    text: str
    sessions: int
    without_suggestions: int
    without_open: int
    languages: list[str]


def content_gaps(
    *, start: date, end: date, language: str | None = None, limit: int = 25, min_sessions: int = 1
) -> list[ContentGap]:
    """Frequent drafts that got no suggestion, or whose suggestions nobody opened, grouped by text."""
    opened = DeflectionEvent.objects.filter(session=OuterRef("pk"), kind=EventKind.OPENED)
    sessions = (
        _sessions_between(start, end, language)
        .exclude(normalized_text="")
        .annotate(was_opened=Exists(opened))
        .filter(Q(first_suggested_at__isnull=True) | Q(was_opened=False))
        .exclude(outcome=Outcome.DEFLECTED)
    )
    groups = (
        sessions.values("normalized_text")
        .annotate(
            total=Count("id"),
            without_suggestions=Count("id", filter=Q(first_suggested_at__isnull=True)),
            without_open=Count("id", filter=Q(first_suggested_at__isnull=False)),
        )
        .filter(total__gte=min_sessions)
        .order_by("-total", "normalized_text")[:limit]
    )
    groups = list(groups)
    languages: dict[str, set[str]] = {}
    for text, lang in sessions.filter(normalized_text__in=[g["normalized_text"] for g in groups]).values_list(
        "normalized_text", "language"
    ):
        languages.setdefault(text, set()).add(lang)
    return [
        ContentGap(
            text=group["normalized_text"],
            sessions=group["total"],
            without_suggestions=group["without_suggestions"],
            without_open=group["without_open"],
            languages=sorted(languages.get(group["normalized_text"], ())),
        )
        for group in groups
    ]
