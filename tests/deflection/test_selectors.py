"""What deflection tells other apps about a session: the articles shown and those opened."""

from __future__ import annotations

import pytest

from deflection.models import DeflectionEvent, DeflectionSession, EventKind
from deflection.selectors import session_articles

pytestmark = pytest.mark.django_db


def test_session_articles_lists_the_last_suggestions_and_the_opens_in_order(customer):
    shown = [{"article_id": "11", "rank": 1, "title": "Export your data", "url": "/help/data/export/?lang=en"}]
    session = DeflectionSession.objects.create(user=customer, language="en", subject="s", last_suggestions=shown)
    DeflectionEvent.objects.create(session=session, kind=EventKind.OPENED, article_id="12", rank=2)
    DeflectionEvent.objects.create(session=session, kind=EventKind.DEFLECTED, article_id="13", rank=1)
    DeflectionEvent.objects.create(session=session, kind=EventKind.OPENED, article_id="11", rank=1)
    articles = session_articles(session)
    assert articles.shown == shown
    assert articles.opened == ["12", "11"]


def test_a_session_with_nothing_shown_or_opened(customer):
    session = DeflectionSession.objects.create(user=customer, language="en", subject="s", last_suggestions=[])
    articles = session_articles(session)
    assert (articles.shown, articles.opened) == ([], [])
