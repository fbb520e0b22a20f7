"""Who may read which help articles: the audience an article is written for, and a user's audiences.

Articles (``cms``) store one of these values; every reader of articles (pages, the API, search,
suggestions) asks ``article_audiences_for(user)`` which of them to show.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    CUSTOMERS = "customers", _("Signed-in customers")
    GOV = "gov", _("Public-sector (Gov) customers")
    INTERNAL = "internal", _("Internal (agents only)")


def article_audiences_for(user: object | None) -> frozenset[str]:
    """The audiences whose articles ``user`` may read (anonymous visitors: public only)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset({Audience.PUBLIC})
    audiences = {Audience.PUBLIC, Audience.CUSTOMERS}
    if user.is_staff:  # agents and editors read everything, Gov articles included
        audiences |= {Audience.GOV, Audience.INTERNAL}
    elif _is_gov_member(user):
        audiences.add(Audience.GOV)
    return frozenset(audiences)


def _is_gov_member(user: object) -> bool:
    """Members of a public-sector organization (the accounts models answer it once they exist)."""
    memberships = getattr(user, "memberships", None)
    if memberships is None:
        return False
    return memberships.filter(organization__is_government=True).exists()
