"""Every write of deflection: suggestions shown, events, the abandoned sweep, purges, funnel roll-ups."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.audiences import article_audiences_for
from deflection import conf
from deflection.exceptions import InvalidEvent, InvalidLanguage
from deflection.models import (
    EVENT_OUTCOME,
    OUTCOME_ORDER,
    DeflectionEvent,
    DeflectionSession,
    EventKind,
    FunnelDay,
    Outcome,
)
from deflection.selectors import current_session_for, session_for
from deflection.suggestions import Suggestion, rank_for_draft
from deflection.text import normalize_for_grouping

logger = logging.getLogger(__name__)

SUBJECT_MAX = 300
CLIENT_EVENT_KINDS = frozenset({EventKind.OPENED, EventKind.DEFLECTED, EventKind.ESCALATED})


@dataclass(frozen=True)
class Suggestions:
    session_id: uuid.UUID | None
    language: str
    items: list[Suggestion]
    degraded: bool
    truncated: bool
    draft_language: str | None = None  # the draft's language when detected and not ``language``


def check_language(language: str | None) -> str:
    """``language`` if it is one of settings.LANGUAGES, else ``InvalidLanguage``."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise InvalidLanguage(f"Unknown language {language!r}; expected one of: {', '.join(codes)}.")
    return language


def suggest_for_draft(
    *,
    subject: str,
    description: str,
    language: str,
    user: object | None,
    session_id: object | None = None,
    visitor_key: str = "",
    limit: int | None = None,
    backend: object | None = None,
) -> Suggestions:
    """Rank articles for a draft and remember, in one row, what was shown to this customer.

    The session row holds the draft and the last suggestions (no event per keystroke); an open
    session of the same customer is reused when the client lost its id. A closed session (deflected
    or escalated) is never reopened: typing again starts a new question.
    Raises ``InvalidLanguage`` and ``SessionNotFound`` (unknown or foreign ``session_id``).
    """
    check_language(language)
    session = session_for(user, session_id, visitor_key=visitor_key) if session_id else None
    subject = (subject or "")[:SUBJECT_MAX]
    description = description or ""
    ranking = rank_for_draft(
        subject=subject,
        description=description,
        language=language,
        audiences=article_audiences_for(user),
        limit=limit,
        backend=backend,
    )
    if len(ranking.query.strip()) < 3:
        # Too short to search: nothing shown, nothing written.
        return Suggestions(session.pk if session else None, language, [], ranking.degraded, ranking.truncated)

    if session is None or session.is_closed:
        session = current_session_for(user, visitor_key=visitor_key)
    now = timezone.now()
    # The draft is stored as typed up to the limit search used; longer descriptions keep their head.
    stored_description = description[: conf.max_draft_chars()]
    shown = [
        {
            "article_id": item.article_id,
            "rank": item.rank,
            "title": item.title,
            "url": item.url,
            "language": item.language,  # the review page labels an article in another language
            "is_fallback": item.is_fallback,
        }
        for item in ranking.items
    ]
    values = {
        "language": language,
        "subject": subject,
        "description": stored_description,
        "normalized_text": normalize_for_grouping(subject, description),
        "last_suggestions": shown,
        "last_activity_at": now,
    }
    if session is None:
        session = DeflectionSession.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            visitor_key=visitor_key or "",
            suggestion_requests=1,
            first_suggested_at=now if shown else None,
            **values,
        )
    else:
        update = {**values, "suggestion_requests": F("suggestion_requests") + 1}
        if getattr(user, "is_authenticated", False) and session.user_id is None:
            update["user"] = user  # drafted anonymously, then signed in on the same browser
        if shown and session.first_suggested_at is None:
            update["first_suggested_at"] = now
        # One UPDATE, guarded so a concurrent outcome is never overwritten by a late keystroke.
        DeflectionSession.objects.filter(pk=session.pk, outcome__in=[Outcome.OPEN, Outcome.ABANDONED]).update(
            **update, outcome=Outcome.OPEN
        )
    return Suggestions(session.pk, language, ranking.items, ranking.degraded, ranking.truncated, ranking.draft_language)


@dataclass(frozen=True)
class EventResult:
    session: DeflectionSession
    created: bool  # False when the same event had been recorded before (idempotent repeat)


def session_record_event(
    *,
    session_id: object,
    user: object | None,
    kind: str,
    visitor_key: str = "",
    article_id: str | None = None,
    rank: int | None = None,
) -> EventResult:
    """Record an open or an outcome once; the session's outcome only moves up (see ``OUTCOME_ORDER``).

    Repeats and late arrivals are accepted and change nothing: the event table has one row per
    (session, kind[, article]) and the outcome is the highest one seen, whatever the order.
    """
    if kind not in CLIENT_EVENT_KINDS and kind != EventKind.ABANDONED:
        raise InvalidEvent(f"Unknown event kind {kind!r}.")
    article_id = str(article_id).strip() if article_id not in (None, "") else ""
    if len(article_id) > 64:
        raise InvalidEvent("article_id is longer than 64 characters.")
    if kind == EventKind.OPENED and not article_id:
        raise InvalidEvent("An 'opened' event needs the article_id that was opened.")
    if rank is not None and not (1 <= int(rank) <= 100):
        raise InvalidEvent("rank must be between 1 and 100.")

    with transaction.atomic():
        session = session_for(user, session_id, visitor_key=visitor_key)
        session = DeflectionSession.objects.select_for_update().get(pk=session.pk)
        if rank is None and article_id:
            shown = session.suggestion_for(article_id)
            rank = shown["rank"] if shown else None
        created = _insert_event_once(session=session, kind=kind, article_id=article_id, rank=rank)
        now = timezone.now()
        update: dict[str, object] = {"last_activity_at": now}
        new_outcome = EVENT_OUTCOME.get(kind)
        if new_outcome and OUTCOME_ORDER[new_outcome] > OUTCOME_ORDER[session.outcome]:
            update.update(outcome=new_outcome, outcome_at=now)
        DeflectionSession.objects.filter(pk=session.pk).update(**update)
        for name, value in update.items():
            setattr(session, name, value)
    return EventResult(session=session, created=created)


def _insert_event_once(*, session: DeflectionSession, kind: str, article_id: str, rank: int | None) -> bool:
    """Insert the event unless its twin exists; the unique constraints settle races."""
    twin = DeflectionEvent.objects.filter(session=session, kind=kind)
    if kind == EventKind.OPENED:
        twin = twin.filter(article_id=article_id)
    if twin.exists():
        return False
    try:
        with transaction.atomic():
            DeflectionEvent.objects.create(session=session, kind=kind, article_id=article_id, rank=rank)
    except IntegrityError:
        return False
    return True


def sessions_close_abandoned(*, now: datetime | None = None) -> int:
    """Mark open sessions idle for longer than the abandon timeout as abandoned; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=conf.abandon_after_minutes())
    closed = 0
    idle = DeflectionSession.objects.filter(outcome=Outcome.OPEN, last_activity_at__lt=cutoff)
    for pk in idle.values_list("pk", flat=True).iterator(chunk_size=500):
        with transaction.atomic():
            # Re-checked under the update: a customer who came back in between keeps the session open.
            updated = DeflectionSession.objects.filter(pk=pk, outcome=Outcome.OPEN, last_activity_at__lt=cutoff).update(
                outcome=Outcome.ABANDONED, outcome_at=now
            )
            if updated:
                DeflectionEvent.objects.bulk_create(
                    [DeflectionEvent(session_id=pk, kind=EventKind.ABANDONED)], ignore_conflicts=True
                )
                closed += 1
    return closed


def drafts_purge(*, now: datetime | None = None) -> int:
    """Blank the draft text of sessions older than the retention period; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.draft_retention_days())
    return DeflectionSession.objects.filter(created_at__lt=cutoff, draft_purged_at__isnull=True).update(
        subject="", description="", normalized_text="", draft_purged_at=now
    )


def funnel_recompute(*, start: date, end: date) -> int:
    """Recount ``FunnelDay`` rows for sessions created between ``start`` and ``end`` (inclusive).

    Recounting (not incrementing) makes the periodic task safe to run twice and lets late events
    change a past day's figures. Returns the number of rows written.
    """
    tz = timezone.get_current_timezone()
    opened = DeflectionEvent.objects.filter(session=OuterRef("pk"), kind=EventKind.OPENED)
    rows = (
        DeflectionSession.objects.filter(
            created_at__gte=datetime.combine(start, datetime.min.time(), tz),
            created_at__lt=datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
        )
        .annotate(day=TruncDate("created_at", tzinfo=tz), was_opened=Exists(opened))
        .values("day", "language")
        .annotate(
            sessions=Count("id"),
            with_suggestions=Count("id", filter=Q(first_suggested_at__isnull=False)),
            opened=Count("id", filter=Q(was_opened=True)),
            deflected=Count("id", filter=Q(outcome=Outcome.DEFLECTED)),
            escalated=Count("id", filter=Q(outcome=Outcome.ESCALATED)),
            abandoned=Count("id", filter=Q(outcome=Outcome.ABANDONED)),
        )
        .order_by()
    )
    written = 0
    with transaction.atomic():
        FunnelDay.objects.filter(day__gte=start, day__lte=end).delete()
        FunnelDay.objects.bulk_create(
            [
                FunnelDay(
                    day=row["day"],
                    language=row["language"],
                    **{
                        name: row[name]
                        for name in ("sessions", "with_suggestions", "opened", "deflected", "escalated", "abandoned")
                    },
                )
                for row in rows
            ]
        )
        written = FunnelDay.objects.filter(day__gte=start, day__lte=end).count()
    return written
