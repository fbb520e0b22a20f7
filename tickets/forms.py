"""Portal forms: they parse and bound input; the services decide and raise domain errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.attachments import INLINE_IMAGE_TYPES, max_file_bytes, max_files_per_upload
from tickets.models import Priority, ProductArea
from tickets.services import BODY_MAX, SUBJECT_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by ``tickets.attachments`` in the service."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


ACCEPT_EXTENSIONS = [
    ".pdf",
    ".zip",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".txt",
    ".log",
    ".csv",
    ".json",
    ".xml",
    ".md",
]


def _file_widget_attrs() -> dict[str, str]:
    return {
        "data-max-bytes": str(max_file_bytes()),
        "data-max-files": str(max_files_per_upload()),
        "accept": ",".join(sorted(INLINE_IMAGE_TYPES) + ACCEPT_EXTENSIONS),
        "class": "tickets-files",
    }


class TicketForm(forms.Form):
    route = forms.ChoiceField(label=_("Support route"), choices=())
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, strip=True)
    description = forms.CharField(
        label=_("Description"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What did you try, what happened, and what did you expect?"),
    )
    product_area = forms.ChoiceField(label=_("Product area"), choices=ProductArea.choices, initial=ProductArea.OTHER)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Let support decide")), *Priority.choices], required=False
    )
    files = MultipleFileField(label=_("Attachments"))
    session = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, routes: list, can_set_priority: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [(route.code, route.label) for route in routes]
        if len(routes) == 1:
            self.fields["route"].widget = forms.HiddenInput()
            self.fields["route"].initial = routes[0].code
        if not can_set_priority:
            del self.fields["priority"]
        self.fields["files"].widget.attrs.update(_file_widget_attrs())


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update(_file_widget_attrs())


class RequestFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Not solved yet")), ("solved", _("Solved")), ("closed", _("Closed"))],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
