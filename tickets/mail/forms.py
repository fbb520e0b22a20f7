from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.mail.csat import COMMENT_MAX
from tickets.mail.models import Rating


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("Your rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=COMMENT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class LinkCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Tell us more (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
