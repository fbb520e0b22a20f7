"""Refuse malformed deflection settings at start-up rather than at the first request."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from accounts.ratelimit import RATE


@register()
def check_rates(app_configs: object = None, **kwargs: object) -> list[Error]:
    errors = []
    for name in ("DEFLECTION_SUGGEST_RATE", "DEFLECTION_EVENTS_RATE"):
        value = getattr(settings, name, None)
        if value is not None and not RATE.match(str(value)):
            errors.append(Error(f"{name} must look like '60/m' (count/period), got {value!r}.", id="deflection.E001"))
    return errors
