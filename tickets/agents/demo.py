"""Demo macros (English and French) and a first SLA check, so the workspace has something to show."""

from __future__ import annotations

from typing import TextIO

from tickets.agents.models import Macro
from tickets.agents.sla import sla_breaches_detect

# name -> {language: body}; names are shared so the customer's language picks the version.
MACROS: dict[str, dict[str, str]] = {
    "Ask for more details": {
        "en": (
            "Hello {{ requester.first_name }},\n\n"
            "Thank you for your request #{{ ticket.number }}. To look into it, could you tell us the exact steps "
            "that lead to the problem, and what you see on screen at the end?\n\n"
            "Best regards,\n{{ agent.first_name }}"
        ),
        "fr": (
            "Bonjour {{ requester.first_name }},\n\n"
            "Merci pour votre demande n° {{ ticket.number }}. Pour l'examiner, pouvez-vous nous indiquer les "
            "étapes exactes qui mènent au problème, et ce qui s'affiche à l'écran à la fin ?\n\n"
            "Bien cordialement,\n{{ agent.first_name }}"
        ),
    },
    "Solved, tell us if not": {
        "en": (
            "Hello {{ requester.first_name }},\n\n"
            "We believe this is now solved. If anything still does not work, simply reply here within the next "
            "few days and the request will reopen.\n\n{{ agent.first_name }}"
        ),
        "fr": (
            "Bonjour {{ requester.first_name }},\n\n"
            "Nous pensons que le problème est résolu. Si quelque chose ne fonctionne toujours pas, répondez "
            "simplement ici dans les prochains jours et la demande sera rouverte.\n\n{{ agent.first_name }}"
        ),
    },
    "Escalated to engineering (note)": {
        "en": "Escalated to engineering for {{ organization.name }} (#{{ ticket.number }}); waiting for analysis.",
    },
}


def seed(stdout: TextIO) -> list[str]:
    """Create or refresh the demo macros (matched by name and language), then check SLAs once."""
    count = 0
    for name, bodies in MACROS.items():
        for language, body in bodies.items():
            Macro.objects.update_or_create(
                name=name,
                language=language,
                defaults={"body": body, "is_internal_note": name.endswith("(note)"), "active": True},
            )
            count += 1
    report = sla_breaches_detect()
    stdout.write(f"tickets.agents: {count} macros, SLA checked on {report.checked} active ticket(s)\n")
    return ["Agent workspace: /agent/ (sign in as a demo agent)"]
