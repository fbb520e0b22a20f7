"""Status names as agents say them: the core's labels speak to customers ("Awaiting your reply")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tickets.models import Status

_AGENT_LABELS = {Status.PENDING: _("Waiting on the customer")}

AGENT_STATUS_CHOICES = [(value, _AGENT_LABELS.get(value, label)) for value, label in Status.choices]


def agent_status_label(value: str) -> str:
    return str(dict(AGENT_STATUS_CHOICES).get(value, value))
