"""Domain errors of deflection; views turn them into precise 4xx answers."""

from django.http import Http404


class SessionNotFound(Http404):
    """No such session, or it belongs to someone else (both answer 404, so ids cannot be probed)."""


class InvalidLanguage(ValueError):
    """A language that is not one of settings.LANGUAGES."""


class InvalidEvent(ValueError):
    """An event kind or article reference that the API does not accept."""
