"""Names as agents say them: the core's status labels speak to customers ("Awaiting your reply"), and
the entitlement's reasons are codes (``paid_plan``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tickets.models import Status

_AGENT_LABELS = {Status.PENDING: _("Waiting on the customer")}

AGENT_STATUS_CHOICES = [(value, _AGENT_LABELS.get(value, label)) for value, label in Status.choices]


def agent_status_label(value: str) -> str:
    return str(dict(AGENT_STATUS_CHOICES).get(value, value))


# Keys: the reasons accounts.entitlements.Entitlement gives.
_ENTITLEMENT_REASONS = {
    "paid_plan": _("Paid plan"),
    "gov": _("Public sector (Gov)"),
    "billing_only": _("Billing questions only"),
    "free_plan": _("Free plan"),
    "no_organization": _("No customer account"),
    "anonymous": _("Not signed in"),
}


def entitlement_reason_label(value: str) -> str:
    """A reason code in words; an unknown code is shown as it is rather than hidden."""
    return str(_ENTITLEMENT_REASONS.get(value, value))
