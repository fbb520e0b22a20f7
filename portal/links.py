"""The product's public address: every absolute URL we hand out (emails, one-click links, APIs).

``SITE_URL`` is the one source; Wagtail's default site is kept on the same host and port
(``cms.services.site_follow_site_url``) so its ``full_url`` and the API's ``html_url`` agree.
A URL built from the request's Host header would follow whatever host a client sent.
"""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on ``SITE_URL``; an already absolute URL is returned as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
