"""Article views counted in the cache, so that reading an article writes nothing to the database.

A leaf module (it imports no model): ``ArticlePage.serve`` counts here on every GET, and
``cms.services.article_views_flush`` moves the counts into ``ArticleViewCount`` rows from a periodic
task. Counters are keyed by article, language and day, the rows' own aggregate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

# Obvious robots: crawlers announce themselves; scripts send their library's name or nothing.
_BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|fetch|monitor|scan|headless|preview|curl|wget|httpie|"
    r"python-requests|python-urllib|aiohttp|go-http-client|java/|okhttp|libwww|scrapy|facebookexternalhit",
    re.IGNORECASE,
)

# Days a counter waits for its flush; the flush runs every minute, so only a beat stopped for
# longer than this loses views.
KEEP_DAYS = 3
_KEY = "cms:views:{article_id}:{language}:{day}"


def is_bot(user_agent: str) -> bool:
    """Whether a User-Agent is an obvious robot (an empty one counts as a robot)."""
    return not user_agent.strip() or bool(_BOT_PATTERN.search(user_agent))


def counter_key(article_id: int, language: str, day: dt.date) -> str:
    return _KEY.format(article_id=article_id, language=language, day=day.isoformat())


def article_view_add(*, article_id: int, language: str, day: dt.date | None = None) -> None:
    """Count one view in the cache."""
    counter_add(counter_key(article_id, language, day or timezone.localdate()), 1)


def counter_add(key: str, count: int) -> None:
    """Atomic on Redis; ``add`` before ``incr`` so that concurrent first views are all counted."""
    cache.add(key, 0, timeout=KEEP_DAYS * 86400)
    try:
        cache.incr(key, count)
    except ValueError:  # evicted between add and incr: start again from this count
        cache.add(key, count, timeout=KEEP_DAYS * 86400)


def pending_counts(article_ids: Iterable[int], *, today: dt.date | None = None) -> dict[str, int]:
    """Counters waiting for the flush among these articles, every language, the last ``KEEP_DAYS`` days."""
    today = today or timezone.localdate()
    days = [today - dt.timedelta(days=back) for back in range(KEEP_DAYS)]
    languages = [code for code, _name in settings.LANGUAGES]
    keys = [
        counter_key(article_id, language, day) for article_id in article_ids for language in languages for day in days
    ]
    pending: dict[str, int] = {}
    for start in range(0, len(keys), 1000):
        for key, value in cache.get_many(keys[start : start + 1000]).items():
            if value:
                pending[key] = int(value)
    return pending


def parse_key(key: str) -> tuple[int, str, dt.date]:
    _cms, _views, article_id, language, day = key.split(":")
    return int(article_id), language, dt.date.fromisoformat(day)


def counter_take(key: str, count: int) -> None:
    """Subtract what a flush wrote (views counted meanwhile stay for the next flush)."""
    with contextlib.suppress(ValueError):  # the counter expired meanwhile: nothing left to subtract from
        cache.decr(key, count)
