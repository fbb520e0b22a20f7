from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cms.models import COMMENT_MAX_LENGTH


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], label=_("Was this article helpful?"))
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
        label=_("What was missing or unclear? (optional)"),
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES)
