"""The article feedback report in the Wagtail admin (Reports > Article feedback), with CSV/XLSX export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import AdminDateInput
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.models import ArticlePage
from cms.selectors import feedback_report, recent_comments

ORDER_CHOICES = [
    ("attention", _("Needs attention first")),
    ("views", _("Most viewed first")),
    ("helpful", _("Most helpful first")),
    ("tree", _("Tree order")),
]


def _keep(queryset: Any, name: str, value: Any) -> Any:
    """The filters shape the counts (see ``get_queryset``), not which articles are listed."""
    return queryset


class FeedbackReportFilterSet(WagtailFilterSet):
    language = django_filters.ChoiceFilter(label=_("Language"), choices=settings.LANGUAGES, method=_keep)
    date_from = django_filters.DateFilter(label=_("From"), widget=AdminDateInput, method=_keep)
    date_to = django_filters.DateFilter(label=_("To"), widget=AdminDateInput, method=_keep)
    order = django_filters.ChoiceFilter(label=_("Sort by"), choices=ORDER_CHOICES, method=_keep, empty_label=None)

    class Meta:
        model = ArticlePage
        fields: list[str] = []


class FeedbackReportView(ReportView):
    page_title = _("Article feedback")
    header_icon = "help"
    index_url_name = "cms_feedback_report"
    index_results_url_name = "cms_feedback_report_results"
    filterset_class = FeedbackReportFilterSet
    permission_policy = PagePermissionPolicy()
    any_permission_required = ["add", "change", "publish"]
    columns = [
        TitleColumn("title", label=_("Article"), url_name="wagtailadmin_pages:edit"),
        Column("views", label=_("Views")),
        Column("yes", label=_("Yes")),
        Column("no", label=_("No")),
        Column("helpful_ratio_display", label=_("Helpful")),
        Column("recent_comments_text", label=_("Recent comments")),
    ]
    list_export = ["title", "url_path", "views", "yes", "no", "helpful_ratio", "recent_comments_text"]
    export_headings = {
        "title": _("Article"),
        "url_path": _("Path"),
        "views": _("Views"),
        "yes": _("Yes"),
        "no": _("No"),
        "helpful_ratio": _("Helpful ratio"),
        "recent_comments_text": _("Recent comments"),
    }

    def filter_values(self) -> dict[str, Any]:
        if self.filters and self.filters.is_valid():
            values = {key: value or None for key, value in self.filters.form.cleaned_data.items()}
            return {**values, "order": values.get("order") or "attention"}
        return {"language": None, "date_from": None, "date_to": None, "order": "attention"}

    def get_queryset(self) -> Any:
        return feedback_report(**self.filter_values())

    def decorate_paginated_queryset(self, object_list: Any) -> Any:
        pages = list(object_list)
        period = {key: value for key, value in self.filter_values().items() if key != "order"}
        comments = recent_comments([page.pk for page in pages], **period)
        for page in pages:
            votes = page.yes + page.no
            page.helpful_ratio = round(page.yes / votes, 3) if votes else None
            page.helpful_ratio_display = f"{page.helpful_ratio:.0%}" if votes else "-"
            page.recent_comments_text = " | ".join(
                f"[{feedback.language}] {feedback.comment}" for feedback in comments.get(page.pk, [])
            )
        return pages
