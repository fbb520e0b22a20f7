"""Links a ticket's emails carry: the one-click solve token, suggested articles (absolute URLs from
``portal.links``).

A leaf (models and settings only) so that both the services and the mail builder can use it
without importing each other.
"""

from __future__ import annotations

from django.core import signing

from portal.links import absolute_url
from tickets.models import Ticket

__all__ = ["SOLVE_LINK_SALT", "absolute_url", "solve_link_token", "suggested_articles"]

SOLVE_LINK_SALT = "tickets.solve-link"


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
