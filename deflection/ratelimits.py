"""Per-IP and per-user rate limits (django-ratelimit counters in the shared cache)."""

from __future__ import annotations

import math
import re

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


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_spacing_ms(rate: str) -> int:
    """Milliseconds the page's script leaves between two requests so that it stays under ``rate``.

    A quarter above the even spacing: django-ratelimit counts in fixed windows, and requests
    spaced exactly evenly could fit one more than the limit into a window. 0 for an unreadable rate.
    """
    match = _RATE.match(rate or "")
    if not match or int(match[1]) == 0:
        return 0
    period = int(match[2] or 1) * _UNIT_SECONDS[match[3]]
    return math.ceil(period * 1000 / int(match[1]) * 1.25)
