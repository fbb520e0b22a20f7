"""Settings of ticket email, with their defaults (override any of them in Django settings)."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings


def reply_domain() -> str:
    """Domain of the signed reply addresses; defaults to the domain of ``DEFAULT_FROM_EMAIL``."""
    configured = getattr(settings, "TICKETS_MAIL_REPLY_DOMAIN", "")
    if configured:
        return str(configured).lower()
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2].lower() or "localhost"


def reply_local_part() -> str:
    """The mailbox in front of ``+`` (``support`` in ``support+1001-abc@domain``)."""
    configured = getattr(settings, "TICKETS_MAIL_REPLY_LOCAL_PART", "")
    if configured:
        return str(configured).lower()
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return (address.partition("@")[0] or "support").split("+")[0].lower()


def max_message_bytes() -> int:
    """Incoming messages larger than this are quarantined, not processed (the raw copy is kept)."""
    return int(getattr(settings, "TICKETS_MAIL_MAX_BYTES", 25 * 1024 * 1024))


def attachments_max_bytes() -> int:
    """An agent's reply carries its files when they add up to at most this; larger ones stay on the page."""
    return int(getattr(settings, "TICKETS_MAIL_ATTACHMENTS_MAX_BYTES", 10 * 1024 * 1024))


def auto_replies_per_sender_per_day() -> int:
    """At most this many automatic answers go to one address a day, whatever it sends (loop guard)."""
    return int(getattr(settings, "TICKETS_MAIL_AUTO_REPLIES_PER_DAY", 3))


def imap_url() -> str:
    """``imaps://user:password@host:993/INBOX``; empty disables the poller."""
    return str(getattr(settings, "IMAP_URL", "") or "")


def claim_minutes() -> int:
    """Minutes a send claim blocks other workers before it counts as abandoned."""
    return int(getattr(settings, "TICKETS_NOTIFICATION_CLAIM_MINUTES", 10))


def retry_minutes() -> int:
    """Minutes after which the sweeper queues an unsent notification again."""
    return int(getattr(settings, "TICKETS_OUTBOX_RETRY_MINUTES", 5))


def csat_link_days() -> int:
    """Days the one-click rating links in the satisfaction email stay valid."""
    return int(getattr(settings, "TICKETS_CSAT_LINK_DAYS", 30))
