from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsMailConfig(AppConfig):
    """Email in and out for tickets; a nested app so its models and migrations stay apart from the core's."""

    name = "tickets.mail"
    label = "tickets_mail"
    verbose_name = _("Ticket email")
    default_auto_field = "django.db.models.BigAutoField"
