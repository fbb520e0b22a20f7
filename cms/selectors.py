"""Reads about articles, scoped by who is asking (audiences come from ``accounts.audiences``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest
from django.utils import timezone

from accounts.audiences import article_audiences_for
from cms.models import ArticleFeedback, ArticlePage, ArticleViewCount, CategoryPage

VISITOR_SESSION_KEY = "cms_visitor"
POPULAR_WINDOW_DAYS = 30


def visible_articles(user: object | None) -> QuerySet[ArticlePage]:
    """Live, non-restricted articles whose audience ``user`` may read."""
    return ArticlePage.objects.live().public().filter(audience__in=article_audiences_for(user))


def visible_categories(parent: object, user: object | None) -> list[CategoryPage]:
    """Child categories of ``parent`` holding at least one article ``user`` may read (at any depth).

    An internal-only category would otherwise show customers an empty shelf.
    """
    paths = list(visible_articles(user).values_list("path", flat=True))
    categories = CategoryPage.objects.child_of(parent).live().public().specific()
    return [category for category in categories if any(path.startswith(category.path) for path in paths)]


def categories_open_to(user: object) -> list[CategoryPage]:
    """Categories under which ``user`` may add articles in Wagtail (its page permissions), in tree order."""
    return [
        page
        for page in CategoryPage.objects.all().order_by("path")
        if page.permissions_for_user(user).can_add_subpage()
    ]


def article_for_reader(user: object | None, article_id: int) -> ArticlePage | None:
    return visible_articles(user).filter(pk=article_id).first()


def popular_articles(*, user: object | None, limit: int = 6, today: date | None = None) -> list[ArticlePage]:
    """The most read visible articles of the last 30 days; recently published ones fill the list."""
    since = (today or timezone.localdate()) - timedelta(days=POPULAR_WINDOW_DAYS)
    articles = visible_articles(user)
    ranked = list(
        articles.annotate(recent_views=Sum("view_counts__count", filter=Q(view_counts__day__gte=since)))
        .filter(recent_views__gt=0)
        .order_by("-recent_views", "path")[:limit]
    )
    if len(ranked) < limit:
        seen = [page.pk for page in ranked]
        ranked += list(articles.exclude(pk__in=seen).order_by("-first_published_at", "path")[: limit - len(ranked)])
    return ranked


def visitor_key_for(request: HttpRequest) -> str:
    """Who votes: the signed-in user, else the id the session got with its first vote ("" before it).

    Reads only: ``cms.services.visitor_key_ensure`` makes the id when a vote is cast.
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    visitor = request.session.get(VISITOR_SESSION_KEY)
    return f"visitor:{visitor}" if visitor else ""


def feedback_for_visitor(*, article: ArticlePage, visitor_key: str) -> ArticleFeedback | None:
    if not visitor_key:
        return None
    return ArticleFeedback.objects.filter(article=article, visitor_key=visitor_key).first()


# The report's orders. "attention" comes first: the articles readers said did not help, most
# "No" votes first, then the lowest share of "Yes"; articles nobody voted on come last there.
_RATIO_ASCENDING = OrderBy(F("helpful_ratio"), nulls_last=True)
FEEDBACK_ORDERS: dict[str, tuple[str | OrderBy, ...]] = {
    "attention": ("-no", _RATIO_ASCENDING, "-views", "path"),
    "views": ("-views", "path"),
    "helpful": (OrderBy(F("helpful_ratio"), descending=True, nulls_last=True), "-yes", "path"),
    "tree": ("path",),
}


def feedback_report(
    *,
    language: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    order: str = "attention",
) -> QuerySet[ArticlePage]:
    """Every article with its views, yes and no votes in the period and language (for the report).

    Subqueries, not joins: views and votes live in two tables, and joining both would multiply
    one count by the other. ``order`` is a key of ``FEEDBACK_ORDERS`` (unknown: "attention").
    """
    views = ArticleViewCount.objects.filter(article=OuterRef("pk"))
    votes = ArticleFeedback.objects.filter(article=OuterRef("pk"))
    if language:
        views = views.filter(language=language)
        votes = votes.filter(language=language)
    if date_from:
        views = views.filter(day__gte=date_from)
        votes = votes.filter(updated_at__date__gte=date_from)
    if date_to:
        views = views.filter(day__lte=date_to)
        votes = votes.filter(updated_at__date__lte=date_to)
    views_total = views.order_by().values("article").annotate(total=Sum("count")).values("total")
    yes_total = votes.filter(helpful=True).order_by().values("article").annotate(total=Count("pk")).values("total")
    no_total = votes.filter(helpful=False).order_by().values("article").annotate(total=Count("pk")).values("total")
    zero = Value(0, output_field=IntegerField())
    return (
        ArticlePage.objects.annotate(
            views=Coalesce(Subquery(views_total, output_field=IntegerField()), zero),
            yes=Coalesce(Subquery(yes_total, output_field=IntegerField()), zero),
            no=Coalesce(Subquery(no_total, output_field=IntegerField()), zero),
        )
        .annotate(
            helpful_ratio=Case(
                When(
                    Q(yes__gt=0) | Q(no__gt=0), then=Cast("yes", FloatField()) / Cast(F("yes") + F("no"), FloatField())
                ),
                default=None,
                output_field=FloatField(),
            )
        )
        .order_by(*FEEDBACK_ORDERS.get(order, FEEDBACK_ORDERS["attention"]))
    )


def recent_comments(
    article_ids: list[int],
    *,
    language: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    per_article: int = 3,
) -> dict[int, list]:
    """The latest comments left with a "No", a few per article."""
    comments = ArticleFeedback.objects.filter(article_id__in=article_ids, helpful=False).exclude(comment="")
    if language:
        comments = comments.filter(language=language)
    if date_from:
        comments = comments.filter(updated_at__date__gte=date_from)
    if date_to:
        comments = comments.filter(updated_at__date__lte=date_to)
    grouped: dict[int, list] = {}
    for feedback in comments.order_by("-updated_at"):
        bucket = grouped.setdefault(feedback.article_id, [])
        if len(bucket) < per_article:
            bucket.append(feedback)
    return grouped
