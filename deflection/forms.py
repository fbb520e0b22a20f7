from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deflection.services import SUBJECT_MAX


class DraftForm(forms.Form):
    """The question being drafted; long descriptions are accepted (search cuts them)."""

    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000,
    )
    session = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("subject") or self.has_error("description"):
            return data  # that field's own error says what is wrong ("at most 300 characters")
        draft = f"{data.get('subject', '')} {data.get('description', '')}".strip()
        if len(draft) < 3:
            raise forms.ValidationError(_("Write at least a few words about your question."), code="too_short")
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("deflected", "deflected"), ("escalated", "escalated")])
    article_id = forms.CharField(required=False, max_length=64)
