"""A per-user limit on filing tickets (portal and API), counted in the shared cache.

Only accepted tickets count: a person who corrects an invalid form several times has filed
nothing, so the check before filing only reads the counter and ``ticket_creation_counted`` adds
one after the ticket exists. Two simultaneous submissions may both pass the check (the limit is
a brake on floods, not an exact quota).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

GROUP = "tickets.create"
KEY = "user_or_ip"


def create_rate() -> str:
    return str(getattr(settings, "TICKETS_CREATE_RATE", "20/h"))


def ticket_creation_wait(request: HttpRequest) -> int | None:
    """Seconds to wait before this user may file another ticket, or None when within the limit.

    Reads the counter without moving it. An unreadable cache answers limit 0, which refuses.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    usage = get_usage(request, group=GROUP, key=KEY, rate=create_rate(), increment=False)
    if usage and usage["count"] >= usage["limit"]:
        return max(1, int(usage["time_left"]))
    return None


def ticket_creation_counted(request: HttpRequest) -> None:
    """Count one accepted ticket against the requester's filing limit."""
    if getattr(settings, "RATELIMIT_ENABLE", True):
        get_usage(request, group=GROUP, key=KEY, rate=create_rate(), increment=True)
