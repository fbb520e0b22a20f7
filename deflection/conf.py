"""Deflection settings with their defaults (override any of them in the Django settings)."""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default: object) -> object:
    return getattr(settings, name, default)


def abandon_after_minutes() -> int:
    """Minutes without activity after which an open session counts as abandoned."""
    return int(_get("DEFLECTION_ABANDON_AFTER_MINUTES", 30))


def draft_retention_days() -> int:
    """Days a session's draft text is kept before the purge task blanks it."""
    return int(_get("DEFLECTION_DRAFT_RETENTION_DAYS", 30))


def max_draft_chars() -> int:
    """Drafts longer than this are cut before they reach search (never refused)."""
    return int(_get("DEFLECTION_MAX_DRAFT_CHARS", 5000))


def suggest_rate() -> str:
    return str(_get("DEFLECTION_SUGGEST_RATE", "60/m"))


def events_rate() -> str:
    return str(_get("DEFLECTION_EVENTS_RATE", "60/m"))


def default_limit() -> int:
    return int(_get("DEFLECTION_SUGGESTION_LIMIT", 5))
