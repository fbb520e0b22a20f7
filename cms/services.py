"""Writes about articles: view counters and "Was this article helpful?" votes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Site

from cms.models import COMMENT_MAX_LENGTH, ArticleFeedback, ArticlePage, ArticleViewCount

# Obvious robots: crawlers announce themselves; scripts send their library's name or nothing.
_BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|fetch|monitor|scan|headless|preview|curl|wget|httpie|"
    r"python-requests|python-urllib|aiohttp|go-http-client|java/|okhttp|libwww|scrapy|facebookexternalhit",
    re.IGNORECASE,
)


class FeedbackError(Exception):
    """A vote that cannot be stored; ``message`` says why (shown to the reader)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_bot(user_agent: str) -> bool:
    """Whether a User-Agent is an obvious robot (an empty one counts as a robot)."""
    return not user_agent.strip() or bool(_BOT_PATTERN.search(user_agent))


def article_view_record(*, article_id: int, language: str, day: object | None = None) -> None:
    """Count one view: increment the (article, language, day) row, creating it on the first view.

    Concurrent first views race on the unique constraint; the loser increments the winner's row.
    """
    day = day or timezone.localdate()
    counters = ArticleViewCount.objects.filter(article_id=article_id, language=language, day=day)
    if counters.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ArticleViewCount.objects.create(article_id=article_id, language=language, day=day, count=1)
    except IntegrityError:
        counters.update(count=F("count") + 1)


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
