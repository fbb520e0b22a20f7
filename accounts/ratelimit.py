"""The client address that rate limits count against (``RATELIMIT_IP_META_KEY`` points here).

Behind N trusted reverse proxies the client is the N-th address from the right of
X-Forwarded-For: entries further left were written by the client and can be forged.
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.core.checks import Error, register
from django.http import HttpRequest

RATE = re.compile(r"^\d+/\d*[smhd]$")


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a key, not a bind address
    if proxies <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


@register()
def check_rates(app_configs: object = None, **kwargs: object) -> list[Error]:
    """A malformed rate would only fail at the first sign-in; refuse it at start-up instead."""
    errors = []
    for name in ("LOGIN_RATE_PER_ACCOUNT", "LOGIN_RATE_PER_IP"):
        value = getattr(settings, name, None)
        if value is not None and not RATE.match(str(value)):
            errors.append(Error(f"{name} must look like '5/5m' (count/period), got {value!r}.", id="accounts.E001"))
    return errors
