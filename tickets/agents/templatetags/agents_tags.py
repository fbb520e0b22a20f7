from django import template

from tickets.agents.labels import agent_status_label

register = template.Library()


@register.filter
def agent_status(value: str) -> str:
    """A ticket status as agents name it (``pending`` is "Waiting on the customer")."""
    return agent_status_label(value)
