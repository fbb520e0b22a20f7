"""Is the configured search engine answering? Used by ``/healthz``."""

from search import embeddings
from search.backends import get_backend
from search.errors import SearchUnavailable

__all__ = ["SearchUnavailable", "check_engine", "engine_health"]


def check_engine() -> str:
    """Return the engine's name if it answers, else raise ``SearchUnavailable``."""
    return engine_health()["engine"]


def engine_health() -> dict[str, str]:
    """The engine's name and state (Elasticsearch: cluster status, aliases), else ``SearchUnavailable``;
    and a warning when the semantic signal is wanted but cannot run (search then ranks by words only).
    """
    try:
        return {**get_backend().health(), **embeddings.status()}
    except SearchUnavailable:
        raise
    except Exception as error:  # a misconfigured engine is reported, never a 500
        raise SearchUnavailable(str(error) or error.__class__.__name__) from error
