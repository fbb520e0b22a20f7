"""Views are counted per article, language and day in one row each, robots excluded.

A GET counts in the cache and writes nothing to the database; the periodic flush writes the rows.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import ArticleViewCount
from cms.services import article_views_flush
from cms.tasks import flush_article_views
from cms.view_counts import article_view_add, is_bot

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _no_counts_left_in_the_cache() -> None:
    cache.clear()


def counts() -> dict[tuple[int, str, dt.date], int]:
    return {(row.article_id, row.language, row.day): row.count for row in ArticleViewCount.objects.all()}


def test_views_aggregate_into_one_row_per_article_language_and_day(tree):
    client = Client(HTTP_USER_AGENT=BROWSER)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC), tick=False):
        client.get(tree.bilingual.url)
        client.get(tree.bilingual.url)
        client.get(tree.bilingual.url, {"lang": "fr"})
        client.get(tree.english_only.url, {"lang": "fr"})  # shown in English: counted as an English view
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC), tick=False):
        client.get(tree.bilingual.url)
        assert counts() == {}
        assert article_views_flush() == 5
    assert counts() == {
        (tree.bilingual.pk, "en", dt.date(2026, 11, 2)): 2,
        (tree.bilingual.pk, "fr", dt.date(2026, 11, 2)): 1,
        (tree.english_only.pk, "en", dt.date(2026, 11, 2)): 1,
        (tree.bilingual.pk, "en", dt.date(2026, 11, 3)): 1,
    }


def test_bots_and_refused_requests_are_not_counted(tree, client):
    for agent in ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.32", ""]:
        Client(HTTP_USER_AGENT=agent).get(tree.bilingual.url)
    Client(HTTP_USER_AGENT=BROWSER).get(tree.internal.url)  # redirected to sign in
    Client(HTTP_USER_AGENT=BROWSER).head(tree.bilingual.url)
    Client(HTTP_USER_AGENT=BROWSER, HTTP_PURPOSE="prefetch").get(tree.bilingual.url)
    assert article_views_flush() == 0
    assert counts() == {}


def test_is_bot():
    assert is_bot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")
    assert is_bot("Mozilla/5.0 (compatible; YandexSpider)")
    assert is_bot("   ")
    assert not is_bot(BROWSER)


def test_reading_an_article_writes_nothing_to_the_database(tree):
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.get(tree.bilingual.url)  # warm caches of the page tree and the site
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get(tree.bilingual.url).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert counts() == {}
    assert article_views_flush() == 6
    assert counts() == {(tree.bilingual.pk, "en", timezone.localdate()): 6}


def test_a_flush_run_twice_counts_nothing_twice(tree):
    day = timezone.localdate()
    for _ in range(3):
        article_view_add(article_id=tree.bilingual.pk, language="de", day=day)
    assert flush_article_views() == 3
    assert flush_article_views() == 0
    article_view_add(article_id=tree.bilingual.pk, language="de", day=day)
    assert article_views_flush() == 1
    assert article_views_flush() == 0
    assert counts() == {(tree.bilingual.pk, "de", day): 4}


def test_the_flush_adds_to_rows_of_earlier_days_and_leaves_older_counts(tree):
    today = dt.date(2026, 11, 10)
    ArticleViewCount.objects.create(article=tree.bilingual, language="en", day=dt.date(2026, 11, 9), count=7)
    article_view_add(article_id=tree.bilingual.pk, language="en", day=dt.date(2026, 11, 9))
    article_view_add(article_id=tree.english_only.pk, language="fr", day=today)
    assert article_views_flush(today=today) == 2
    assert counts() == {
        (tree.bilingual.pk, "en", dt.date(2026, 11, 9)): 8,
        (tree.english_only.pk, "fr", today): 1,
    }


def test_the_flush_runs_every_minute():
    schedule = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "cms.flush_article_views"]
    assert schedule == [{"task": "cms.flush_article_views", "schedule": 60.0}]


@pytest.mark.services
def test_counts_and_flush_on_redis(tree, redis_url):
    """Production keeps the counters in Redis: increments are atomic there, and the flush is the same."""
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": uuid.uuid4().hex,  # this test's own counters, without emptying a shared database
        }
    }
    with override_settings(CACHES=redis_cache):
        client = Client(HTTP_USER_AGENT=BROWSER)
        for _ in range(3):
            client.get(tree.bilingual.url)
        assert counts() == {}
        assert article_views_flush() == 3
        assert article_views_flush() == 0
    assert counts() == {(tree.bilingual.pk, "en", timezone.localdate()): 3}
