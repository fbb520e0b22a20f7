"""A per-user limit on filing tickets (portal and API), counted in the shared cache."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage


def create_rate() -> str:
    return str(getattr(settings, "TICKETS_CREATE_RATE", "20/h"))


def ticket_creation_wait(request: HttpRequest) -> int | None:
    """Seconds to wait before this user may file another ticket, or None when within the limit."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    usage = get_usage(request, group="tickets.create", key="user_or_ip", rate=create_rate(), increment=True)
    if usage and usage["should_limit"]:
        return max(1, int(usage["time_left"]))
    return None
