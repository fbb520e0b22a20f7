"""Macro placeholders: ``{{ requester.first_name }}`` replaced from a fixed list of values.

Macros are written by agents, so they are never given to a template engine: a template could
reach attributes and methods of whatever object it is handed. Here a placeholder is a name
looked up in a flat dict built from whitelisted fields; anything else stays as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")

# Name -> what it is (shown to agents as help).
PLACEHOLDERS: dict[str, str] = {
    "requester.first_name": "first name of the customer (falls back to their email's name part)",
    "requester.last_name": "last name of the customer",
    "requester.name": "full name of the customer",
    "organization.name": "customer's organization",
    "ticket.number": "ticket number",
    "ticket.subject": "ticket subject",
    "ticket.url": "link to the request in the portal",
    "agent.first_name": "first name of the agent replying",
    "agent.name": "full name of the agent replying",
}


def unknown_placeholders(text: str) -> set[str]:
    return {name for name in PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS}


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders by their value; unknown ones are left untouched for the agent to see."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text or "")
