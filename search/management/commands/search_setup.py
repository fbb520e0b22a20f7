"""``manage.py search_setup``: create the index (Elasticsearch settings and mappings, or tables)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from search.backends import get_backend
from search.health import SearchUnavailable


class Command(BaseCommand):
    help = "Create the search index structures on the configured engine (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--print-elasticsearch", metavar="LANG", help="Print one language's Elasticsearch index body and exit."
        )

    def handle(self, *args: Any, print_elasticsearch: str | None = None, **options: Any) -> None:
        if print_elasticsearch:
            from search.backends.elastic import index_body  # the client is slow to import; only this option needs it

            self.stdout.write(json.dumps(index_body(print_elasticsearch), indent=2, ensure_ascii=False))
            return
        backend = get_backend()
        try:
            backend.setup()
        except SearchUnavailable as error:
            raise CommandError(f"search engine unavailable: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Search index ready on {backend.describe()}"))
