"""Which engine holds the index, read from settings in one place.

``ELASTICSEARCH_URL`` (or ``ELASTICSEARCH_CLOUD_ID``) set → Elasticsearch; else a PostgreSQL
database → PostgreSQL full-text search; else SQLite FTS5. No view or service outside this package asks which one runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from search.backends.base import SearchBackend


def backend_class() -> type[SearchBackend]:
    # Each engine's module is imported when chosen: the Elasticsearch client is slow to import and
    # the SQLite and PostgreSQL engines need none of it (no cycle is involved).
    if settings.ELASTICSEARCH_URL or settings.ELASTICSEARCH_CLOUD_ID:
        from search.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend
    if connection.vendor == "postgresql":
        from search.backends.postgres import PostgresBackend

        return PostgresBackend
    from search.backends.sqlite import SqliteBackend

    return SqliteBackend


def get_backend(namespace: str = "main") -> SearchBackend:
    return backend_class()(namespace)


__all__ = ["SearchBackend", "backend_class", "get_backend"]
