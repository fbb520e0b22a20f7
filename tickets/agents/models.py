"""What the agent workspace keeps of its own: macros and the SLA state of each ticket.

The ticket core stores the due times it computes at triage; whether a target was missed, and
when the next response is due after a customer reply, is decided here by a periodic task and
kept in ``SlaMark`` so that queue lists can filter and sort on it without computing anything.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.agents.placeholders import unknown_placeholders
from tickets.models import Ticket


class Macro(models.Model):
    """A canned response in one language, with ``{{ requester.first_name }}``-style placeholders."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    body = models.TextField(_("text"), max_length=10000)
    is_internal_note = models.BooleanField(
        _("internal note"), default=False, help_text=_("Insert as an internal note rather than a public reply.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "language"]
        constraints = [models.UniqueConstraint(fields=["name", "language"], name="tickets_agents_macro_name_lang")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        unknown = unknown_placeholders(self.body)
        if unknown:
            raise ValidationError(
                {"body": _("Unknown placeholder(s): %(names)s.") % {"names": ", ".join(sorted(unknown))}}
            )


class SlaMark(models.Model):
    """A ticket's SLA state as last checked: breaches (once recorded, kept) and the next-response due time."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla_mark", primary_key=True)
    first_response_breached_at = models.DateTimeField(_("first response breached"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution breached"), null=True, blank=True)
    # Set while the customer's last public message waits for an agent's public reply.
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True, db_index=True)
    next_response_breached_at = models.DateTimeField(_("next response breached"), null=True, blank=True)
    breached = models.BooleanField(_("breached"), default=False, db_index=True)
    checked_at = models.DateTimeField(_("checked"), auto_now=True)

    class Meta:
        verbose_name = _("SLA mark")
        verbose_name_plural = _("SLA marks")

    def __str__(self) -> str:
        return f"#{self.ticket_id} breached={self.breached}"
