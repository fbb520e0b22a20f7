"""Demo step for ``manage.py seed_demo``: index every live article so ``make run`` searches at once."""

from __future__ import annotations

from typing import Any

from search.health import SearchUnavailable
from search.service import index_rebuild


def seed(stdout: Any) -> list[str]:
    """Rebuild the index from the live articles (idempotent: a rebuild replaces everything)."""
    try:
        report = index_rebuild()
    except SearchUnavailable as error:
        return [f"search: engine unavailable, index not built ({error}); run `manage.py search_rebuild` later"]
    return [
        f"search: indexed {report.documents} documents from {report.articles} articles on {report.engine} "
        f"in {report.seconds:.1f} s"
    ]
