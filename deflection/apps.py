from django.apps import AppConfig


class DeflectionConfig(AppConfig):
    name = "deflection"
    verbose_name = "Deflection"
