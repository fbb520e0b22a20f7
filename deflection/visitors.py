"""Anonymous drafters are recognised by a random key in a signed cookie (no Django session needed)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponseBase

COOKIE_NAME = "af_visitor"
COOKIE_SALT = "deflection.visitor"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30


def visitor_key(request: HttpRequest) -> str:
    """The requester's visitor key: from the signed cookie, or a new one kept for this response."""
    key = getattr(request, "_deflection_visitor_key", None)
    if key:
        return key
    try:
        key = request.get_signed_cookie(COOKIE_NAME, default="", salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except BadSignature:
        key = ""
    if not key:
        key = secrets.token_urlsafe(24)
        request._deflection_new_visitor_key = key  # type: ignore[attr-defined]
    request._deflection_visitor_key = key  # type: ignore[attr-defined]
    return key


def existing_visitor_key(request: HttpRequest) -> str:
    """The visitor key from the cookie only (reads never mint a key)."""
    key = getattr(request, "_deflection_visitor_key", None)
    if key:
        return key
    try:
        return request.get_signed_cookie(COOKIE_NAME, default="", salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except BadSignature:
        return ""


def remember_visitor(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Set the cookie on ``response`` when ``visitor_key`` minted a new key for this request."""
    key = getattr(request, "_deflection_new_visitor_key", None)
    if key:
        response.set_signed_cookie(
            COOKIE_NAME,
            key,
            salt=COOKIE_SALT,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=not settings.DEBUG and request.is_secure(),
        )
    return response
