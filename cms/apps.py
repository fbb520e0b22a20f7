from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _groups_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Create the editorial groups once the last app has migrated (their permissions exist by then)."""
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last:
        return
    # Models cannot be imported while apps.py itself is loaded (the registry is not ready yet).
    from cms.demo import ensure_editorial_groups
    from cms.models import HelpCenterPage
    from cms.services import site_follow_site_url

    ensure_editorial_groups(HelpCenterPage.objects.values_list("pk", flat=True).first())
    site_follow_site_url()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Help center"

    def ready(self) -> None:
        post_migrate.connect(_groups_after_migrate, dispatch_uid="cms-editorial-groups")
