"""Per-IP and per-user rate limits (django-ratelimit counters in the shared cache)."""

from __future__ import annotations

from django.http import HttpRequest
from django_ratelimit.core import get_usage


def retry_after(request: HttpRequest, *, group: str, rate: str) -> int | None:
    """Count this request against ``rate`` per IP and, when signed in, per user.

    Returns the seconds to wait when either limit is exceeded, else None. Both counters advance on
    every request, so switching IPs does not reset a signed-in user's budget.
    """
    keys = ["ip"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append("user")
    wait: int | None = None
    for key in keys:
        usage = get_usage(request, group=f"{group}:{key}", key=key, rate=rate, increment=True)
        if usage and usage["should_limit"]:
            wait = max(wait or 1, int(usage["time_left"]) if usage["time_left"] > 0 else 1)
    return wait
