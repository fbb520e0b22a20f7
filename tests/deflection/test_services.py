"""Events and outcomes, the abandoned sweep, the draft purge."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from deflection.exceptions import InvalidEvent, SessionNotFound
from deflection.models import DeflectionEvent, DeflectionSession, EventKind, Outcome
from deflection.services import drafts_purge, session_record_event, sessions_close_abandoned, suggest_for_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(indexed) -> DeflectionSession:
    result = suggest_for_draft(subject="reset password", description="", language="en", user=None, visitor_key="v")
    return DeflectionSession.objects.get(pk=result.session_id)


def record(session: DeflectionSession, kind: str, **kwargs):
    return session_record_event(session_id=session.pk, user=None, visitor_key="v", kind=kind, **kwargs)


def test_open_is_recorded_once_with_the_rank_shown(session) -> None:
    first = record(session, EventKind.OPENED, article_id="101")
    again = record(session, EventKind.OPENED, article_id="101")
    assert first.created is True and again.created is False
    event = DeflectionEvent.objects.get()
    assert (event.kind, event.article_id, event.rank) == ("opened", "101", 1)
    assert first.session.outcome == Outcome.OPEN


def test_deflected_then_repeated_is_accepted_once(session) -> None:
    assert record(session, EventKind.DEFLECTED, article_id="101").created is True
    assert record(session, EventKind.DEFLECTED, article_id="102").created is False
    session.refresh_from_db()
    assert session.outcome == Outcome.DEFLECTED and session.outcome_at is not None
    assert DeflectionEvent.objects.filter(kind="deflected").count() == 1


def test_outcome_does_not_depend_on_arrival_order(session, indexed) -> None:
    other = DeflectionSession.objects.get(
        pk=suggest_for_draft(subject="export pdf", description="", language="en", user=None, visitor_key="w").session_id
    )
    record(session, EventKind.DEFLECTED)
    record(session, EventKind.ESCALATED)
    session_record_event(session_id=other.pk, user=None, visitor_key="w", kind=EventKind.ESCALATED)
    session_record_event(session_id=other.pk, user=None, visitor_key="w", kind=EventKind.DEFLECTED)
    session.refresh_from_db()
    other.refresh_from_db()
    assert session.outcome == other.outcome == Outcome.ESCALATED


def test_late_open_after_outcome_is_kept_without_changing_it(session) -> None:
    record(session, EventKind.ESCALATED)
    assert record(session, EventKind.OPENED, article_id="101").created is True
    session.refresh_from_db()
    assert session.outcome == Outcome.ESCALATED


def test_events_for_foreign_sessions_are_not_found(session, customer) -> None:
    with pytest.raises(SessionNotFound):
        session_record_event(session_id=session.pk, user=None, visitor_key="someone-else", kind=EventKind.DEFLECTED)
    with pytest.raises(SessionNotFound):
        session_record_event(session_id=session.pk, user=customer, kind=EventKind.DEFLECTED)
    assert not DeflectionEvent.objects.exists()


def test_invalid_events_are_refused_and_change_nothing(session) -> None:
    with pytest.raises(InvalidEvent):
        record(session, EventKind.OPENED)  # no article
    with pytest.raises(InvalidEvent):
        record(session, "teleported")
    with pytest.raises(InvalidEvent):
        record(session, EventKind.OPENED, article_id="x" * 65)
    assert not DeflectionEvent.objects.exists()
    session.refresh_from_db()
    assert session.outcome == Outcome.OPEN


def test_idle_sessions_are_closed_as_abandoned_and_late_answers_still_count(session, indexed) -> None:
    fresh = DeflectionSession.objects.get(
        pk=suggest_for_draft(subject="export pdf", description="", language="en", user=None, visitor_key="w").session_id
    )
    later = timezone.now() + timedelta(minutes=31)
    DeflectionSession.objects.filter(pk=fresh.pk).update(last_activity_at=later - timedelta(minutes=5))
    assert sessions_close_abandoned(now=later) == 1
    assert sessions_close_abandoned(now=later) == 0  # twice changes nothing more
    session.refresh_from_db()
    fresh.refresh_from_db()
    assert session.outcome == Outcome.ABANDONED and fresh.outcome == Outcome.OPEN
    assert DeflectionEvent.objects.filter(kind="abandoned").count() == 1
    record(session, EventKind.DEFLECTED, article_id="101")
    session.refresh_from_db()
    assert session.outcome == Outcome.DEFLECTED


def test_typing_again_reopens_an_abandoned_session(session) -> None:
    sessions_close_abandoned(now=timezone.now() + timedelta(hours=1))
    result = suggest_for_draft(
        subject="reset password now", description="", language="en", user=None, visitor_key="v", session_id=session.pk
    )
    assert result.session_id == session.pk
    session.refresh_from_db()
    assert session.outcome == Outcome.OPEN


def test_a_decided_session_is_not_reused_for_a_new_question(session) -> None:
    record(session, EventKind.DEFLECTED)
    result = suggest_for_draft(
        subject="export pdf", description="", language="en", user=None, visitor_key="v", session_id=session.pk
    )
    assert result.session_id != session.pk
    session.refresh_from_db()
    assert session.subject == "reset password" and session.outcome == Outcome.DEFLECTED


def test_drafts_are_purged_after_the_retention_period(session, settings) -> None:
    settings.DEFLECTION_DRAFT_RETENTION_DAYS = 10
    assert drafts_purge(now=timezone.now() + timedelta(days=9)) == 0
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert drafts_purge() == 1
        assert drafts_purge() == 0
    session.refresh_from_db()
    assert (session.subject, session.description, session.normalized_text) == ("", "", "")
    assert session.draft_purged_at is not None
    assert session.last_suggestions  # what was shown stays for the funnel
