"""Demo deflection history for ``seed_demo``: a fortnight of sessions so the editors' funnel has figures."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TextIO

from django.utils import timezone
from wagtail.models import Page

from deflection.models import DeflectionEvent, DeflectionSession, EventKind, Outcome
from deflection.services import funnel_recompute
from deflection.text import normalize_for_grouping

DEMO_KEY_PREFIX = "demo-"
DAYS = 14

# Drafts with no matching article: they show up as content gaps.
GAP_DRAFTS = [
    ("en", "Can I pay by bank transfer in Swiss francs?"),
    ("en", "Dark mode for the mobile app"),
    ("fr", "Export vers un tableau Gantt en PDF"),
    ("fr", "Mode sombre sur l'application mobile"),
]
ANSWERED_DRAFTS = [
    ("en", "forgot my password"),
    ("en", "where do I find my invoices"),
    ("fr", "changer la langue du portail"),
    ("fr", "mot de passe oublié"),
    ("de", "Passwort vergessen"),
]


def seed(stdout: TextIO) -> list[str]:
    """Create the demo sessions once (recognised by their visitor key), then recount the funnel."""
    lines = ["Deflection: New request page /requests/new · editors' funnel /admin/deflection/funnel/"]
    if DeflectionSession.objects.filter(visitor_key__startswith=DEMO_KEY_PREFIX).exists():
        return lines
    articles = _demo_articles()
    rng = random.Random(2026)
    now = timezone.now()
    number = 0
    for days_ago in range(DAYS, -1, -1):
        for _ in range(rng.randint(3, 8)):
            number += 1
            created = now - timedelta(days=days_ago, minutes=rng.randint(0, 600))
            gap = rng.random() < 0.25 or not articles
            language, text = rng.choice(GAP_DRAFTS if gap else ANSWERED_DRAFTS)
            shown = [] if gap else rng.sample(articles, k=min(3, len(articles)))
            session = DeflectionSession.objects.create(
                visitor_key=f"{DEMO_KEY_PREFIX}{number}",
                language=language,
                subject=text,
                normalized_text=normalize_for_grouping(text, ""),
                last_suggestions=[
                    {"article_id": article_id, "rank": rank, "title": title, "url": url}
                    for rank, (article_id, title, url) in enumerate(shown, start=1)
                ],
                suggestion_requests=rng.randint(1, 4),
                first_suggested_at=created if shown else None,
            )
            outcome = _play(session, shown, rng)
            DeflectionSession.objects.filter(pk=session.pk).update(
                created_at=created,
                last_activity_at=created + timedelta(minutes=3),
                outcome=outcome,
                outcome_at=created + timedelta(minutes=3) if outcome != Outcome.OPEN else None,
            )
    funnel_recompute(start=timezone.localdate() - timedelta(days=DAYS), end=timezone.localdate())
    lines.append(f"Deflection: {number} demo sessions over the last {DAYS} days")
    return lines


def _play(session: DeflectionSession, shown: list[tuple[str, str, str]], rng: random.Random) -> str:
    """Open some suggestions and pick an outcome, as a customer would."""
    if not shown:
        return rng.choice([Outcome.ESCALATED, Outcome.ABANDONED])
    opened = shown[: rng.randint(0, len(shown))]
    for rank, (article_id, _title, _url) in enumerate(opened, start=1):
        DeflectionEvent.objects.create(session=session, kind=EventKind.OPENED, article_id=article_id, rank=rank)
    roll = rng.random()
    if opened and roll < 0.6:
        DeflectionEvent.objects.create(session=session, kind=EventKind.DEFLECTED, article_id=opened[0][0], rank=1)
        return Outcome.DEFLECTED
    if roll < 0.85:
        DeflectionEvent.objects.create(session=session, kind=EventKind.ESCALATED)
        return Outcome.ESCALATED
    DeflectionEvent.objects.create(session=session, kind=EventKind.ABANDONED)
    return Outcome.ABANDONED


def _demo_articles() -> list[tuple[str, str, str]]:
    """(id, title, url) of a few live public articles, if the cms demo has run."""
    pages = Page.objects.live().filter(content_type__app_label="cms", content_type__model="articlepage")[:8]
    return [(str(page.pk), page.title, page.url or "") for page in pages]
