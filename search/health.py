"""Is the configured search engine answering? Used by ``/healthz``."""

from django.conf import settings
from django.db import connection


class SearchUnavailable(Exception):
    """The search engine did not answer; callers degrade instead of failing."""


def check_engine() -> str:
    """Return the engine's name if it answers, else raise ``SearchUnavailable``."""
    try:
        if settings.ELASTICSEARCH_URL:
            from elasticsearch import Elasticsearch

            client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=2)
            client.info()
            return "elasticsearch"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT to_tsvector('english', 'ping')")
                return "postgresql"
            cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.health_probe USING fts5(body)")
            return "sqlite-fts5"
    except Exception as error:
        raise SearchUnavailable(str(error) or error.__class__.__name__) from error
