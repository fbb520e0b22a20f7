"""Views are counted per article, language and day in one row each, robots excluded."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from cms.models import ArticleViewCount
from cms.services import article_view_record, is_bot

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


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
    assert counts() == {}


def test_is_bot():
    assert is_bot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")
    assert is_bot("Mozilla/5.0 (compatible; YandexSpider)")
    assert is_bot("   ")
    assert not is_bot(BROWSER)


def test_record_increments_an_existing_row(tree):
    day = dt.date(2026, 1, 5)
    for _ in range(3):
        article_view_record(article_id=tree.bilingual.pk, language="de", day=day)
    assert counts() == {(tree.bilingual.pk, "de", day): 3}
