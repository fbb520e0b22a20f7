"""Domain errors of the ticket services and the text cleaning every service applies to input.

Each error carries a translated ``message`` that is safe to show; when one is raised, nothing
has been saved.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

SUBJECT_MAX = 200
BODY_MAX = 20000


class TicketInputError(Exception):
    """Input a service refuses (empty subject, over-long text, unknown choice); safe to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DraftNotFound(TicketInputError):
    """The deflection session a request comes from is unknown or someone else's."""


class NotEntitled(Exception):
    """The user may not file this request (plan, route); ``message`` explains and is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FollowUpWindowClosed(Exception):
    """A reply to a ticket closed longer ago than the follow-up window: a new request is needed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """``value`` with normalised newlines, no NUL and no outer blanks; refused when empty or too long."""
    text = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not text:
        raise TicketInputError(_("%(field)s cannot be empty.") % {"field": label}, field=field)
    if len(text) > max_length:
        raise TicketInputError(
            _("%(field)s is too long (%(length)d characters; at most %(max)d).")
            % {"field": label, "length": len(text), "max": max_length},
            field=field,
        )
    return text
