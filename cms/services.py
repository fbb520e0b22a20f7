"""Writes about articles: view counters and "Was this article helpful?" votes."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.text import slugify
from wagtail.models import Site

from cms.models import COMMENT_MAX_LENGTH, ArticleFeedback, ArticlePage, ArticleViewCount, CategoryPage
from cms.selectors import VISITOR_SESSION_KEY, visitor_key_for
from cms.view_counts import counter_add, counter_take, parse_key, pending_counts

FLUSH_LOCK_KEY = "cms:views-flush-lock"
FLUSH_LOCK_SECONDS = 300


class FeedbackError(Exception):
    """A vote that cannot be stored; ``message`` says why (shown to the reader)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def article_draft_create(
    *, category: CategoryPage, author: object, language: str, title: str, summary: str, body: list[dict]
) -> ArticlePage:
    """A new, unpublished article under ``category`` written in ``language``, with its first revision.

    The caller checked that ``author`` may add pages under ``category`` (``selectors.categories_open_to``).
    ``body`` is the StreamField's raw value (a list of blocks).
    """
    slug = f"{slugify(title)[:40] or 'draft'}-{uuid.uuid4().hex[:6]}"
    with transaction.atomic():
        page = ArticlePage(title=title, slug=slug, live=False, summary=summary)
        setattr(page, f"title_{language}", title)
        setattr(page, f"summary_{language}", summary)
        setattr(page, f"body_{language}", body)
        page.body = body
        category.add_child(instance=page)
        page.save_revision(user=author, log_action=True)
    return page


def visitor_key_ensure(request: HttpRequest) -> str:
    """Who votes: the signed-in user, else a random id kept in the session, made here on the first vote."""
    if not visitor_key_for(request):
        request.session[VISITOR_SESSION_KEY] = uuid.uuid4().hex
    return visitor_key_for(request)


def article_views_flush(*, today: dt.date | None = None) -> int:
    """Move the views counted in the cache into ``ArticleViewCount`` rows; returns the views moved.

    One flush at a time (a cache lock), and each counter is decreased by what is written before the
    rows are written: a flush run twice, or two at once, count nothing twice. A database error puts
    the counts back for the next flush.
    """
    if not cache.add(FLUSH_LOCK_KEY, 1, timeout=FLUSH_LOCK_SECONDS):
        return 0
    try:
        pending = pending_counts(ArticlePage.objects.values_list("pk", flat=True), today=today)
        for key, count in pending.items():
            counter_take(key, count)
        try:
            with transaction.atomic():
                for key, count in pending.items():
                    article_id, language, day = parse_key(key)
                    _view_count_add(article_id=article_id, language=language, day=day, count=count)
        except Exception:
            for key, count in pending.items():
                counter_add(key, count)
            raise
        return sum(pending.values())
    finally:
        cache.delete(FLUSH_LOCK_KEY)


def _view_count_add(*, article_id: int, language: str, day: dt.date, count: int) -> None:
    """Add ``count`` views to the (article, language, day) row, creating it on the first flush of that day.

    Concurrent creations race on the unique constraint; the loser increments the winner's row.
    """
    counters = ArticleViewCount.objects.filter(article_id=article_id, language=language, day=day)
    if counters.update(count=F("count") + count):
        return
    try:
        with transaction.atomic():
            ArticleViewCount.objects.create(article_id=article_id, language=language, day=day, count=count)
    except IntegrityError:
        counters.update(count=F("count") + count)


@dataclass(frozen=True)
class FeedbackResult:
    feedback: ArticleFeedback
    created: bool


def feedback_submit(
    *,
    article: ArticlePage,
    language: str,
    helpful: bool,
    comment: str | None = None,
    visitor_key: str,
    user: object | None = None,
) -> FeedbackResult:
    """Store or change this visitor's vote on ``article``; a comment is kept only with a "No".

    ``comment=None`` (a bare vote) keeps the comment of an unchanged "No"; a given comment, even
    empty, replaces it. The comment is stored as the plain text received (templates escape it);
    nothing is written when the input is refused.
    """
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise FeedbackError("unsupported language")
    if comment is not None:
        comment = comment.strip()
        if len(comment) > COMMENT_MAX_LENGTH:
            raise FeedbackError(f"comment longer than {COMMENT_MAX_LENGTH} characters")
    if not visitor_key:
        raise FeedbackError("missing visitor")
    owner = user if getattr(user, "is_authenticated", False) else None
    try:
        return _store_vote(article, language, helpful, comment, visitor_key, owner)
    except IntegrityError:
        # Two first votes of one visitor raced on the unique constraint: the second is a change.
        return _store_vote(article, language, helpful, comment, visitor_key, owner)


def _store_vote(
    article: ArticlePage, language: str, helpful: bool, comment: str | None, visitor_key: str, owner: object | None
) -> FeedbackResult:
    with transaction.atomic():
        feedback = ArticleFeedback.objects.select_for_update().filter(article=article, visitor_key=visitor_key).first()
        created = feedback is None
        if created:
            feedback = ArticleFeedback(article=article, visitor_key=visitor_key)
        if helpful:
            feedback.comment = ""
        elif comment is not None or feedback.helpful is not False:
            feedback.comment = comment or ""
        feedback.helpful = helpful
        feedback.language = language
        feedback.user = owner or feedback.user
        feedback.save()
    return FeedbackResult(feedback=feedback, created=created)


def site_follow_site_url() -> Site | None:
    """Put Wagtail's default site on ``SITE_URL``'s host and port, named (after every ``migrate``).

    Wagtail builds a page's ``full_url`` (the API's ``html_url``, the admin's "view live") from
    the site record, which starts as ``localhost:80``; our links come from ``SITE_URL``. Requests
    for any other host still reach the default site.
    """
    address = urlsplit(settings.SITE_URL)
    hostname = address.hostname or "localhost"
    port = address.port or (443 if address.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    changed = []
    if not site.site_name:
        # Wagtail titles the admin with the site's name, else its host name ("localhost" for an
        # editor whose pages are under the site, "Answerfirst" for an administrator): one name.
        site.site_name = settings.WAGTAIL_SITE_NAME
        changed.append("site_name")
    taken = Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists()
    if (site.hostname, site.port) != (hostname, port) and not taken:  # another site there: an editor's choice
        site.hostname, site.port = hostname, port
        changed += ["hostname", "port"]
    if changed:
        site.save(update_fields=changed)
    return site
