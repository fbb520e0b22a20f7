"""Input of the agent workspace: queue filters, bulk actions, the one ticket form, article drafts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.agents.labels import AGENT_STATUS_CHOICES
from tickets.agents.selectors import SORTS, VIEWS, as_id
from tickets.models import Priority

MAX_BULK = 200


class QueueFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[(v, v) for v in VIEWS], required=False, initial="active", widget=forms.HiddenInput
    )
    queue = forms.SlugField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *AGENT_STATUS_CHOICES], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=20)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("updated", _("Last update (newest)")),
            ("oldest", _("Last update (oldest)")),
            ("created", _("Newest requests")),
            ("priority", _("Priority")),
            ("due", _("Next SLA due")),
        ],
        required=False,
    )

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") if self.cleaned_data.get("sort") in SORTS else "updated"

    def clean_view(self) -> str:
        return self.cleaned_data.get("view") or "active"

    def clean_assignee(self) -> str:
        value = (self.cleaned_data.get("assignee") or "").strip()
        if value and value not in {"me", "none"} and as_id(value) is None:
            raise forms.ValidationError(_("Choose an assignee from the list."))
        return value


class BulkForm(forms.Form):
    ACTIONS = (("assign", _("Assign")), ("status", _("Change status")))

    tickets = forms.TypedMultipleChoiceField(
        coerce=int, required=True, error_messages={"required": _("Select at least one ticket.")}
    )
    action = forms.ChoiceField(choices=ACTIONS)
    assignee = forms.CharField(required=False, max_length=20)
    status = forms.ChoiceField(choices=[("", "—"), *AGENT_STATUS_CHOICES], required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Numbers are checked against the agent's scope by the selector, not by a choice list.
        self.fields["tickets"].valid_value = lambda value: as_id(value) is not None

    def clean_tickets(self) -> list[int]:
        numbers = self.cleaned_data["tickets"]
        if len(numbers) > MAX_BULK:
            raise forms.ValidationError(_("Select at most %(max)d tickets at once.") % {"max": MAX_BULK})
        return numbers

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == "assign":
            value = (data.get("assignee") or "").strip()
            if value not in {"me", "none"} and as_id(value) is None:
                self.add_error("assignee", _("Choose an assignee from the list."))
        elif action == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        return data


class TicketUpdateForm(forms.Form):
    """Reply or internal note, status, assignee and priority: one submit."""

    KINDS = (("public", _("Public reply")), ("note", _("Internal note")))

    body = forms.CharField(
        label=_("Message"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    kind = forms.ChoiceField(label=_("Send as"), choices=KINDS, initial="public", widget=forms.RadioSelect)
    status = forms.ChoiceField(label=_("Status"), choices=AGENT_STATUS_CHOICES)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: object, agents: list = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Unassigned"))] + [
            (str(agent.pk), agent.get_full_name() or agent.email) for agent in agents
        ]

    def clean_assignee(self) -> int | None:
        value = self.cleaned_data.get("assignee")
        return int(value) if value else None


class DraftArticleForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)

    def __init__(self, *args: object, categories: list = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(page.pk, page.title) for page in categories]
