from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.reports import FeedbackReportView


class FeedbackReportMenuItem(MenuItem):
    def is_shown(self, request: object) -> bool:
        return PagePermissionPolicy().user_has_any_permission(request.user, ["add", "change", "publish"])


@hooks.register("register_admin_urls")
def register_feedback_report_urls() -> list:
    return [
        path("reports/article-feedback/", FeedbackReportView.as_view(), name="cms_feedback_report"),
        path(
            "reports/article-feedback/results/",
            FeedbackReportView.as_view(results_only=True),
            name="cms_feedback_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_item() -> MenuItem:
    return FeedbackReportMenuItem(
        _("Article feedback"), reverse("cms_feedback_report"), name="article-feedback", icon_name="help", order=650
    )
