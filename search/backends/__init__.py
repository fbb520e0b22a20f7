"""Which engine holds the index, read from settings in one place.

``ELASTICSEARCH_URL`` (or ``ELASTICSEARCH_CLOUD_ID``) set → Elasticsearch; else a PostgreSQL
database → PostgreSQL full-text search; else SQLite FTS5. No view or service outside this package asks which one runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from search.backends.base import SearchBackend

ENGINES = ("sqlite", "postgres", "elasticsearch")


class EngineNotConfigured(ValueError):
    """An engine was asked for by name that the settings do not provide."""


def backend_class(engine: str | None = None) -> type[SearchBackend]:
    """The configured engine, or the one named (``ENGINES``) when the settings can run it.

    SQLite and PostgreSQL keep their index in the default database, so naming one needs that
    database; Elasticsearch needs ``ELASTICSEARCH_URL``.
    """
    # Each engine's module is imported when chosen: the Elasticsearch client is slow to import and
    # the SQLite and PostgreSQL engines need none of it (no cycle is involved).
    if engine is not None:
        return _named_class(engine)
    if settings.ELASTICSEARCH_URL or settings.ELASTICSEARCH_CLOUD_ID:
        from search.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend
    return _configured_database_class()


def _named_class(engine: str) -> type[SearchBackend]:
    if engine not in ENGINES:
        raise EngineNotConfigured(f"unknown search engine {engine!r}; expected one of: {', '.join(ENGINES)}")
    if engine == "elasticsearch":
        if not (settings.ELASTICSEARCH_URL or settings.ELASTICSEARCH_CLOUD_ID):
            raise EngineNotConfigured("the elasticsearch engine needs ELASTICSEARCH_URL")
        from search.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend
    vendor = "postgresql" if engine == "postgres" else "sqlite"
    if connection.vendor != vendor:
        raise EngineNotConfigured(
            f"the {engine} engine keeps its index in the database: set DATABASE_URL to a {vendor} database "
            f"(it is {connection.vendor})"
        )
    return _configured_database_class()


def _configured_database_class() -> type[SearchBackend]:
    if connection.vendor == "postgresql":
        from search.backends.postgres import PostgresBackend

        return PostgresBackend
    from search.backends.sqlite import SqliteBackend

    return SqliteBackend


def get_backend(namespace: str = "main", *, engine: str | None = None) -> SearchBackend:
    return backend_class(engine)(namespace)


__all__ = ["ENGINES", "EngineNotConfigured", "SearchBackend", "backend_class", "get_backend"]
