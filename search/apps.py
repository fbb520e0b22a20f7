"""The one door to the search engine: indexing, querying, synonyms and language analysis."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from search import signals  # imports models: only once the app registry is ready

        signals.connect()
