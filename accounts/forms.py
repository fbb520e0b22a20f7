"""Forms of the settings page and the sign-in page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.hours import time_zone_choices, valid_time_zone
from accounts.models import Region


def _language_choices() -> list[tuple[str, str]]:
    return [("", _("Same as my browser")), *settings.LANGUAGES]


class SettingsForm(forms.Form):
    """Language, region, time zone, support contact email and notifications, validated together."""

    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", "---------"), *Region.choices], required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    contact_email = forms.EmailField(
        label=_("Support contact email"),
        required=False,
        help_text=_("Where we send replies to your requests. We email a link to confirm it before using it."),
    )
    email_notifications = forms.BooleanField(
        label=_("Email me when my requests are updated"),
        required=False,
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"]
        if not valid_time_zone(value):  # the choice list already refuses it; kept for clarity
            raise forms.ValidationError(_("Unknown time zone."))
        return value


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for an email address."""

    username = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
