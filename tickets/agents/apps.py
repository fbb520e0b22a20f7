from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    """The agent workspace: queues, the ticket view, macros and SLA breach marks.

    A separate label keeps its migrations apart from the tickets core's.
    """

    name = "tickets.agents"
    label = "tickets_agents"
    verbose_name = _("Agent workspace")
    default_auto_field = "django.db.models.BigAutoField"
