"""OpenAPI schema scope: our REST API only.

Wagtail's admin API and its headless API v2 (``/api/v2/``) route through Wagtail's own router,
which drf-spectacular cannot describe (its views need a request to build their serializers), so
they are documented by Wagtail, not in ``/api/schema/``.
"""

from __future__ import annotations

from collections.abc import Callable

SCHEMA_PATH_PREFIXES = ("/api/deflection/", "/api/tickets/")


def only_our_api(endpoints: list[tuple[str, str, str, Callable]]) -> list[tuple[str, str, str, Callable]]:
    """drf-spectacular preprocessing hook: keep the endpoints under ``SCHEMA_PATH_PREFIXES``."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(SCHEMA_PATH_PREFIXES)]
