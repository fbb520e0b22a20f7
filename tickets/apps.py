from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        # The outboxes queue tasks by name (their modules import the services); registering the
        # tasks here lets every process queue them with the task's own options, eagerly in tests.
        # Imported in ready() because tasks import models, which cannot load before the registry.
        from tickets import tasks  # noqa: F401
        from tickets.mail import tasks as mail_tasks  # noqa: F401
