"""Settings of the tickets app, with their defaults (override any of them in Django settings)."""

from __future__ import annotations

from django.conf import settings

from accounts.selectors import GOV_CLEARED_GROUP  # noqa: F401 - one name for the group, owned by accounts


def _get(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def auto_close_days() -> int:
    """Days a solved ticket waits before it closes by itself."""
    return _get("TICKETS_AUTO_CLOSE_DAYS", 4)


def follow_up_days() -> int:
    """Days after closing during which a reply opens a linked follow-up ticket."""
    return _get("TICKETS_FOLLOW_UP_DAYS", 20)


def outbox_retry_minutes() -> int:
    """Minutes after which the sweeper queues unfinished outbox work again."""
    return _get("TICKETS_OUTBOX_RETRY_MINUTES", 5)


def outbox_max_attempts() -> int:
    """Queuings after which the sweeper stops retrying outbox work and logs an error instead."""
    return _get("TICKETS_OUTBOX_MAX_ATTEMPTS", 20)


def claim_minutes() -> int:
    """Minutes a notification claim blocks other senders before it counts as abandoned."""
    return _get("TICKETS_NOTIFICATION_CLAIM_MINUTES", 10)


def solve_link_days() -> int:
    """Days the one-click "this solved it" link in the acknowledgement stays valid."""
    return _get("TICKETS_SOLVE_LINK_DAYS", 30)


def first_number() -> int:
    """The first human-friendly ticket number given out."""
    return _get("TICKETS_FIRST_NUMBER", 1001)
