from django import template

from tickets.agents.labels import agent_status_label, entitlement_reason_label

register = template.Library()


@register.filter
def agent_status(value: str) -> str:
    """A ticket status as agents name it (``pending`` is "Waiting on the customer")."""
    return agent_status_label(value)


@register.filter
def entitlement_reason(value: str) -> str:
    """Why a requester may (or may not) file, in words (``paid_plan`` is "Paid plan")."""
    return entitlement_reason_label(value)
