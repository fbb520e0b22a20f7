"""Links a ticket's emails carry: absolute URLs, the one-click solve token, suggested articles.

A leaf (models and settings only) so that both the services and the mail builder can use it
without importing each other.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from tickets.models import Ticket

SOLVE_LINK_SALT = "tickets.solve-link"


def absolute_url(path: str) -> str:
    """``path`` on the public site (``SITE_URL``); an absolute URL is returned as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def solve_link_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk}, salt=SOLVE_LINK_SALT, compress=True)


def suggested_articles(ticket: Ticket, limit: int = 3) -> list[dict[str, str]]:
    """Up to ``limit`` articles the deflection session showed (title and absolute URL)."""
    session = ticket.deflection_session
    if session is None:
        return []
    articles = []
    for item in (session.last_suggestions or [])[:limit]:
        title, url = str(item.get("title") or ""), str(item.get("url") or "")
        if title and url:
            articles.append({"title": title, "url": absolute_url(url)})
    return articles
