"""Is the configured search engine answering? Used by ``/healthz``."""

from search import embeddings


class SearchUnavailable(Exception):
    """The search engine did not answer; callers degrade instead of failing."""


def check_engine() -> str:
    """Return the engine's name if it answers, else raise ``SearchUnavailable``."""
    return engine_health()["engine"]


def engine_health() -> dict[str, str]:
    """The engine's name and state (Elasticsearch: cluster status, aliases), else ``SearchUnavailable``;
    and a warning when the semantic signal is wanted but cannot run (search then ranks by words only).
    """
    from search.backends import get_backend

    try:
        return {**get_backend().health(), **embeddings.status()}
    except SearchUnavailable:
        raise
    except Exception as error:  # a misconfigured engine is reported, never a 500
        raise SearchUnavailable(str(error) or error.__class__.__name__) from error
