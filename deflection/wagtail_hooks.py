from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy

from deflection.admin_views import funnel_report


class EditorsMenuItem(MenuItem):
    def is_shown(self, request: object) -> bool:
        return PagePermissionPolicy().user_has_any_permission(request.user, ["add", "change", "publish"])


@hooks.register("register_admin_urls")
def register_deflection_urls() -> list:
    return [path("deflection/funnel/", funnel_report, name="deflection_funnel")]


@hooks.register("register_admin_menu_item")
def register_deflection_menu_item() -> MenuItem:
    return EditorsMenuItem(
        _("Deflection"), reverse("deflection_funnel"), name="deflection", icon_name="resubmit", order=850
    )
