"""Editor-managed synonyms and the dirty marks that keep the index in step with publishing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

MAX_SYNONYM_TERMS = 20


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


@register_snippet
class Synonym(models.Model):
    """A group of words or phrases that mean the same thing in one language (applied at query time)."""

    language = models.CharField(_("language"), max_length=8, choices=_language_choices, db_index=True)
    terms = models.TextField(
        _("terms"),
        max_length=1000,
        help_text=_("Comma-separated words or phrases that mean the same, e.g. “reset, restore, recover”."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("language"), FieldPanel("terms")]

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["language", "terms"]

    def __str__(self) -> str:
        return f"{self.language}: {self.terms}"

    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.split(",") if term.strip()]

    def clean(self) -> None:
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError({"terms": _("Give at least two comma-separated terms.")})
        if len(terms) > MAX_SYNONYM_TERMS:
            raise ValidationError({"terms": _("Give at most %(count)d terms.") % {"count": MAX_SYNONYM_TERMS}})


class IndexQueue(models.Model):
    """An article whose index entries may be stale; removed once a task has re-indexed it.

    The mark is written in the publishing transaction, so a task lost with a crashed worker
    is caught by the periodic sweep.
    """

    page_id = models.PositiveBigIntegerField(unique=True)
    marked_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("index queue entry")
        verbose_name_plural = _("index queue")

    def __str__(self) -> str:
        return f"page {self.page_id} (since {self.marked_at:%Y-%m-%d %H:%M:%S})"
