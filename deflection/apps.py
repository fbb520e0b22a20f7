from django.apps import AppConfig


class DeflectionConfig(AppConfig):
    name = "deflection"
    verbose_name = "Deflection"

    def ready(self) -> None:
        from deflection import checks  # noqa: F401 - registers the settings check once the registry is ready
