"""The editors' deflection analytics in the Wagtail admin: funnel, chart, top articles, content gaps."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from deflection import selectors, services
from deflection.charts import COLORS, funnel_chart

RANGES = (7, 30, 90, 365)


def _check_editor(request: HttpRequest) -> None:
    """Editors (anyone who may add, change or publish pages) see the analytics; admin access alone is not enough."""
    if not PagePermissionPolicy().user_has_any_permission(request.user, ["add", "change", "publish"]):
        raise PermissionDenied


def _create_article_url() -> str:
    """Wagtail's "add an article" form under the help center, when both exist."""
    help_center = Page.objects.filter(content_type__app_label="cms", content_type__model="helpcenterpage").first()
    if help_center is None:
        return ""
    try:
        return reverse("wagtailadmin_pages:add", args=["cms", "articlepage", help_center.pk])
    except NoReverseMatch:
        return ""


@require_http_methods(["GET", "POST"])
def funnel_report(request: HttpRequest) -> HttpResponse:
    _check_editor(request)
    languages = dict(settings.LANGUAGES)
    period = request.GET.get("period", "day")
    period = period if period in {"day", "week"} else "day"
    language = request.GET.get("language", "")
    language = language if language in languages else ""
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in RANGES else 30
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)

    if request.method == "POST":
        written = services.funnel_recompute(start=start, end=end)
        messages.success(request, _("Figures recounted (%(rows)d rows).") % {"rows": written})
        return redirect(f"{request.path}?{request.GET.urlencode()}")

    rows = selectors.funnel(start=start, end=end, period=period, language=language or None)
    context = {
        "rows": rows,
        "totals": selectors.funnel_totals(rows),
        "chart": funnel_chart(rows),
        "colors": COLORS,
        "top_articles": selectors.top_deflecting_articles(start=start, end=end, language=language or None),
        "gaps": selectors.content_gaps(start=start, end=end, language=language or None),
        "create_article_url": _create_article_url(),
        "period": period,
        "language": language,
        "days": days,
        "ranges": RANGES,
        "languages": settings.LANGUAGES,
        "start": start,
        "end": end,
    }
    return render(request, "deflection/admin/funnel.html", context)
