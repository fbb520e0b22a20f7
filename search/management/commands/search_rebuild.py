"""``manage.py search_rebuild``: re-index every live article on the configured engine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from search.health import SearchUnavailable
from search.service import article_count, index_rebuild

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rebuild the search index from live articles (the old index serves until the swap)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args: Any, no_progress: bool = False, **options: Any) -> None:
        articles = article_count()
        done = 0
        show = not no_progress

        def progress(documents: int) -> None:
            nonlocal done
            done += documents
            if show:
                self._draw(done, articles)

        try:
            report = index_rebuild(progress=progress)
        except SearchUnavailable as error:
            raise CommandError(f"search engine unavailable: {error}") from error
        if show:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {report.documents} documents from {report.articles} articles on {report.engine} "
                f"in {report.seconds:.2f} s"
            )
        )

    def _draw(self, documents: int, articles: int) -> None:
        """Documents outnumber articles (one per language), so the bar is an estimate per article."""
        fraction = min(1.0, documents / max(articles * 2, 1))
        filled = int(BAR_WIDTH * fraction)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {documents} documents", ending="")
        self.stdout.flush()
