"""Funnel figures, top deflecting articles and content gaps on a known fixture."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from deflection.models import DeflectionEvent, DeflectionSession, FunnelDay, Outcome
from deflection.selectors import content_gaps, funnel, funnel_totals, top_deflecting_articles
from deflection.services import funnel_recompute
from deflection.tasks import recompute_funnel

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 16)


def make_session(day: date, language: str, *, suggested: bool, outcome: str = Outcome.OPEN, opened: list[str] = (),
                 deflected_by: str = "", text: str = "how to do things") -> DeflectionSession:  # fmt: skip
    created = datetime.combine(day, datetime.min.time(), timezone.get_current_timezone()) + timedelta(hours=10)
    session = DeflectionSession.objects.create(
        language=language, visitor_key="v", subject=text, normalized_text=text,
        first_suggested_at=created if suggested else None, outcome=outcome,
    )  # fmt: skip
    DeflectionSession.objects.filter(pk=session.pk).update(created_at=created, last_activity_at=created)
    for article_id in opened:
        DeflectionEvent.objects.create(session=session, kind="opened", article_id=article_id)
    if outcome in {Outcome.DEFLECTED, Outcome.ESCALATED}:
        DeflectionEvent.objects.create(session=session, kind=outcome, article_id=deflected_by)
    return session


@pytest.fixture
def fixture_sessions() -> None:
    # Monday, English: 4 sessions, 3 with suggestions, 2 opened, 1 deflected, 1 escalated
    make_session(MONDAY, "en", suggested=True, outcome=Outcome.DEFLECTED, opened=["7"], deflected_by="7")
    make_session(MONDAY, "en", suggested=True, outcome=Outcome.ESCALATED, opened=["7", "8"])
    make_session(MONDAY, "en", suggested=True, text="printer offline")
    make_session(MONDAY, "en", suggested=False, outcome=Outcome.ABANDONED, text="printer offline")
    # Monday, French: 2 sessions, both with suggestions, 1 deflected by article 8
    make_session(MONDAY, "fr", suggested=True, outcome=Outcome.DEFLECTED, opened=["8"], deflected_by="8")
    make_session(MONDAY, "fr", suggested=False, text="imprimante hors ligne")
    # Wednesday, English: 1 session deflected by 7
    make_session(MONDAY + timedelta(days=2), "en", suggested=True, outcome=Outcome.DEFLECTED, opened=["7"],
                 deflected_by="7")  # fmt: skip
    # The next Monday (another week), French: 1 escalated, no suggestions
    make_session(MONDAY + timedelta(days=7), "fr", suggested=False, outcome=Outcome.ESCALATED, text="printer offline")


def test_funnel_per_day_and_language(fixture_sessions) -> None:
    assert funnel_recompute(start=MONDAY, end=MONDAY + timedelta(days=13)) == 4
    day = FunnelDay.objects.get(day=MONDAY, language="en")
    assert (day.sessions, day.with_suggestions, day.opened, day.deflected, day.escalated, day.abandoned) == (
        4, 3, 2, 1, 1, 1,
    )  # fmt: skip
    rows = funnel(start=MONDAY, end=MONDAY + timedelta(days=2), period="day", language="en")
    assert [row.period_start for row in rows] == [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
    assert [row.sessions for row in rows] == [4, 0, 1]
    assert rows[0].deflection_rate == pytest.approx(1 / 3)
    assert rows[1].deflection_rate is None
    assert rows[2].deflection_rate == 1.0


def test_funnel_per_week_all_languages(fixture_sessions) -> None:
    funnel_recompute(start=MONDAY, end=MONDAY + timedelta(days=13))
    weeks = funnel(start=MONDAY, end=MONDAY + timedelta(days=13), period="week")
    assert [week.period_start for week in weeks] == [MONDAY, MONDAY + timedelta(days=7)]
    first, second = weeks
    assert (first.sessions, first.with_suggestions, first.opened, first.deflected, first.escalated) == (7, 5, 4, 3, 1)
    assert first.deflection_rate == pytest.approx(3 / 5)
    assert (second.sessions, second.escalated, second.deflection_rate) == (1, 1, None)
    totals = funnel_totals(weeks)
    assert (totals.sessions, totals.deflected, totals.escalated) == (8, 3, 2)


def test_recount_is_idempotent_and_follows_late_events(fixture_sessions) -> None:
    funnel_recompute(start=MONDAY, end=MONDAY)
    funnel_recompute(start=MONDAY, end=MONDAY)
    assert FunnelDay.objects.filter(day=MONDAY).count() == 2
    late = DeflectionSession.objects.get(language="fr", first_suggested_at__isnull=False, outcome=Outcome.DEFLECTED)
    DeflectionSession.objects.filter(pk=late.pk).update(outcome=Outcome.ESCALATED)
    funnel_recompute(start=MONDAY, end=MONDAY)
    assert FunnelDay.objects.get(day=MONDAY, language="fr").escalated == 1


def test_periodic_task_recounts_recent_days() -> None:
    make_session(timezone.localdate(), "en", suggested=True, outcome=Outcome.DEFLECTED, opened=["1"], deflected_by="1")
    assert recompute_funnel() == 1
    assert FunnelDay.objects.get(day=timezone.localdate()).deflected == 1


def test_top_deflecting_articles(fixture_sessions) -> None:
    top = top_deflecting_articles(start=MONDAY, end=MONDAY + timedelta(days=13))
    assert [(row.article_id, row.deflected, row.opened) for row in top] == [("7", 2, 3), ("8", 1, 2)]
    french = top_deflecting_articles(start=MONDAY, end=MONDAY, language="fr")
    assert [row.article_id for row in french] == ["8"]


def test_content_gaps_grouped_by_text(fixture_sessions) -> None:
    gaps = content_gaps(start=MONDAY, end=MONDAY + timedelta(days=13))
    by_text = {gap.text: gap for gap in gaps}
    printer = by_text["printer offline"]
    assert (printer.sessions, printer.without_suggestions, printer.without_open) == (3, 2, 1)
    assert printer.languages == ["en", "fr"]
    assert gaps[0].text == "printer offline"
    assert "imprimante hors ligne" in by_text
    # the escalated session that opened articles is not a gap; deflected ones never are
    assert by_text.get("how to do things") is None
