"""Password checks with the sign-in rate limit applied, whichever form asks.

The portal's sign-in view answers 429 with a clear message; but Wagtail's admin and Django's
admin have their own login forms. Counting here, in the one place every password check goes
through, keeps an attacker from simply guessing through those instead.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)


class RateLimitedModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is not None and password is not None:
            address = (username or kwargs.get("email") or "").strip().lower()
            by_account = is_ratelimited(
                request,
                group="auth-account",
                key=lambda _group, _request: address,
                rate=settings.LOGIN_RATE_PER_ACCOUNT,
                increment=True,
            )
            by_ip = is_ratelimited(request, group="auth-ip", key="ip", rate=settings.LOGIN_RATE_PER_IP, increment=True)
            if by_account or by_ip:
                logger.warning("password check refused: sign-in rate limit reached")
                raise PermissionDenied  # stops the other backends too; the form reports a failed sign-in
        return super().authenticate(request, username=username, password=password, **kwargs)
